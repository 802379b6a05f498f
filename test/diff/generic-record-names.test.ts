import { copyFileSync, cpSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "..", "samples");
const SAMPLE_COUNTS = {
  missing: 1,
  mismatched: 1,
  unexpected: 1,
  deleted: 1,
  not_checkable: 0,
  redeemed: 1,
  assigned: 2,
};
const REDEEMED = "20260310120000_redeemed.xml";

function workspace(): string {
  const dir = makeTempDir("engage-diff-generic-");
  for (const f of ["definitions.csv", "assignments.csv"]) copyFileSync(join(samples, f), join(dir, f));
  cpSync(join(samples, "exports"), join(dir, "exports"), { recursive: true });
  return dir;
}

// The sample's redeemed export, its `<redeemed>` records written as `<promotion>`.
function genericRedeemed(dir: string): string {
  const path = join(dir, "exports", REDEEMED);
  const xml = readFileSync(path, "utf8")
    .replaceAll("<redeemed>", "<promotion>")
    .replaceAll("</redeemed>", "</promotion>");
  writeFileSync(path, xml);
  return path;
}

async function diffCounts(dir: string): Promise<{ code: number; counts: unknown; kinds: string[] }> {
  const run = await runCli(
    [
      "diff",
      "--expected",
      "definitions.csv",
      "assignments.csv",
      "--actual",
      "exports",
      "--format",
      "json",
      "--out",
      "diff.json",
    ],
    { cwd: dir },
  );
  const report = JSON.parse(readFileSync(join(dir, "diff.json"), "utf8")) as { issues: { code: string }[] };
  return { code: run.code, counts: run.summary.counts, kinds: report.issues.map((i) => i.code) };
}

describe("diff of a redeemed export under generic <promotion> elements", () => {
  it("reconciles its records as redeemed when the file name says redeemed", async () => {
    const dir = workspace();
    genericRedeemed(dir);
    const result = await diffCounts(dir);
    expect(result.code).toBe(0);
    expect(result.counts).toEqual(SAMPLE_COUNTS);
    expect(result.kinds).not.toContain("parse.kind_unknown");
  });

  it("reconciles them as redeemed by their redeemedDateTime when the file name tells nothing", async () => {
    const dir = workspace();
    const path = genericRedeemed(dir);
    renameSync(path, join(dir, "exports", "20260310120000_export.xml"));
    const result = await diffCounts(dir);
    expect(result.code).toBe(0);
    expect(result.counts).toEqual(SAMPLE_COUNTS);
  });
});

describe("diff with the export limits", () => {
  it("refuses an export past --max-field-bytes or --max-depth with exit 65, never 70", async () => {
    const dir = workspace();
    const base = ["diff", "--expected", "definitions.csv", "assignments.csv", "--actual", "exports"];
    for (const flags of [
      ["--max-field-bytes", "20"],
      ["--max-depth", "2"],
    ]) {
      const run = await runCli([...base, "--format", "json", "--out", "diff.json", ...flags], { cwd: dir });
      expect(run.code).toBe(65);
      const report = JSON.parse(readFileSync(join(dir, "diff.json"), "utf8")) as {
        issues: { code: string }[];
      };
      expect(report.issues.map((i) => i.code)).toContain(
        flags[0] === "--max-depth" ? "parse.too_deep" : "parse.field_too_large",
      );
    }
    expect((await runCli([...base, "--max-depth", "x"], { cwd: dir })).code).toBe(2);
  });
});
