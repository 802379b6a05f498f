import { extname } from "node:path";
import { parseJson } from "./json-parser.js";
import type { InputFormat } from "./raw-row.js";

/**
 * Tells a file's format from its name and first bytes: `.csv` is CSV, `.ndjson`/`.jsonl` are
 * NDJSON; otherwise a file that starts with `[` is JSON, one whose first line is a whole JSON
 * object followed by another line starting with `{` is NDJSON, another `{` is JSON, and the
 * rest (of a name other than `.json`) is CSV.
 */
export function formatOf(file: string, head: string): InputFormat {
  const ext = extname(file).toLowerCase();
  if (ext === ".csv" || ext === ".tsv" || ext === ".txt") return "csv";
  if (ext === ".ndjson" || ext === ".jsonl") return "ndjson";
  const text = head.replace(/^\uFEFF/, "");
  const start = text.search(/\S/);
  const first = start < 0 ? "" : text[start];
  if (first === "{") {
    const nl = text.indexOf("\n", start);
    if (
      nl > 0 &&
      parseJson(text.slice(start, nl)).ok &&
      /^\s*\{/.test(text.slice(nl + 1)) &&
      text.slice(nl + 1).trim() !== ""
    )
      return "ndjson";
    return "json";
  }
  if (first === "[" || ext === ".json") return "json";
  return "csv";
}
