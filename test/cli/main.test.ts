import { readFileSync, writeFileSync, chmodSync, readdirSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/core/errors.js";
import { lastSummaryLine, runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "..", "samples");
const defs = join(samples, "definitions.csv");
const assigns = join(samples, "assignments.csv");

function tempDir(): string {
  return makeTempDir("engage-cli-");
}

function writeCsv(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const BAD_ASSIGNMENTS =
  "externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate\n" +
  "SPRING-26;C-1;7b89b95e-6347-4d66-8b02-a10a9c830119;;\n" +
  "SPRING-26;C-2;not-a-guid;;\n";

describe("the command line", () => {
  it("prints help and exits 0", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("render <inputs..>");
  });

  it("exits 2 with a usage message for an unknown command", async () => {
    const run = await runCli(["frobnicate"]);
    expect(run.code).toBe(EXIT_CODES.usage.code);
    expect(run.summary.status).toBe("failed");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 2 for an unknown flag", async () => {
    const run = await runCli(["validate", defs, "--bogus-flag"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/bogus-flag/);
  });

  it("exits 2 for a timestamp that is not an instant", async () => {
    const run = await runCli(["render", defs, "--out", tempDir(), "--timestamp", "20260301020000"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--timestamp: expected an ISO 8601 instant");
  });

  it("reads relative input paths from the working folder", async () => {
    const dir = tempDir();
    writeCsv(dir, "defs.csv", readFileSync(defs, "utf8"));
    const run = await runCli(["validate", "defs.csv"], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
  });

  it("exits 2 for a time zone that does not exist", async () => {
    const run = await runCli(["validate", defs, "--timezone", "Mars/Olympus"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Mars/Olympus");
  });

  it("exits 66 when an input file is missing, without a stack trace", async () => {
    const run = await runCli(["validate", join(tempDir(), "nope.csv")]);
    expect(run.code).toBe(EXIT_CODES.input_missing.code);
    expect(run.summary).toMatchObject({ command: "validate", status: "failed", exitCode: 66 });
    expect(run.stderr).toContain("nope.csv");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("exits 78 for a profile that does not fit the schema", async () => {
    const dir = tempDir();
    const profile = writeCsv(dir, "p.json", JSON.stringify({ import: { promotion: "has space" } }));
    const run = await runCli(["validate", defs, "--profile", profile]);
    expect(run.code).toBe(EXIT_CODES.bad_config.code);
    expect(run.stderr).toContain("import.promotion");
  });

  it("exits 78 for a config file with an unknown key or bad JSON", async () => {
    const dir = tempDir();
    writeCsv(dir, "engage-promo.config.json", JSON.stringify({ maxRejectz: 3 }));
    const unknown = await runCli(["validate", defs], { cwd: dir });
    expect(unknown.code).toBe(78);
    expect(unknown.stderr).toContain('unknown option "maxRejectz"');
    writeCsv(dir, "bad.json", "{ nope");
    const bad = await runCli(["validate", defs, "--config", join(dir, "bad.json")]);
    expect(bad.code).toBe(78);
  });

  it("validates the samples and prints one JSON summary as the last stdout line", async () => {
    const run = await runCli(["validate", defs, assigns]);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ command: "validate", status: "ok", exitCode: 0 });
    expect(run.summary.counts).toMatchObject({
      rejected: 0,
      byKind: { definitions: { valid: 3 }, assignments: { valid: 6 } },
    });
    expect(typeof run.summary.durationMs).toBe("number");
  });

  it("exits 65 for invalid rows and shows them grouped by file with line and code", async () => {
    const dir = tempDir();
    const file = writeCsv(dir, "bad.csv", BAD_ASSIGNMENTS);
    const run = await runCli(["validate", defs, file]);
    expect(run.code).toBe(EXIT_CODES.invalid_data.code);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toMatch(/ {2}3:\d+ +error .*validate\.not_guid/);
    expect(run.summary).toMatchObject({ status: "invalid", issues: { error: 1 } });
  });

  it("prints issues as JSON on stdout with --format json, and the summary as stderr's last line", async () => {
    const dir = tempDir();
    const file = writeCsv(dir, "bad.csv", BAD_ASSIGNMENTS);
    const run = await runCli(["validate", defs, file, "--format", "json"]);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lastSummaryLine(run.stderr)).toMatchObject({
      command: "validate",
      status: "invalid",
      exitCode: 65,
    });
    const { issues } = JSON.parse(lines[0]!) as { issues: { code: string; line: number; file: string }[] };
    expect(issues).toContainEqual(expect.objectContaining({ code: "validate.not_guid", line: 3, file }));
  });

  it("takes flags over ENGAGE_PROMO_* variables over the config file", async () => {
    const dir = tempDir();
    const file = writeCsv(dir, "bad.csv", BAD_ASSIGNMENTS);
    writeCsv(
      dir,
      "engage-promo.config.json",
      JSON.stringify({ render: { maxRejects: 0 }, timestamp: "2026-03-01T02:00:00Z" }),
    );
    const byConfig = await runCli(["render", defs, file, "--out", join(dir, "a")], { cwd: dir });
    expect(byConfig.code).toBe(65);
    const byEnv = await runCli(["render", defs, file, "--out", join(dir, "b")], {
      cwd: dir,
      env: { ENGAGE_PROMO_MAX_REJECTS: "1" },
    });
    expect(byEnv.code).toBe(0);
    expect(readdirSync(join(dir, "b")).some((f) => f.startsWith("20260301020000_"))).toBe(true);
    const byFlag = await runCli(["render", defs, file, "--out", join(dir, "c"), "--max-rejects", "0"], {
      cwd: dir,
      env: { ENGAGE_PROMO_MAX_REJECTS: "1" },
    });
    expect(byFlag.code).toBe(65);
  });

  it("exits 73 when the output folder cannot be written", async () => {
    const dir = tempDir();
    const locked = join(dir, "locked");
    mkdirSync(locked);
    writeFileSync(join(locked, "file"), "x");
    const run = await runCli(["render", defs, assigns, "--out", join(locked, "file", "sub")]);
    expect(run.code).toBe(EXIT_CODES.output_failed.code);
    chmodSync(locked, 0o755);
  });

  it("renders the samples into a folder with a manifest", async () => {
    const dir = tempDir();
    const run = await runCli(["render", defs, assigns, "--out", dir, "--timestamp", "2026-03-01T02:00:00Z"]);
    expect(run.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {
      counts: { assignments: number };
    };
    expect(manifest.counts.assignments).toBe(6);
  });
});
