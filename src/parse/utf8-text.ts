/** Text decoded from the next bytes, and why decoding stopped early, if it did. */
export interface DecodedText {
  /** The text of the valid bytes (all of them unless `error` is set). */
  text: string;
  /** Set when the bytes are not UTF-8: `text` then ends just before the first bad byte. */
  error?: string;
}

/** A streaming UTF-8 decoder that stops at the first byte that is not UTF-8. */
export interface Utf8Text {
  decode(bytes: Uint8Array): DecodedText;
  /** Flushes: an unfinished sequence at the end is an error. */
  end(): DecodedText;
}

const EMPTY = new Uint8Array(0);

// The start of a sequence the bytes end inside of (what a streaming decoder holds back).
function unfinishedTail(bytes: Uint8Array): Uint8Array {
  let j = bytes.length - 1;
  let continuations = 0;
  while (j >= 0 && continuations < 3 && (bytes[j]! & 0xc0) === 0x80) {
    j -= 1;
    continuations += 1;
  }
  if (j < 0) return EMPTY;
  const lead = bytes[j]!;
  const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return bytes.length - j < length ? bytes.slice(j) : EMPTY;
}

/**
 * The index of the first byte that starts an invalid sequence (the WHATWG decoder's rules:
 * no overlongs, no surrogates, nothing past U+10FFFF), or -1 when every sequence is valid
 * or merely unfinished at the end.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k += 1) {
      if (i + k >= n) return -1;
      const c = bytes[i + k]!;
      if (c < lo || c > hi) return i;
      lo = 0x80;
      hi = 0xbf;
    }
    i += need + 1;
  }
  return -1;
}

function hex(byte: number): string {
  return `0x${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}

/** Creates a decoder for one file; a leading byte order mark is dropped. */
export function createUtf8Text(): Utf8Text {
  // fatal: a bad byte throws instead of becoming U+FFFD, so no export is read wrong silently.
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let tail: Uint8Array = EMPTY;
  let first = true;
  let failed = false;

  return {
    decode(bytes) {
      if (failed || bytes.length === 0) return { text: "" };
      try {
        const text = decoder.decode(bytes, { stream: true });
        // Short chunks may end inside a sequence begun in an earlier one: look at both.
        const probe =
          bytes.length >= 4 ? bytes.subarray(bytes.length - 4) : Uint8Array.from([...tail, ...bytes]);
        tail = unfinishedTail(probe);
        first = false;
        return { text };
      } catch {
        failed = true;
        // Rare path: find the first bad byte ourselves and decode what comes before it.
        const data = new Uint8Array(tail.length + bytes.length);
        data.set(tail, 0);
        data.set(bytes, tail.length);
        const bad = Math.max(0, firstInvalidUtf8(data));
        const text = new TextDecoder("utf-8", { ignoreBOM: !first }).decode(data.subarray(0, bad));
        return {
          text,
          error: `byte ${hex(data[bad] ?? 0)} is not valid UTF-8 here: export files must be UTF-8`,
        };
      }
    },
    end() {
      if (failed) return { text: "" };
      try {
        return { text: decoder.decode() };
      } catch {
        failed = true;
        return {
          text: "",
          error: `the file ends inside a UTF-8 sequence (${[...tail].map(hex).join(" ")}): export files must be UTF-8`,
        };
      }
    },
  };
}
