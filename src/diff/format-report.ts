import type { DiffReport, ReportOptions } from "./diff-report.js";
import { formatDiffCsv } from "./report-csv.js";
import { formatDiffHtml } from "./report-html.js";
import { formatDiffJson } from "./report-json.js";
import { formatDiffText } from "./report-text.js";

export const DIFF_FORMATS = ["text", "json", "csv", "html"] as const;

export type DiffFormat = (typeof DIFF_FORMATS)[number];

/** The report format a file name implies (`report.html` → html), or undefined. */
export function formatOfPath(path: string): DiffFormat | undefined {
  const m = /\.(json|csv|html?|txt)$/i.exec(path);
  if (!m) return undefined;
  const ext = m[1]!.toLowerCase();
  return ext === "htm" || ext === "html" ? "html" : ext === "txt" ? "text" : (ext as DiffFormat);
}

/** Formats a report in one of the formats, as chunks. */
export function formatReport(
  format: DiffFormat,
  report: DiffReport,
  options: ReportOptions,
): Iterable<string> {
  switch (format) {
    case "json":
      return formatDiffJson(report, options);
    case "csv":
      return formatDiffCsv(report, options);
    case "html":
      return formatDiffHtml(report, options);
    default:
      return formatDiffText(report, options);
  }
}
