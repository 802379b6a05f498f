import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/run-cli.js";
import { makeTempDir } from "./support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "samples");
const sample = (name: string) => join(samples, name);
const INPUTS = ["definitions.csv", "assignments.csv", "promotions.json", "assignments.ndjson"].map(sample);
const VOUCHERIFY = ["redemptions.json", "mapping.json", "customers.csv"].map((f) =>
  sample(join("voucherify", f)),
);

function tempDir(): string {
  return makeTempDir("engage-samples-");
}

describe("the bundled samples", () => {
  it("covers every file in samples/ with a test below", () => {
    const covered = new Set([
      ...INPUTS,
      sample("profile-tenant.json"),
      ...readdirSync(sample("exports")).map((f) => sample(join("exports", f))),
      ...VOUCHERIFY,
    ]);
    const all = readdirSync(samples, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
    expect(all.filter((f) => !covered.has(f))).toEqual([]);
  });

  it("validate without a single issue", async () => {
    const run = await runCli(["validate", ...INPUTS]);
    expect(run.stderr).not.toMatch(/warning|error/);
    expect(run.code).toBe(0);
    expect(run.summary.counts).toMatchObject({ read: 14, valid: 14, rejected: 0 });
  });

  it("run as the README's first command does: delivered to ./outbox, and a second run sends nothing", async () => {
    const cwd = tempDir();
    const first = await runCli(["run", ...INPUTS, "--to", "./outbox"], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.summary).toMatchObject({ command: "run", status: "ok", upload: { sent: 1, failed: 0 } });
    const delivered = readdirSync(join(cwd, "outbox")).sort();
    expect(delivered).toHaveLength(1);
    expect(delivered.every((f) => /^\d{14}_\d+_promotions\.xml$/.test(f))).toBe(true);
    const second = await runCli(["run", ...INPUTS, "--to", "./outbox"], { cwd });
    expect(second.code).toBe(0);
    expect(second.summary).toMatchObject({ upload: { sent: 0, skipped: 1 } });
  });

  it("parse the bundled exports: every kind, identifiers kept as text", async () => {
    const out = join(tempDir(), "records.json");
    const exports = readdirSync(sample("exports")).map((f) => sample(join("exports", f)));
    const run = await runCli(["parse", ...exports, "--format", "json", "--out", out]);
    expect(run.code, run.stderr).toBe(0);
    const records = JSON.parse(readFileSync(out, "utf8")) as {
      kind: string;
      contactKey?: string;
      redeemedDateTime?: { raw: string };
    }[];
    expect(records.map((r) => r.kind).sort()).toEqual([
      "assigned",
      "assigned",
      "assigned",
      "assigned",
      "assigned",
      "deleted",
      "redeemed",
    ]);
    expect(records[0]?.contactKey).toBe("0004398423");
    expect(records.find((r) => r.kind === "redeemed")?.redeemedDateTime?.raw).toBe(
      "2026-03-09T14:12:50.0168149+01:00",
    );
  });

  it("reconcile the samples' render against the bundled exports: one of every category", async () => {
    const cwd = tempDir();
    const run = await runCli(["run", ...INPUTS, "--to", "./outbox"], { cwd });
    const runDir = run.summary.runDir as string;
    expect(existsSync(join(runDir, "manifest.json"))).toBe(true);
    const diff = await runCli(
      [
        "diff",
        "--expected",
        runDir,
        "--actual",
        sample("exports"),
        "--format",
        "json",
        "--out",
        join(cwd, "diff.json"),
      ],
      { cwd },
    );
    expect(diff.code, diff.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(cwd, "diff.json"), "utf8")) as {
      counts: Record<string, number>;
    };
    expect(report.counts).toMatchObject({
      assigned: 2,
      redeemed: 1,
      mismatched: 1,
      deleted: 1,
      missing: 5,
      unexpected: 1,
    });
    const failing = await runCli(
      [
        "diff",
        "--expected",
        runDir,
        "--actual",
        sample("exports"),
        "--fail-on-diff",
        "--out",
        join(cwd, "diff.txt"),
      ],
      { cwd },
    );
    expect(failing.code).toBe(1);
  });

  it("the tenant profile accepts EXTERNALOFFER-only promotions and refuses other value types", async () => {
    const ok = await runCli([
      "validate",
      sample("promotions.json"),
      "--profile",
      sample("profile-tenant.json"),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    const refused = await runCli([
      "validate",
      sample("definitions.csv"),
      "--profile",
      sample("profile-tenant.json"),
    ]);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain("validate.value_type_not_allowed");
  });

  it("import the Voucherify sample as the README shows: the failed and the rolled-back redemptions left out", async () => {
    const out = join(tempDir(), "redemptions.csv");
    const run = await runCli([
      "import",
      "voucherify",
      sample(join("voucherify", "redemptions.json")),
      "--map",
      sample(join("voucherify", "mapping.json")),
      "--out",
      out,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/warning|error/);
    expect(run.summary.counts).toMatchObject({
      read: 6,
      written: 3,
      skippedFailure: 1,
      skippedRolledBack: 1,
      rejected: 0,
    });
    const lines = readFileSync(out, "utf8").trim().split("\n");
    expect(lines[0]).toBe("id;contactId;externalPromotionId;redemptionChannel;sourceRedemptionId;redeemedAt");
    expect(lines.slice(1).map((l) => l.split(";")[4])).toEqual([
      "r_0c5d710a87c8a31f86",
      "r_0c5d71b1e3c8a32a0c",
      "r_0c5d75e8b2c8a36e4a",
    ]);
    // the contacts and promotions are those the assignment samples send
    const assignments = readFileSync(sample("assignments.csv"), "utf8");
    for (const line of lines.slice(1)) {
      const [, contactId, externalPromotionId] = line.split(";");
      expect(assignments).toContain(`${externalPromotionId};`);
      expect(assignments).toContain(contactId);
    }
  });
});
