import type { Issue } from "../core/issue.js";
import type { DiffCategory, DiffCounts, DiffEntry, MatchField } from "./diff-entry.js";

/** One source a report names: a manifest or input file on the expected side, an export file on the actual side. */
export interface ReportSource {
  path: string;
  kind: "manifest" | "input" | "export" | "api";
  /** Assignments (expected side), records (export files) or assignments read (Engage's API) from it. */
  count: number;
}

/** Everything a report formatter needs: counts, sources, issues, and the entries per category. */
export interface DiffReport {
  match: MatchField;
  counts: DiffCounts;
  expectedAssignments: number;
  exportRecords: number;
  sources: { expected: ReportSource[]; actual: ReportSource[] };
  issues: readonly Issue[];
  /** The entries of one category; called once per category, in `DIFF_CATEGORIES` order. */
  entries(category: DiffCategory): Iterable<DiffEntry>;
  /** Shown in the header when given (ISO 8601); left out so golden files stay stable. */
  generatedAt?: string;
  /** For `api check`: the contacts read and the check time the categories were decided at. */
  check?: CheckInfo;
}

/** What a report of `api check` says about the check itself. */
export interface CheckInfo {
  /** The check time (ISO 8601): what "not started" and "ended" were decided against. */
  at: string;
  /** Contacts whose promotions were read. */
  contacts: number;
  /** How they were chosen: `sample` (with its seed) or `file` (with its path). */
  sample: { kind: "random"; seed: number; of: number } | { kind: "file"; path: string };
}

/** Options every report format takes. */
export interface ReportOptions {
  /** Show contact keys as they are instead of masked. */
  showPersonalData: boolean;
}

/** The total the bars and percentages of a report are proportional to: every entry listed. */
export function totalEntries(counts: DiffCounts): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
