import type { Location } from "./location.js";
import { ISSUE_CODES, type IssueCode } from "./issue-codes.js";

export type Severity = "error" | "warning";

/** A data problem: collected as a value, never thrown. */
export interface Issue extends Location {
  code: IssueCode;
  severity: Severity;
  message: string;
  /** The pipeline stage that found it: the part of `code` before the dot. */
  stage: string;
  /** Other places involved, e.g. the first line of a duplicate. */
  related?: Location[];
}

/** Builds an issue with the code's default severity unless one is given. */
export function makeIssue(
  code: IssueCode,
  message: string,
  at: Location,
  extra: { severity?: Severity; related?: Location[] } = {},
): Issue {
  const issue: Issue = {
    code,
    severity: extra.severity ?? ISSUE_CODES[code].severity,
    message,
    stage: code.slice(0, code.indexOf(".")),
    file: at.file,
  };
  if (at.line !== undefined) issue.line = at.line;
  if (at.column !== undefined) issue.column = at.column;
  if (at.field !== undefined) issue.field = at.field;
  if (at.record !== undefined) issue.record = at.record;
  if (extra.related !== undefined && extra.related.length > 0) issue.related = extra.related;
  return issue;
}

/** Counts issues by severity. */
export function countBySeverity(issues: Iterable<Issue>): { error: number; warning: number } {
  const counts = { error: 0, warning: 0 };
  for (const i of issues) counts[i.severity] += 1;
  return counts;
}

/** Quotes a value for a message the way every stage does: JSON string, shortened when long. */
export function quote(value: unknown, max = 60): string {
  const text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  const shown = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(shown);
}
