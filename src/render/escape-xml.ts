import { EngageError } from "../core/errors.js";

// Anything that is not plain text needs a closer look: markup characters, CR (a parser turns a
// literal CR into LF, so it is written as a reference to survive), controls, surrogates, U+FFFE/F.
const NEEDS_CARE = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
// The complement of XML 1.0's Char production; with the `u` flag a lone surrogate is a code point
// of its own and so matches, while a valid pair is one supplementary code point and does not.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const MARKUP = /[&<>\r]/g;
const REFERENCES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };

/** Where the first character XML 1.0 cannot carry is, as a 1-based code point position, if any. */
export function findInvalidXmlChar(value: string): { position: number; codePoint: number } | undefined {
  const match = NOT_XML_CHAR.exec(value);
  if (match === null) return undefined;
  const codePoint = match[0].codePointAt(0) ?? 0;
  return { position: Array.from(value.slice(0, match.index)).length + 1, codePoint };
}

/** Formats a code point as `U+000B`. */
export function formatCodePoint(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Escapes text for element content; throws an internal error rather than write a character
 * XML 1.0 cannot carry (validation rejects those rows, so reaching here is a bug upstream).
 */
export function escapeXmlText(value: string, field: string): string {
  if (!NEEDS_CARE.test(value)) return value;
  const bad = findInvalidXmlChar(value);
  if (bad !== undefined) {
    throw new EngageError(
      "internal",
      "render.invalid_xml_char",
      `${field}: character ${formatCodePoint(bad.codePoint)} at position ${bad.position} cannot be written in XML 1.0; validation should have rejected this row`,
    );
  }
  return value.replace(MARKUP, (c) => REFERENCES[c] ?? c);
}
