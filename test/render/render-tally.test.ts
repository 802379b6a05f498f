import { describe, expect, it } from "vitest";
import { makeIssue } from "../../src/core/issue.js";
import { MAX_ISSUES_KEPT, RenderTally } from "../../src/render/render-tally.js";

const rejected = (file: string, line: number, record?: number) => ({
  at: record === undefined ? { file, line } : { file, line, record },
  kind: "assignments",
  codes: ["validate.not_guid"],
  raw: {},
});
const error = (file: string, line?: number) =>
  makeIssue("validate.not_guid", "x", line === undefined ? { file } : { file, line });

describe("RenderTally", () => {
  it("lets a rejected row claim the errors reported just before it, in its file, from its first line on", () => {
    const tally = new RenderTally(5);
    tally.issue(error("a.json", 7));
    tally.issue(error("a.json", 4));
    tally.rejected(rejected("a.json", 4, 1));
    expect(tally.refused).toBe(false);
  });

  it("does not let a row claim an error reported before a file boundary or before another row", () => {
    const beforeBoundary = new RenderTally(5);
    beforeBoundary.issue(error("a.json", 9));
    beforeBoundary.otherEvent();
    beforeBoundary.rejected(rejected("a.json", 4, 1));
    expect(beforeBoundary.refused).toBe(true);

    const beforeRow = new RenderTally(5);
    beforeRow.issue(error("a.csv", 3));
    beforeRow.assignment();
    beforeRow.rejected(rejected("a.csv", 4));
    expect(beforeRow.refused).toBe(true);
  });

  it("still matches an error to a rejected row by its line, wherever it was reported", () => {
    const tally = new RenderTally(5);
    tally.issue(error("a.csv", 4));
    tally.assignment();
    tally.rejected(rejected("a.csv", 4));
    expect(tally.refused).toBe(false);
  });

  it("is refused past --max-rejects, names the row that crossed it and keeps no rejects", () => {
    const tally = new RenderTally(1);
    expect(tally.rejected(rejected("a.csv", 2))).toBe(false);
    expect(tally.rejects).toHaveLength(1);
    expect(tally.rejected(rejected("a.csv", 3))).toBe(true);
    expect(tally.rejected(rejected("a.csv", 4))).toBe(false);
    expect(tally.refused).toBe(true);
    expect(tally.rejects).toHaveLength(0);
    expect(tally.report().at(-1)).toMatchObject({ code: "rules.too_many_rejects", file: "a.csv", line: 3 });
  });

  it("counts issues beyond the limit by severity and notes them once", () => {
    const tally = new RenderTally(0);
    for (let i = 0; i < MAX_ISSUES_KEPT + 2; i += 1)
      tally.issue(makeIssue("rules.duplicate_assignment", "x", { file: "a.csv", line: i + 2 }));
    tally.issue(error("a.csv", 1));
    expect(tally.issuesOmitted).toEqual({ error: 1, warning: 2 });
    const report = tally.report();
    expect(report).toHaveLength(MAX_ISSUES_KEPT + 1);
    expect(report.at(-1)?.message).toBe(
      "3 more issues are not listed (errors: 1, warnings: 2); fix the ones listed and run again",
    );
  });

  it("without keeping rows, counts every rejected row and still matches errors to them by line or record", () => {
    const tally = new RenderTally(Number.MAX_SAFE_INTEGER, false);
    tally.issue(makeIssue("validate.not_guid", "x", { file: "b.json", record: 2 }));
    tally.assignment();
    for (let line = 2; line < 10_002; line += 1) tally.rejected(rejected("a.csv", line));
    tally.rejected(rejected("b.json", 8, 2));
    expect(tally.rejects).toHaveLength(0);
    expect(tally.counts.rejected).toBe(10_001);
    expect(tally.filesWithErrors()).toEqual([]);
    tally.issue(error("a.csv", 10_002));
    tally.otherEvent();
    expect(tally.filesWithErrors()).toEqual(["a.csv"]);
  });

  it("refuses a negative or fractional limit", () => {
    expect(() => new RenderTally(-1)).toThrow(RangeError);
    expect(() => new RenderTally(1.5)).toThrow(RangeError);
  });
});
