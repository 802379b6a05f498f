/** Issue codes of the export parse stage. */
export const PARSE_CODES = {
  "parse.xml_malformed": {
    severity: "error",
    summary: "Export XML that is not well-formed; reported at its line and column.",
  },
  "parse.xml_truncated": {
    severity: "error",
    summary: "Export XML that ends before its root closes; reported at its last line.",
  },
  "parse.encoding_invalid": { severity: "error", summary: "Export bytes that are not valid UTF-8." },
  "parse.encoding_unsupported": {
    severity: "error",
    summary:
      "An `encoding` declaration other than UTF-8, ISO-8859-1, windows-1252, US-ASCII or UTF-16 (with its byte order mark); the file is refused.",
  },
  "parse.field_too_large": {
    severity: "error",
    summary:
      "A text node, name, comment or other construct longer than `--max-field-bytes` (1 MiB by default); the file is refused at its position.",
  },
  "parse.too_deep": {
    severity: "error",
    summary:
      "Elements nested deeper than `--max-depth` (64 by default); the file is refused at that element.",
  },
  "parse.mixed_content": {
    severity: "error",
    summary:
      "An element with both text and child elements (`<contactKey>00043<x/>98500</contactKey>`); its text is not a value.",
  },
  "parse.doctype_refused": {
    severity: "error",
    summary: "A DOCTYPE or entity declaration; refused, nothing is expanded.",
  },
  "parse.kind_unknown": {
    severity: "warning",
    summary: "A record whose kind neither its element, its file name nor its fields tell.",
  },
  "parse.invalid_value": {
    severity: "error",
    summary: "A record field that does not fit its schema (a date, a channel type).",
  },
  "parse.no_records": { severity: "warning", summary: "An export file without a single record." },
} as const;
