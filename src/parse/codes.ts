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
