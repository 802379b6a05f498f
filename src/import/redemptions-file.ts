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

/** Rows rendered into one piece of a redemptions file. */
const ROWS_PER_PIECE = 10_000;

/**
 * Renders a redemptions file: CSV with `;`, a header of the six columns, RFC 4180 quoting and
 * LF line ends; NDJSON one object a line; JSON one array. The same rows give the same bytes.
 * It comes in pieces of ROWS_PER_PIECE rows, so a large file is written without ever being one
 * string (a few hundred bytes a row).
 */
export function* redemptionPieces(rows: Iterable<RedemptionRow>, format: DataFormat): Generator<string> {
  if (format === "csv") yield `${REDEMPTION_COLUMNS.join(";")}\n`;
  else if (format === "json") yield "[";
  let piece: string[] = [];
  let any = false;
  for (const row of rows) {
    if (format === "csv") piece.push(`${REDEMPTION_COLUMNS.map((c) => csvField(row[c] ?? "")).join(";")}\n`);
    else if (format === "ndjson") piece.push(`${JSON.stringify(jsonOf(row))}\n`);
    else piece.push(`${any ? "," : ""}\n  ${JSON.stringify(jsonOf(row))}`);
    any = true;
    if (piece.length >= ROWS_PER_PIECE) {
      yield piece.join("");
      piece = [];
    }
  }
  if (piece.length > 0) yield piece.join("");
  if (format === "json") yield any ? "\n]\n" : "]\n";
}
