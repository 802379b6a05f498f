import { Utf8Text } from "./utf8-text.js";

/** The encodings an input CSV file may be read in (`--encoding`). */
export const INPUT_ENCODINGS = ["utf-8", "windows-1252", "iso-8859-1", "utf-16le", "utf-16be"] as const;

export type InputEncoding = (typeof INPUT_ENCODINGS)[number];

/** The hint added to a file's first encoding issue when it was read as UTF-8. */
export const ENCODING_HINT =
  "if the file is not UTF-8, name its encoding with --encoding (windows-1252, iso-8859-1, utf-16le, utf-16be)";

/** Turns a file's byte chunks into text in one encoding. */
export interface ChunkDecoder {
  decode(chunk: Buffer): string;
  end(): string;
  /** True once some bytes were not valid in the encoding (each became U+FFFD). */
  readonly invalid: boolean;
  /** True when a file read as UTF-8 starts with a UTF-16 byte order mark. */
  readonly utf16: boolean;
}

/**
 * A decoder for `encoding`: UTF-8 takes the native fast path (BOM stripped, characters split
 * across chunks kept whole); the others go through the platform's TextDecoder, which strips
 * their own BOM.
 */
export function createChunkDecoder(encoding: InputEncoding = "utf-8"): ChunkDecoder {
  if (encoding === "utf-8") {
    const text = new Utf8Text();
    let invalid = false;
    return {
      decode(chunk) {
        const out = text.decode(chunk);
        if (out.badLines.length > 0) invalid = true;
        return out.text;
      },
      end() {
        const out = text.end();
        if (out.badLines.length > 0) invalid = true;
        return out.text;
      },
      get invalid() {
        return invalid;
      },
      get utf16() {
        return text.utf16;
      },
    };
  }
  const decoder = new TextDecoder(encoding, { fatal: false });
  // Windows-1252 and Latin-1 map every byte; only UTF-16 can hold bytes that are not text.
  const canFail = encoding.startsWith("utf-16");
  let invalid = false;
  const check = (text: string) => {
    if (canFail && !invalid && text.includes("\uFFFD")) invalid = true;
    return text;
  };
  return {
    decode: (chunk) => check(decoder.decode(chunk, { stream: true })),
    end: () => check(decoder.decode()),
    get invalid() {
      return invalid;
    },
    utf16: false,
  };
}
