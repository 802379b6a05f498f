import { makeIssue, type Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import { countRow, newRowCounts, type RowCounts } from "../core/row-counts.js";
import type { RejectedRow } from "./rejects-csv.js";

/** Rows read, valid and rejected (in all and by kind), and what was sent. */
export interface RenderCounts extends RowCounts {
  /** Promotions sent (each defined id once). */
  promotions: number;
  /** Assignments sent. */
  assignments: number;
}

/** At most this many issues are kept; the rest are counted by severity. */
export const MAX_ISSUES_KEPT = 100_000;

/** A rejected row as the validate stage reports it. */
export interface RejectedEvent {
  at: Location;
  kind: string;
  codes: readonly string[];
  raw: Readonly<Record<string, string>>;
}

/** Numbers (lines or records) by file: a number in a Set takes far less than a string key per row. */
class PlacesByFile {
  private readonly byFile = new Map<string, Set<number>>();

  add(file: string, n: number): void {
    let set = this.byFile.get(file);
    if (set === undefined) this.byFile.set(file, (set = new Set()));
    set.add(n);
  }

  has(file: string, n: number | undefined): boolean {
    return n !== undefined && this.byFile.get(file)?.has(n) === true;
  }
}

/**
 * The bookkeeping of one render, without any output: counts, issues (kept up to a limit),
 * rejected rows within `--max-rejects`, and whether every error belongs to a rejected row.
 */
export class RenderTally {
  readonly counts: RenderCounts = { ...newRowCounts(), promotions: 0, assignments: 0 };
  readonly issuesOmitted = { error: 0, warning: 0 };
  /** The rejected rows to write to rejects.csv (emptied once there are more than `maxRejects`). */
  readonly rejects: RejectedRow[] = [];
  private readonly issues: Issue[] = [];
  // Where rejected rows are: an error on one of these lines or records belongs to a rejected row.
  private readonly rejectedLines = new PlacesByFile();
  private readonly rejectedRecords = new PlacesByFile();
  // Validation reports a row's issues right before the row's own event; errors waiting for it.
  private pendingErrors: Issue[] = [];
  // Errors no rejected row claimed as it came: checked once more at the end, by line and by record.
  private readonly unclaimedErrors: { file: string; line?: number; record?: number }[] = [];
  private firstOverLimit: Location | undefined;

  /**
   * `keepRows: false` counts rejected rows without keeping their values, for a run that writes no
   * rejects file (validate), so millions of bad rows take no memory beyond their places.
   */
  constructor(
    private readonly maxRejects: number,
    private readonly keepRows = true,
  ) {
    if (!Number.isInteger(maxRejects) || maxRejects < 0)
      throw new RangeError(`maxRejects must be a whole number, got ${maxRejects}`);
  }

  /** Counts a valid definition; `sent` is false for a second definition of the same id. */
  promotion(sent: boolean): void {
    countRow(this.counts, "definitions", true);
    if (sent) this.counts.promotions += 1;
    this.endOfRow();
  }

  /** Counts a valid assignment. */
  assignment(): void {
    countRow(this.counts, "assignments", true);
    this.counts.assignments += 1;
    this.endOfRow();
  }

  /** Marks an event that is no row (a file starting or ending): errors before it belong to no row. */
  otherEvent(): void {
    this.endOfRow();
  }

  /** Counts a rejected row and keeps it for rejects.csv while within the limit; true when this row crossed the limit. */
  rejected(event: RejectedEvent): boolean {
    const c = this.counts;
    countRow(c, event.kind, false);
    // Past the limit nothing is written whatever the errors, so their places need not be kept.
    if (c.rejected <= this.maxRejects) {
      if (event.at.line !== undefined) this.rejectedLines.add(event.at.file, event.at.line);
      if (event.at.record !== undefined) this.rejectedRecords.add(event.at.file, event.at.record);
    }
    // The row's own errors came just before it, in its file, at or after its first line (a JSON
    // record's field sits on a later line than the record's start).
    const start = event.at.line;
    this.endOfRow(
      (e) => e.file === event.at.file && start !== undefined && e.line !== undefined && e.line >= start,
    );
    if (c.rejected <= this.maxRejects) {
      if (this.keepRows) this.rejects.push({ at: event.at, codes: event.codes, raw: event.raw });
      return false;
    }
    if (this.firstOverLimit !== undefined) return false;
    this.firstOverLimit = event.at;
    this.rejects.length = 0;
    return true;
  }

  /** Keeps an issue (or counts it beyond the limit) and remembers where errors are. */
  issue(issue: Issue): void {
    if (issue.severity === "error") this.pendingErrors.push(issue);
    if (this.issues.length < MAX_ISSUES_KEPT) this.issues.push(issue);
    else this.issuesOmitted[issue.severity] += 1;
  }

  /** Ends the row the pending errors may belong to: those `claimed` are the row's, the others wait for the final check. */
  private endOfRow(claimed: (error: Issue) => boolean = () => false): void {
    if (this.pendingErrors.length === 0) return;
    for (const error of this.pendingErrors) {
      if (claimed(error)) continue;
      const place: { file: string; line?: number; record?: number } = { file: error.file };
      if (error.line !== undefined) place.line = error.line;
      if (error.record !== undefined) place.record = error.record;
      this.unclaimedErrors.push(place);
    }
    this.pendingErrors = [];
  }

  /** True when more rows were rejected than `maxRejects` allows. */
  get overLimit(): boolean {
    return this.firstOverLimit !== undefined;
  }

  /**
   * True when some error sits on no rejected row (an unreadable file, a row kept despite an
   * error): such an error cannot be left out row by row, so nothing may be written.
   */
  get hasUnaccountedErrors(): boolean {
    this.endOfRow();
    return this.filesWithErrors().length > 0;
  }

  /**
   * The files with an error that sits on no rejected row (empty, not parseable): the counts of
   * rows alone would show nothing wrong for them, so the summary names them.
   */
  filesWithErrors(): string[] {
    this.endOfRow();
    const files = new Set<string>();
    for (const { file, line, record } of this.unclaimedErrors)
      if (!this.rejectedLines.has(file, line) && !this.rejectedRecords.has(file, record)) files.add(file);
    return [...files];
  }

  /** True when the render must not write anything. */
  get refused(): boolean {
    return this.overLimit || this.hasUnaccountedErrors;
  }

  /** The issues to report: those kept, a note of those left out, and why the render was refused when rows were over the limit. */
  report(
    omittedCode: "render.issues_omitted" | "validate.issues_omitted" = "render.issues_omitted",
  ): Issue[] {
    const out = [...this.issues];
    const omitted = this.issuesOmitted.error + this.issuesOmitted.warning;
    if (omitted > 0) {
      out.push(
        makeIssue(
          omittedCode,
          `${omitted} more issues are not listed (errors: ${this.issuesOmitted.error}, warnings: ${this.issuesOmitted.warning}); fix the ones listed and run again`,
          { file: this.issues[this.issues.length - 1]?.file ?? "" },
        ),
      );
    }
    // With the default of 0 the row errors speak for themselves; with a limit, say it was exceeded.
    if (this.firstOverLimit !== undefined && this.maxRejects > 0) {
      out.push(
        makeIssue(
          "rules.too_many_rejects",
          `${this.counts.rejected} rows are invalid, more than --max-rejects ${this.maxRejects} allows; nothing was written`,
          this.firstOverLimit,
        ),
      );
    }
    return out;
  }
}
