import { describe, expect, it } from "vitest";
import { makeIssue } from "../../src/core/issue.js";
import { formatIssuesText } from "../../src/cli/report-issues.js";

describe("formatIssuesText", () => {
  it("shows line and column, the line alone without a column, and `file` for a whole-file issue", () => {
    const text = formatIssuesText([
      makeIssue("read.no_rows", "no rows", { file: "a.csv" }),
      makeIssue("read.kind_unknown", "which kind", { file: "b.csv", line: 1 }),
      makeIssue("validate.required", "missing", { file: "b.csv", line: 4, column: 7 }),
      makeIssue("read.file_empty", "empty", { file: "c.csv", line: 0, column: 0 }),
    ]);
    expect(text.split("\n")).toEqual([
      "a.csv",
      "  file      error   no rows  read.no_rows",
      "b.csv",
      "  1         error   which kind  read.kind_unknown",
      "  4:7       error   missing  validate.required",
      "c.csv",
      "  file      error   empty  read.file_empty",
      "",
    ]);
  });
});
