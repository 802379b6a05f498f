/** Issue codes of the read stage (CSV, JSON and NDJSON files). */
export const READ_CODES = {
  "read.file_empty": { severity: "error", summary: "The file holds no header and no records." },
  "read.encoding_invalid": { severity: "error", summary: "Bytes that are not valid UTF-8." },
  "read.csv_quote_not_closed": {
    severity: "error",
    summary: "A quoted CSV field is never closed; reported where the quote opens.",
  },
  "read.csv_quote_invalid": {
    severity: "error",
    summary: "A quote inside an unquoted field, or text after a closing quote.",
  },
  "read.csv_column_count": {
    severity: "error",
    summary: "A CSV record has more or fewer fields than the header.",
  },
  "read.csv_header_duplicate": { severity: "error", summary: "The same column name twice in the header." },
  "read.csv_header_unknown": {
    severity: "warning",
    summary: "A header column the tool does not know; its values are ignored.",
  },
  "read.kind_unknown": {
    severity: "error",
    summary: "Neither the header nor --kind tells whether the file holds definitions or assignments.",
  },
  "read.kind_mismatch": {
    severity: "warning",
    summary:
      "A CSV header that looks like the other kind than --kind says (definitions given as assignments).",
  },
  "read.json_syntax": {
    severity: "error",
    summary: "JSON that does not parse; reported at the offending token.",
  },
  "read.json_shape": {
    severity: "error",
    summary: "JSON that parses but is not an array of records or {promotions, assignments}.",
  },
  "read.json_not_object": { severity: "error", summary: "A JSON record that is not an object." },
  "read.json_key_duplicate": { severity: "error", summary: "The same key twice in one JSON object." },
} as const;
