/**
 * JSON written as UTF-8 straight into one reused buffer, handed on whole when it fills: the
 * NDJSON output of `parse` copies values from the export's bytes here, with no string between.
 */
export interface JsonBytes {
  /** Text that needs no escaping (keys, punctuation, numbers). */
  raw(text: string): void;
  /** Bytes that are already JSON. */
  bytes(source: Uint8Array): void;
  /** A JSON string of the UTF-8 in `source` from `start` to `end`, escaped as JSON.stringify does. */
  string(source: Uint8Array, start: number, end: number): void;
  /** A non-negative integer. */
  integer(value: number): void;
  /** Hands on what the buffer holds. */
  flush(): void;
}

// The escape JSON.stringify writes for each byte below 0x20, `"` and `\` (0 for none).
const ESCAPES: (string | undefined)[] = new Array<string | undefined>(256).fill(undefined);
for (let c = 0; c < 0x20; c += 1) ESCAPES[c] = `\\u${c.toString(16).padStart(4, "0")}`;
Object.assign(ESCAPES, { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\" });
const NEEDS_ESCAPE = new Uint8Array(256);
for (let c = 0; c < 256; c += 1) if (ESCAPES[c] !== undefined) NEEDS_ESCAPE[c] = 1;

/** Creates a writer that hands each full buffer (at least `size` bytes) to `write`, which must be done with it on return. */
export function createJsonBytes(write: (bytes: Uint8Array) => void, size = 1024 * 1024): JsonBytes {
  let buffer = Buffer.allocUnsafe(size);
  let length = 0;

  function flush(): void {
    if (length === 0) return;
    write(buffer.subarray(0, length));
    length = 0;
  }

  // Room for `more` bytes: the buffer is handed on first, and grown only for one value longer
  // than it (a field may be up to --max-field-bytes, escaped).
  function room(more: number): void {
    if (length + more <= buffer.length) return;
    flush();
    if (more > buffer.length) buffer = Buffer.allocUnsafe(more);
  }

  return {
    raw(text) {
      const n = text.length;
      room(n);
      const b = buffer;
      let at = length;
      for (let k = 0; k < n; k += 1) b[at++] = text.charCodeAt(k);
      length = at;
    },
    bytes(source) {
      room(source.length);
      buffer.set(source, length);
      length += source.length;
    },
    string(source, start, end) {
      room((end - start) * 6 + 2);
      const b = buffer;
      let at = length;
      b[at++] = 0x22;
      for (let k = start; k < end; k += 1) {
        const c = source[k]!;
        if (NEEDS_ESCAPE[c] === 0) b[at++] = c;
        else {
          const escape = ESCAPES[c]!;
          for (let e = 0; e < escape.length; e += 1) b[at++] = escape.charCodeAt(e);
        }
      }
      b[at++] = 0x22;
      length = at;
    },
    integer(value) {
      const text = String(value);
      room(text.length);
      const b = buffer;
      let at = length;
      for (let k = 0; k < text.length; k += 1) b[at++] = text.charCodeAt(k);
      length = at;
    },
    flush,
  };
}
