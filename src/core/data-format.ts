/** The formats a file of rows or records is written in: one JSON array, NDJSON, or semicolon CSV. */
export const DATA_FORMATS = ["json", "ndjson", "csv"] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** The format an output file's extension names (`.csv`, `.ndjson`, `.jsonl`, `.json`), if any. */
export function dataFormatOfPath(path: string): DataFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  if (lower.endsWith(".json")) return "json";
  return undefined;
}
