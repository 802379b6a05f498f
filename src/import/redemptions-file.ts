import type { DataFormat } from "../core/data-format.js";
import { REDEMPTION_COLUMNS, type RedemptionRow } from "../schemas/voucherify-mapping.js";

const NEEDS_QUOTES = /[;"\r\n]/;

function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** A row as a JSON object: keys in the column order, an empty `id` left out rather than sent as "". */
function jsonOf(row: RedemptionRow): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of REDEMPTION_COLUMNS) {
    const v = row[c];
    if (v !== undefined && v !== "") out[c] = v;
  }
  return out;
}

/**
 * Renders a redemptions file: CSV with `;`, a header of the six columns, RFC 4180 quoting and
 * LF line ends; NDJSON one object a line; JSON one array. The same rows give the same bytes.
 */
export function renderRedemptions(rows: readonly RedemptionRow[], format: DataFormat): string {
  if (format === "csv") {
    const lines = [REDEMPTION_COLUMNS.join(";")];
    for (const row of rows) lines.push(REDEMPTION_COLUMNS.map((c) => csvField(row[c] ?? "")).join(";"));
    return `${lines.join("\n")}\n`;
  }
  if (format === "ndjson") return rows.map((r) => `${JSON.stringify(jsonOf(r))}\n`).join("");
  if (rows.length === 0) return "[]\n";
  return `[\n${rows.map((r) => `  ${JSON.stringify(jsonOf(r))}`).join(",\n")}\n]\n`;
}
