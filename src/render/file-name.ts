/** Digits of the sequence number in file names: lexicographic order equals sequence order up to 999,999 files. */
export const SEQUENCE_DIGITS = 6;

/** Formats an instant as `YYYYMMDDHHmmss` in UTC, the prefix of Engage import file names. */
export function formatFileTimestamp(timestamp: Date): string {
  if (Number.isNaN(timestamp.getTime())) throw new RangeError("the render timestamp is not a valid date");
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    String(timestamp.getUTCFullYear()).padStart(4, "0") +
    two(timestamp.getUTCMonth() + 1) +
    two(timestamp.getUTCDate()) +
    two(timestamp.getUTCHours()) +
    two(timestamp.getUTCMinutes()) +
    two(timestamp.getUTCSeconds())
  );
}

/** Names import file `seq` (1-based) as `YYYYMMDDHHmmss_<seq>_promotions.xml`, the sequence zero-padded to six digits. */
export function importFileName(timestamp: Date, seq: number): string {
  return `${formatFileTimestamp(timestamp)}_${String(seq).padStart(SEQUENCE_DIGITS, "0")}_promotions.xml`;
}
