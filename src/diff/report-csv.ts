import { DIFF_CATEGORIES, type DiffEntry } from "./diff-entry.js";
import type { DiffReport, ReportOptions } from "./diff-report.js";
import { presentEntry } from "./mask-personal-data.js";

/** The CSV report's columns. */
export const CSV_COLUMNS = [
  "row",
  "category",
  "count",
  "externalPromotionId",
  "contactField",
  "contact",
  "promotionCodeId",
  "sentFile",
  "sentLine",
  "originFile",
  "originLine",
  "importFile",
  "exportFile",
  "exportLine",
  "exportKind",
  "field",
  "expected",
  "actual",
  "note",
] as const;

type Column = (typeof CSV_COLUMNS)[number];

/** Quotes a CSV field when it holds the delimiter (`;`), a quote, a line break or edge spaces (RFC 4180). */
export function csvField(value: string): string {
  return /[";\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function csvRow(values: Partial<Record<Column, string | number | undefined>>): string {
  return `${CSV_COLUMNS.map((c) => {
    const v = values[c];
    return v === undefined ? "" : csvField(String(v));
  }).join(";")}\n`;
}

function entryRows(e: DiffEntry): string {
  const base: Partial<Record<Column, string | number | undefined>> = {
    row: "entry",
    category: e.category,
    externalPromotionId: e.externalPromotionId,
    contactField: e.contact?.field,
    contact: e.contact?.value,
    promotionCodeId: e.promotionCodeId,
    sentFile: e.sent?.at.file,
    sentLine: e.sent?.at.line,
    originFile: e.sent?.origin?.file,
    originLine: e.sent?.origin?.line,
    importFile: e.sent?.importFile,
    exportFile: e.exported?.at.file,
    exportLine: e.exported?.at.line,
    exportKind: e.exported?.kind,
    note: e.note,
  };
  if (e.differences.length === 0) return csvRow(base);
  return e.differences
    .map((d) => csvRow({ ...base, field: d.field, expected: d.expected, actual: d.actual }))
    .join("");
}

/**
 * The CSV report, with `;` like the other CSV files (Engage's convention): a header, one `count` row per category, then one `entry` row per entry (a
 * mismatched entry has one row per differing field, with both values). Yields chunks as it goes.
 */
export function* formatDiffCsv(report: DiffReport, options: ReportOptions): Generator<string> {
  let head = CSV_COLUMNS.join(";") + "\n";
  for (const c of DIFF_CATEGORIES) head += csvRow({ row: "count", category: c, count: report.counts[c] });
  yield head;
  for (const c of DIFF_CATEGORIES) {
    if (report.counts[c] === 0) continue;
    for (const e of report.entries(c)) yield entryRows(presentEntry(e, options.showPersonalData));
  }
}
