/** How an export's bytes are to be decoded, from its byte order mark and `encoding` declaration. */
export type ExportEncoding =
  | { type: "utf-8" }
  | { type: "decoder"; label: "windows-1252" | "utf-16le" | "utf-16be" }
  | { type: "unsupported"; label: string; column: number; message: string };

// The declaration's `encoding` value, read on the bytes as Latin-1 (every encoding accepted
// here without a byte order mark writes the declaration in ASCII).
const DECLARATION =
  /^(?:\uFEFF|\u00EF\u00BB\u00BF)?<\?xml[ \t\r\n][^?>]*?encoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/;

// Labels decoded with the platform's single-byte decoder: the WHATWG Encoding standard (which
// Node's TextDecoder follows) reads ISO-8859-1 and US-ASCII as windows-1252, its superset.
const SINGLE_BYTE = new Set([
  "iso-8859-1",
  "iso8859-1",
  "iso_8859-1",
  "latin1",
  "latin-1",
  "l1",
  "windows-1252",
  "cp1252",
  "us-ascii",
  "ascii",
]);
const UTF8 = new Set(["utf-8", "utf8"]);
const UTF16 = new Set(["utf-16", "utf16", "utf-16le", "utf-16be"]);

function declared(text: string): { label: string; column: number } | undefined {
  const match = DECLARATION.exec(text);
  if (match === null) return undefined;
  const label = match[2] ?? "";
  // The column of the value's first character, counted after a byte order mark.
  const bom = text.startsWith("\uFEFF") ? 1 : text.startsWith("\u00EF\u00BB\u00BF") ? 3 : 0;
  return { label, column: match[0].length - label.length - bom };
}

function unsupported(label: string, column: number, why: string): ExportEncoding {
  return { type: "unsupported", label, column, message: why };
}

const ACCEPTED = "UTF-8, ISO-8859-1, windows-1252, US-ASCII, or UTF-16 with a byte order mark";

/** Decides the decoding of an export from its first bytes (its first read, at least 512 bytes when the file has them). */
export function exportEncoding(first: Uint8Array): ExportEncoding {
  const [b0, b1, b2] = [first[0], first[1], first[2]];
  if ((b0 === 0xff && b1 === 0xfe) || (b0 === 0xfe && b1 === 0xff)) {
    const label = b0 === 0xff ? "utf-16le" : "utf-16be";
    const head = new TextDecoder(label).decode(first.subarray(0, Math.min(first.length, 1024) & ~1));
    const decl = declared(head);
    if (decl !== undefined && !UTF16.has(decl.label.toLowerCase())) {
      return unsupported(
        decl.label,
        decl.column,
        `the file starts with a UTF-16 byte order mark but declares encoding="${decl.label}"`,
      );
    }
    return { type: "decoder", label };
  }
  const head = Buffer.from(first.buffer, first.byteOffset, Math.min(first.length, 1024)).toString("latin1");
  const decl = declared(head);
  if (decl === undefined) return { type: "utf-8" };
  const label = decl.label.toLowerCase();
  const utf8Bom = b0 === 0xef && b1 === 0xbb && b2 === 0xbf;
  if (UTF8.has(label)) return { type: "utf-8" };
  if (utf8Bom) {
    return unsupported(
      decl.label,
      decl.column,
      `the file starts with a UTF-8 byte order mark but declares encoding="${decl.label}"`,
    );
  }
  if (SINGLE_BYTE.has(label)) return { type: "decoder", label: "windows-1252" };
  if (UTF16.has(label)) {
    return unsupported(
      decl.label,
      decl.column,
      `encoding="${decl.label}" without a UTF-16 byte order mark: expected ${ACCEPTED}`,
    );
  }
  return unsupported(decl.label, decl.column, `encoding="${decl.label}" is not read: expected ${ACCEPTED}`);
}
