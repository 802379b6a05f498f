import { DIFF_CATEGORIES } from "./diff-entry.js";
import type { DiffReport, ReportOptions } from "./diff-report.js";
import { presentEntry } from "./mask-personal-data.js";

/**
 * The JSON report: one object with counts, sources and issues first, then `entries`, one entry
 * per line, by category. Yields chunks, so a report of millions of entries never sits in memory.
 */
export function* formatDiffJson(report: DiffReport, options: ReportOptions): Generator<string> {
  const head: Record<string, unknown> = {
    match: report.match,
    counts: report.counts,
    expectedAssignments: report.expectedAssignments,
    exportRecords: report.exportRecords,
    sources: report.sources,
    issues: report.issues,
  };
  if (report.check !== undefined) head.check = report.check;
  if (report.generatedAt !== undefined) head.generatedAt = report.generatedAt;
  yield `${JSON.stringify(head).slice(0, -1)},"entries":[`;
  let first = true;
  for (const c of DIFF_CATEGORIES) {
    if (report.counts[c] === 0) continue;
    for (const e of report.entries(c)) {
      yield `${first ? "\n" : ",\n"}${JSON.stringify(presentEntry(e, options.showPersonalData))}`;
      first = false;
    }
  }
  yield "\n]}\n";
}
