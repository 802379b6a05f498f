import { isUtf8 } from "node:buffer";

/** The valid UTF-8 of the next bytes, in whole characters, and why checking stopped early, if it did. */
export interface CheckedBytes {
  /** Bytes that are valid UTF-8 and end on a character's end (all of them unless `error` is set). */
  pieces: Uint8Array[];
  /** Set when the bytes are not UTF-8: `pieces` then end just before the first bad byte. */
  error?: string;
}

/** A streaming UTF-8 check that stops at the first byte that is not UTF-8. */
export interface Utf8Check {
  /** Checks the next bytes; a character they end inside of is held until the next ones. */
  check(bytes: Uint8Array): CheckedBytes;
  /** Ends the input: an unfinished sequence at the end is an error. */
  end(): { error?: string };
}

const EMPTY = new Uint8Array(0);

function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
}

// The start of a sequence the bytes end inside of (what a streaming decoder holds back).
function unfinishedTail(bytes: Uint8Array): Uint8Array {
  let j = bytes.length - 1;
  let continuations = 0;
  while (j >= 0 && continuations < 3 && (bytes[j]! & 0xc0) === 0x80) {
    j -= 1;
    continuations += 1;
  }
  if (j < 0) return EMPTY;
  return bytes.length - j < sequenceLength(bytes[j]!) ? bytes.subarray(j) : EMPTY;
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

function badByte(byte: number): string {
  return `byte ${hex(byte)} is not valid UTF-8 here: export files must be UTF-8`;
}

/** Creates the check for one file's bytes. */
export function createUtf8Check(): Utf8Check {
  // The start of a character the last bytes ended inside of (at most three bytes, a copy).
  let tail: Uint8Array = EMPTY;
  let failed = false;

  function stop(bytes: Uint8Array, pieces: Uint8Array[]): CheckedBytes {
    failed = true;
    // Rare path: find the first bad byte and keep what comes before it.
    const bad = Math.max(0, firstInvalidUtf8(bytes));
    if (bad > 0) pieces.push(bytes.subarray(0, bad));
    return { pieces, error: badByte(bytes[bad] ?? 0) };
  }

  return {
    check(bytes) {
      if (failed || bytes.length === 0) return { pieces: [] };
      const pieces: Uint8Array[] = [];
      let rest = bytes;
      if (tail.length > 0) {
        // The held character is finished by the first bytes: checked (and handed on) alone, so
        // the bytes themselves are never copied.
        const take = Math.min(sequenceLength(tail[0]!) - tail.length, bytes.length);
        const joined = Buffer.allocUnsafe(tail.length + take);
        joined.set(tail, 0);
        joined.set(bytes.subarray(0, take), tail.length);
        if (firstInvalidUtf8(joined) >= 0) return stop(joined, pieces);
        tail = EMPTY;
        if (joined.length < sequenceLength(joined[0]!)) {
          tail = joined;
          return { pieces };
        }
        pieces.push(joined);
        rest = bytes.subarray(take);
      }
      const unfinished = unfinishedTail(rest);
      const body = rest.subarray(0, rest.length - unfinished.length);
      if (!isUtf8(body) || firstInvalidUtf8(unfinished) >= 0) return stop(rest, pieces);
      if (body.length > 0) pieces.push(body);
      tail = Uint8Array.prototype.slice.call(unfinished);
      return { pieces };
    },
    end() {
      if (failed || tail.length === 0) return {};
      failed = true;
      return {
        error: `the file ends inside a UTF-8 sequence (${[...tail].map(hex).join(" ")}): export files must be UTF-8`,
      };
    },
  };
}
