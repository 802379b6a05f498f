import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const DEFINITIONS =
  "externalPromotionId;promotionName;validFromDate;validToDate;posValueType;posValue\n" +
  "OLD-25;Last year;2025-01-01;2025-12-31;PERCENT;10\n" +
  "NEW-27;Next year;2027-01-01;2027-06-30;PERCENT;10\n";
const ASSIGNMENTS =
  "externalPromotionId;promotionCodeId;contactId\n" + "NEW-27;C-1;7b89b95e-6347-4d66-8b02-a10a9c830119\n";

function workspace(): string {
  const dir = makeTempDir("engage-warnings-");
  writeFileSync(join(dir, "definitions.csv"), DEFINITIONS);
  writeFileSync(join(dir, "assignments.csv"), ASSIGNMENTS);
  return dir;
}

/** Renders the workspace's `inputs` into `out` at a fixed render time, with `extra` flags. */
const render = (cwd: string, inputs: string[], extra: string[] = [], at = "2026-03-01T00:00:00Z") =>
  runCli(["render", ...inputs, "--out", "out", "--timestamp", at, ...extra], { cwd });

const codesOf = (stderr: string) => [...stderr.matchAll(/ ([a-z]+\.[a-z_]+)$/gm)].map((m) => m[1]);

describe("warnings that save a campaign", () => {
  it("warns when --max-per-file is above Engage's 20,000, and still renders", async () => {
    const cwd = workspace();
    const run = await render(cwd, ["definitions.csv", "assignments.csv"], ["--max-per-file", "50000"]);
    expect(run.code, run.stderr).toBe(0);
    expect(codesOf(run.stderr)).toContain("render.max_per_file_over_engage");
    expect(run.stderr).toContain("expected at most 20,000 assignments a file (Engage's limit), got 50,000");
  });

  it("says nothing about --max-per-file at Engage's limit", async () => {
    const cwd = workspace();
    const run = await render(cwd, ["definitions.csv"], ["--max-per-file", "20000"]);
    expect(codesOf(run.stderr)).not.toContain("render.max_per_file_over_engage");
  });

  it("warns about a promotion that has already ended at render time, at its validToDate", async () => {
    const cwd = workspace();
    const run = await render(cwd, ["definitions.csv"], ["--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    const { issues } = JSON.parse(run.stdout.split("\n")[0]!) as { issues: Record<string, unknown>[] };
    const expired = issues.filter((i) => i.code === "render.promotion_expired");
    expect(expired).toEqual([
      expect.objectContaining({
        file: expect.stringMatching(/definitions\.csv$/) as unknown,
        line: 2,
        field: "validToDate",
        severity: "warning",
      }),
    ]);
    expect(expired[0]!.message).toContain('promotion "OLD-25" has already ended');
  });

  it("counts a validToDate to the end of its day in every time zone", async () => {
    const cwd = workspace();
    // 2025-12-31 is still running somewhere at 2026-01-01T10:00Z (UTC-12 is at 22:00 on the 31st)
    const run = await render(cwd, ["definitions.csv"], [], "2026-01-01T10:00:00Z");
    expect(codesOf(run.stderr)).not.toContain("render.promotion_expired");
  });

  it("warns when a file's header is of the other kind than --kind says", async () => {
    const cwd = workspace();
    const run = await runCli(["validate", "definitions.csv", "--kind", "assignments"], { cwd });
    expect(codesOf(run.stderr)).toContain("read.kind_mismatch");
    expect(run.stderr).toContain(
      "expected the columns of assignments (--kind assignments), got those of definitions",
    );
  });

  it("warns when diff --expected holds no assignment", async () => {
    const cwd = workspace();
    writeFileSync(
      join(cwd, "export.xml"),
      '<?xml version="1.0" encoding="UTF-8"?>\n<promotions></promotions>\n',
    );
    const run = await runCli(["diff", "--expected", "definitions.csv", "--actual", "export.xml"], { cwd });
    expect(codesOf(run.stderr)).toContain("diff.expected_empty");
    expect(run.stderr).toContain(
      "--expected: expected assignments to reconcile, got none in definitions.csv",
    );
  });
});

describe("counts that agree with the status", () => {
  it("names the files whose own errors make a batch invalid without a rejected row", async () => {
    const cwd = workspace();
    writeFileSync(join(cwd, "empty.csv"), "");
    const run = await runCli(["validate", "assignments.csv", "definitions.csv", "empty.csv"], { cwd });
    expect(run.code).toBe(65);
    expect(run.summary).toMatchObject({ status: "invalid", counts: { rejected: 0 }, filesWithErrors: 1 });
  });

  it("shows no file with errors when the rows' errors explain the status", async () => {
    const cwd = workspace();
    writeFileSync(
      join(cwd, "bad.csv"),
      "externalPromotionId;promotionCodeId;contactId\nNEW-27;C-2;not-a-guid\n",
    );
    const run = await runCli(["validate", "definitions.csv", "bad.csv"], { cwd });
    expect(run.summary).toMatchObject({ status: "invalid", counts: { rejected: 1 }, filesWithErrors: 0 });
  });

  it("is ok with zero files with errors for a clean batch", async () => {
    const cwd = workspace();
    const run = await runCli(["validate", "definitions.csv", "assignments.csv"], { cwd });
    expect(run.summary).toMatchObject({ status: "ok", counts: { rejected: 0 }, filesWithErrors: 0 });
  });
});
