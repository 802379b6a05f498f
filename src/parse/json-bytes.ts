/**
 * JSON written as UTF-8 straight into one reused buffer, handed on whole when it fills: the
 * NDJSON output of `parse` copies values from the export's bytes here, with no string between.
 * A writer asks for room once (`room`), then puts its bytes with the functions below, each
 * taking and returning the index where the next byte goes, and sets `length` at the end.
 */
export interface JsonBytes {
  /** The buffer, with room for `more` bytes from `length` on (what it held may be handed on first). */
  room(more: number): Buffer;
  /** How much of the buffer is written. */
  length: number;
  /** Hands on what the buffer holds. */
  flush(): void;
}

// The escape JSON.stringify writes for each byte below 0x20, `"` and `\`.
const ESCAPES: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(256).fill(undefined);
for (let c = 0; c < 0x20; c += 1) ESCAPES[c] = Buffer.from(`\\u${c.toString(16).padStart(4, "0")}`);
for (const [c, escape] of [
  [8, "\\b"],
  [9, "\\t"],
  [10, "\\n"],
  [12, "\\f"],
  [13, "\\r"],
  [34, '\\"'],
  [92, "\\\\"],
] as const)
  ESCAPES[c] = Buffer.from(escape);
const NEEDS_ESCAPE = new Uint8Array(256);
for (let c = 0; c < 256; c += 1) if (ESCAPES[c] !== undefined) NEEDS_ESCAPE[c] = 1;

/** The most bytes `putString` writes for `bytes` bytes of text. */
export function jsonStringRoom(bytes: number): number {
  return bytes * 6 + 2;
}

/** Puts bytes that are already JSON at `at`; returns the index after them. */
export function putBytes(b: Buffer, at: number, source: Uint8Array): number {
  const n = source.length;
  if (n > 64) {
    b.set(source, at);
    return at + n;
  }
  for (let k = 0; k < n; k += 1) b[at++] = source[k]!;
  return at;
}

/** Puts a JSON string of the UTF-8 in `source` from `start` to `end`, escaped as JSON.stringify does. */
export function putString(b: Buffer, at: number, source: Uint8Array, start: number, end: number): number {
  b[at++] = 0x22;
  for (let k = start; k < end; k += 1) {
    const c = source[k]!;
    if (NEEDS_ESCAPE[c] === 0) b[at++] = c;
    else at = putBytes(b, at, ESCAPES[c]!);
  }
  b[at++] = 0x22;
  return at;
}

/** Puts text of ASCII characters that need no escaping (digits, ISO timestamps) as a JSON string. */
export function putPlainString(b: Buffer, at: number, text: string): number {
  b[at++] = 0x22;
  for (let k = 0; k < text.length; k += 1) b[at++] = text.charCodeAt(k);
  b[at++] = 0x22;
  return at;
}

/** Puts a non-negative integer. */
export function putInteger(b: Buffer, at: number, value: number): number {
  // Digits counted first, then written from the last: no string per number.
  let digits = 1;
  for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits += 1;
  let rest = value;
  for (let k = at + digits - 1; k >= at; k -= 1) {
    const next = Math.floor(rest / 10);
    b[k] = 48 + rest - next * 10;
    rest = next;
  }
  return at + digits;
}

/** Creates a writer that hands each full buffer (about `size` bytes) to `write`, which must be done with it on return. */
export function createJsonBytes(write: (bytes: Uint8Array) => void, size = 1024 * 1024): JsonBytes {
  let buffer = Buffer.allocUnsafe(size);
  const json: JsonBytes = {
    length: 0,
    // The buffer is handed on first, and grown only for one record longer than it (a field may
    // be up to --max-field-bytes, escaped).
    room(more) {
      if (json.length + more <= buffer.length) return buffer;
      json.flush();
      if (more > buffer.length) buffer = Buffer.allocUnsafe(more);
      return buffer;
    },
    flush() {
      if (json.length === 0) return;
      write(buffer.subarray(0, json.length));
      json.length = 0;
    },
  };
  return json;
}
