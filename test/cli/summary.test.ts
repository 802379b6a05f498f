import { readFileSync, rmSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { SummarySchema } from "../../src/schemas/summary.js";
import { lastSummaryLine, runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const root = join(import.meta.dirname, "..", "..");
const samples = join(root, "samples");
const INPUTS = [join(samples, "definitions.csv"), join(samples, "assignments.csv")];
const EXPORT = join(samples, "exports", "20260302080000_assigned.xml");

const made: string[] = [];
function tempDir(): string {
  const dir = makeTempDir("engage-summary-");
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function readSummaryFile(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
}

describe("the summary", () => {
  it("leaves stdout to parse's records, so `parse … > records.json` is valid JSON", async () => {
    const run = await runCli(["parse", EXPORT, "--format", "json"]);
    expect(run.code, run.stderr).toBe(0);
    expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
    expect(lastSummaryLine(run.stderr)).toMatchObject({ command: "parse", status: "ok", exitCode: 0 });
  });

  it("leaves stdout to diff's JSON report, and puts the summary on stderr's last line", async () => {
    const run = await runCli([
      "diff",
      "--expected",
      ...INPUTS,
      "--actual",
      join(samples, "exports"),
      "--format",
      "json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
    expect(lastSummaryLine(run.stderr)).toMatchObject({ command: "diff", exitCode: 0 });
    expect(lastSummaryLine(run.stdout)).toBeUndefined();
  });

  it("stays on stdout when a command writes no data there", async () => {
    const run = await runCli(["validate", ...INPUTS]);
    expect(lastSummaryLine(run.stdout)).toMatchObject({ command: "validate", status: "ok" });
    expect(lastSummaryLine(run.stderr)).toBeUndefined();
  });

  it("puts run's counts and error at the top level, with the upload's details nested", async () => {
    const cwd = tempDir();
    const ok = await runCli(["run", ...INPUTS, "--to", "./outbox"], { cwd });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.summary).toMatchObject({
      command: "run",
      status: "ok",
      exitCode: 0,
      sent: 1,
      skipped: 0,
      failed: 0,
    });
    expect(ok.summary.upload).toMatchObject({ sent: 1 });
    const again = await runCli(["run", ...INPUTS, "--to", "./outbox"], { cwd });
    expect(again.summary).toMatchObject({ sent: 0, skipped: 1 });
  });

  it("carries error.code at the top level of a failure", async () => {
    const run = await runCli(["validate", "/no/such/file.csv"]);
    expect(run.code).toBe(66);
    expect(run.summary).toMatchObject({
      status: "failed",
      exitCode: 66,
      error: { code: "read.file_missing" },
    });
  });

  it("has the shape of schemas/summary.schema.json for every command, failed or not", async () => {
    const cwd = tempDir();
    const runs = [
      await runCli(["validate", ...INPUTS]),
      await runCli(["render", ...INPUTS, "--out", join(cwd, "out")]),
      await runCli(["upload", join(cwd, "out"), "--to", join(cwd, "outbox")]),
      await runCli(["run", ...INPUTS, "--to", join(cwd, "outbox2"), "--work-dir", join(cwd, "work")]),
      await runCli(["fetch", "--from", join(samples, "exports"), "--out", join(cwd, "fetched")]),
      await runCli(["parse", EXPORT]),
      await runCli(["diff", "--expected", ...INPUTS, "--actual", join(samples, "exports")]),
      await runCli(["schema", "--out", join(cwd, "schemas")]),
      await runCli(["frobnicate"]),
      await runCli(["upload", join(cwd, "missing"), "--to", join(cwd, "outbox")]),
    ];
    for (const run of runs) {
      expect(SummarySchema.safeParse(run.summary).success, JSON.stringify(run.summary)).toBe(true);
      if (run.code !== 0) expect(run.summary.error, JSON.stringify(run.summary)).toBeDefined();
    }
  });
});

describe("--summary-file", () => {
  it("writes the summary line to the file for every command", async () => {
    const cwd = tempDir();
    const cases: string[][] = [
      ["validate", ...INPUTS],
      ["render", ...INPUTS, "--out", join(cwd, "out")],
      ["upload", join(cwd, "out"), "--to", join(cwd, "outbox")],
      ["run", ...INPUTS, "--to", join(cwd, "outbox2"), "--work-dir", join(cwd, "work")],
      ["fetch", "--from", join(samples, "exports"), "--out", join(cwd, "fetched")],
      ["parse", EXPORT],
      ["diff", "--expected", ...INPUTS, "--actual", join(samples, "exports"), "--format", "csv"],
      ["schema", "--out", join(cwd, "schemas")],
    ];
    for (const [i, argv] of cases.entries()) {
      const file = join(cwd, "summaries", `${i}.json`);
      const run = await runCli([...argv, "--summary-file", file], { cwd });
      expect(run.code, run.stderr).toBe(0);
      expect(readSummaryFile(file)).toEqual(run.summary);
      expect(readSummaryFile(file).command).toBe(argv[0]);
    }
    expect(readdirSync(join(cwd, "summaries")).sort()).toEqual(cases.map((_, i) => `${i}.json`).sort());
  });

  it("is written for a usage error and for a failure too", async () => {
    const cwd = tempDir();
    const usage = await runCli(["validate", "--no-such-flag", ...INPUTS, "--summary-file", "s.json"], {
      cwd,
    });
    expect(usage.code).toBe(2);
    expect(readSummaryFile(join(cwd, "s.json"))).toMatchObject({
      status: "failed",
      exitCode: 2,
      error: { code: "cli.usage" },
    });
    const missing = await runCli(["parse", "/no/such.xml", "--summary-file=f.json"], { cwd });
    expect(readSummaryFile(join(cwd, "f.json"))).toMatchObject({ exitCode: missing.code, status: "failed" });
  });

  it("fails with exit 73 and names the file when it cannot be written", async () => {
    const cwd = tempDir();
    const run = await runCli(
      ["validate", ...INPUTS, "--summary-file", join(samples, "definitions.csv", "x.json")],
      { cwd },
    );
    expect(run.code).toBe(73);
    expect(run.stderr).toContain("cli.summary_unwritable");
    expect(existsSync(join(samples, "definitions.csv.tmp"))).toBe(false);
  });
});

describe("a closed stdout", () => {
  async function runWithClosedStdout(argv: string[]): Promise<{ code: number | null; stderr: string }> {
    const bundle = join(root, "dist", "bundle", "main.js");
    expect(existsSync(bundle), "run npm run build first").toBe(true);
    const child = spawn(process.execPath, [bundle, ...argv], { stdio: ["ignore", "pipe", "pipe"] });
    // The reader goes away before the command writes, as `head -1` does once it has its line.
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", (c) => done(c)));
    return { code, stderr };
  }

  it("stops quietly with exit 141 (a broken pipe), no EPIPE stack trace", async () => {
    const parse = await runWithClosedStdout(["parse", EXPORT, "--format", "ndjson", "--no-progress"]);
    expect(parse.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(parse.code).toBe(141);
    const validate = await runWithClosedStdout(["validate", ...INPUTS]);
    expect(validate.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(validate.code).toBe(141);
  });
});
