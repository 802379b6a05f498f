import { isUtf8 } from "node:buffer";

/** Decoded text and the physical lines (1-based, ascending) whose bytes were not UTF-8. */
export interface DecodedText {
  text: string;
  badLines: number[];
}

const LF = 0x0a;

/**
 * Where an incomplete UTF-8 sequence at the end of `bytes` starts (bytes.length when none), so
 * a character split between two chunks is decoded whole with the next chunk.
 */
function incompleteTail(bytes: Uint8Array): number {
  const end = bytes.length;
  for (let i = end - 1; i >= 0 && i >= end - 3; i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back for the lead
    const need = b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 && b < 0xe0 ? 2 : 1;
    return i + need > end ? i : end;
  }
  return end;
}

/**
 * Turns a file's byte chunks into text: strips a UTF-8 BOM, keeps characters split across
 * chunks whole, and names the lines that hold bytes which are not UTF-8 (each such byte
 * becomes U+FFFD in the text). Valid chunks take the native fast path.
 */
export class Utf8Text {
  private carry: Buffer | undefined;
  private started = false;
  /** The physical line the next decoded byte is on. */
  private line: number;
  /** True when the file starts with a UTF-16 byte order mark. */
  utf16 = false;

  constructor(firstLine = 1) {
    this.line = firstLine;
  }

  /** Decodes the next chunk; a trailing incomplete character waits for the next one. */
  decode(chunk: Buffer): DecodedText {
    let bytes = this.carry === undefined ? chunk : Buffer.concat([this.carry, chunk]);
    this.carry = undefined;
    if (!this.started) {
      if (bytes.length < 3) {
        this.carry = bytes;
        return { text: "", badLines: [] };
      }
      bytes = this.start(bytes);
    }
    const cut = incompleteTail(bytes);
    if (cut < bytes.length) this.carry = Buffer.from(bytes.subarray(cut));
    return this.convert(bytes.subarray(0, cut));
  }

  /** Decodes whatever is left at the end of the file (an incomplete character is not UTF-8). */
  end(): DecodedText {
    let bytes = this.carry ?? Buffer.alloc(0);
    this.carry = undefined;
    if (!this.started) bytes = this.start(bytes);
    return this.convert(bytes);
  }

  private start(bytes: Buffer): Buffer {
    this.started = true;
    if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3);
    if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
      this.utf16 = true;
    return bytes;
  }

  private convert(bytes: Buffer): DecodedText {
    const badLines: number[] = [];
    const valid = isUtf8(bytes);
    let pos = 0;
    for (;;) {
      const nl = bytes.indexOf(LF, pos);
      const end = nl < 0 ? bytes.length : nl;
      if (!valid && !isUtf8(bytes.subarray(pos, end))) badLines.push(this.line);
      if (nl < 0) break;
      this.line += 1;
      pos = nl + 1;
    }
    return { text: bytes.toString("utf8"), badLines };
  }
}
