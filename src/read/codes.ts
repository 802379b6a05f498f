/** Issue codes of the read stage (CSV, JSON and NDJSON files). */
export const READ_CODES = {
  "read.file_empty": { severity: "error", summary: "The file holds no header and no records." },
  "read.no_rows": {
    severity: "error",
    summary: "No input holds a single record (only a header, or `[]`); `--allow-empty` accepts it.",
  },
  "read.encoding_invalid": {
    severity: "error",
    summary: "Bytes that are not valid in the file's encoding (UTF-8 unless `--encoding` names another).",
  },
  "read.csv_quote_not_closed": {
    severity: "error",
    summary: "A quoted CSV field is never closed; reported where the quote opens.",
  },
  "read.csv_quote_invalid": {
    severity: "error",
    summary: "A quote inside an unquoted field, or text after a closing quote.",
  },
  "read.csv_field_too_long": {
    severity: "error",
    summary: "A CSV field longer than `--max-field-bytes` (1 MiB); its record is one issue, not read.",
  },
  "read.record_too_long": {
    severity: "error",
    summary:
      "A CSV record, NDJSON line or record of a JSON array longer than 16 times `--max-field-bytes`; skipped to its end in bounded memory.",
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
    summary: "JSON that does not parse; reported at the offending token. No record of the file is read.",
  },
  "read.json_depth": {
    severity: "error",
    summary: "JSON nested deeper than 256 levels (arrays and objects); reported where the limit is crossed.",
  },
  "read.json_shape": {
    severity: "error",
    summary: "JSON that parses but is not an array of records or {promotions, assignments}.",
  },
  "read.json_not_object": { severity: "error", summary: "A JSON record that is not an object." },
  "read.json_key_duplicate": { severity: "error", summary: "The same key twice in one JSON object." },
} as const;
