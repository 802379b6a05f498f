import type { Issue } from "../core/issue.js";
import { formatLocation } from "../core/location.js";

/** Sorts issues by file, then line, then column, keeping the order of equal positions. */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  return [...issues].sort(
    (a, b) =>
      a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

/**
 * Where an issue is, as the report's first column: `line:column`, the line alone when no column
 * applies (a whole header), and `file` for an issue about the whole file (an empty input).
 */
function position(issue: Issue): string {
  if (!issue.line) return "file";
  return issue.column ? `${issue.line}:${issue.column}` : String(issue.line);
}

/**
 * The text report: issues grouped by file, one line each as `position severity message code`,
 * the field in brackets when known, and the other places a duplicate involves.
 */
export function formatIssuesText(issues: readonly Issue[], options: { limitPerFile?: number } = {}): string {
  const limit = options.limitPerFile ?? Number.POSITIVE_INFINITY;
  const byFile = new Map<string, Issue[]>();
  for (const issue of sortIssues(issues)) {
    const list = byFile.get(issue.file) ?? [];
    list.push(issue);
    byFile.set(issue.file, list);
  }
  const out: string[] = [];
  for (const [file, list] of byFile) {
    out.push(file);
    for (const issue of list.slice(0, limit)) {
      const pos = position(issue);
      const field = issue.field ? ` [${issue.field}]` : "";
      const related = issue.related?.length ? ` (see ${issue.related.map(formatLocation).join(", ")})` : "";
      out.push(
        `  ${pos.padEnd(9)} ${issue.severity.padEnd(7)} ${issue.message}${field}${related}  ${issue.code}`,
      );
    }
    if (list.length > limit)
      out.push(`  … ${list.length - limit} more issues in this file (use --format json for all)`);
  }
  return out.length > 0 ? `${out.join("\n")}\n` : "";
}
