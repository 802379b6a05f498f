import type { Location } from "../core/location.js";

/** A row validation left out, as `rejects.csv` records it. */
export interface RejectedRow {
  at: Location;
  codes: readonly string[];
  /** The row's fields by the column names the user gave. */
  raw: Readonly<Record<string, string>>;
}

const NEEDS_QUOTES = /[;"\r\n]/;

/** Quotes one CSV field when it holds the delimiter, a quote or a line break (quotes doubled). */
export function quoteCsvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Renders `rejects.csv`: semicolon-separated, LF line ends, a header `file;line;codes;` followed
 * by every raw column name in first-seen order, then one line per rejected row, its codes
 * joined by commas and its fields as the user gave them (empty where a row lacks a column).
 */
export function renderRejectsCsv(rows: readonly RejectedRow[]): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    for (const name of Object.keys(row.raw)) {
      if (!seen.has(name)) {
        seen.add(name);
        columns.push(name);
      }
    }
  }
  const lines = [["file", "line", "codes", ...columns].map(quoteCsvField).join(";")];
  for (const row of rows) {
    const cells = [row.at.file, row.at.line === undefined ? "" : String(row.at.line), row.codes.join(",")];
    for (const name of columns) cells.push(row.raw[name] ?? "");
    lines.push(cells.map(quoteCsvField).join(";"));
  }
  return `${lines.join("\n")}\n`;
}
