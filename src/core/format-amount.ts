/**
 * A number as en-US writes it, `1,234,567`, without ICU: the first `toLocaleString` of a
 * process loads its number formats, 20 ms of a command's start-up for a log line. Integers
 * are grouped here; any other number is left to the platform.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return n.toLocaleString("en-US");
  const digits = String(Math.abs(n));
  let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/**
 * A count with its noun in the right number: `1 file`, `2 files`, `1,000 rows`, `1 entry`. The
 * noun may be given in either number; the last word is the one that changes.
 */
export function plural(n: number, noun: string): string {
  const singular = noun.endsWith("ies")
    ? `${noun.slice(0, -3)}y`
    : noun.endsWith("s") && !noun.endsWith("ss")
      ? noun.slice(0, -1)
      : noun;
  const many = /[^aeiou]y$/.test(singular) ? `${singular.slice(0, -1)}ies` : `${singular}s`;
  return `${groupDigits(n)} ${n === 1 ? singular : many}`;
}

/** A count of `unit` (given in the plural, as progress units are): `1 row`, `3 records`. */
export function formatCount(n: number, unit: string): string {
  return plural(Math.round(n), unit);
}

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB"] as const;

/**
 * A byte size in the largest unit that keeps it at 1 or more, to three significant digits:
 * `512 B`, `5.0 KiB`, `12.3 MiB`, `512 MiB`; a small size never reads as zero of a larger unit.
 */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  let value = n;
  let unit: string = "B";
  for (const next of BYTE_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${unit}`;
}
