import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/core/errors.js";
import { loadProfile } from "../../src/profile/load-profile.js";
import { toExportXml } from "../support/export-fixtures.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "..", "samples");

/** A working folder holding copies of the samples: inputs, and the two export files in exports/. */
function workspace(): string {
  const dir = makeTempDir("engage-diff-cli-");
  for (const f of ["definitions.csv", "assignments.csv", "assignments.ndjson", "promotions.json"])
    copyFileSync(join(samples, f), join(dir, f));
  cpSync(join(samples, "exports"), join(dir, "exports"), { recursive: true });
  return dir;
}

interface JsonReport {
  counts: Record<string, number>;
  entries: {
    category: string;
    externalPromotionId: string;
    contact?: { field: string; value: string };
    sent?: { at: { file: string; line?: number } };
    exported?: { at: { file: string; line?: number }; kind: string };
  }[];
  issues: { code: string; file: string; line?: number }[];
}

function readJson(path: string): JsonReport {
  return JSON.parse(readFileSync(path, "utf8")) as JsonReport;
}

// The samples hold one of each: SPRING-26 for 3e4d… never came back, VIP-GIFT starts a day late,
// SHOES-100 for d1e2… was never sent, SHOES-100 for 9a8b… was deleted, SPRING-26 for 7b89… redeemed.
const SAMPLE_COUNTS = {
  missing: 1,
  mismatched: 1,
  unexpected: 1,
  deleted: 1,
  not_checkable: 0,
  redeemed: 1,
  assigned: 2,
};

/** Renders the sample inputs into `out/` (inputs by absolute path: render reads them from the process's folder). */
async function renderSamples(dir: string): Promise<void> {
  const run = await runCli(
    [
      "render",
      join(dir, "definitions.csv"),
      join(dir, "assignments.csv"),
      "--out",
      "out",
      "--timestamp",
      "2026-03-01T02:00:00Z",
    ],
    { cwd: dir },
  );
  expect(run.code, run.stderr).toBe(0);
}

describe("engage-promo diff", () => {
  it("reconciles input files with an export folder and reports the counts in the summary, exit 0", async () => {
    const dir = workspace();
    const run = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "assignments.csv",
        "--actual",
        "exports",
        "--out",
        "diff.json",
      ],
      { cwd: dir },
    );
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({
      command: "diff",
      status: "differences",
      exitCode: 0,
      match: "contactId",
      counts: SAMPLE_COUNTS,
    });
    expect(run.summary.actual).toEqual({ files: 3, records: 7 });
    const report = readJson(join(dir, "diff.json"));
    expect(report.counts).toEqual(SAMPLE_COUNTS);
    const redeemed = report.entries.find((e) => e.category === "redeemed");
    expect(redeemed).toMatchObject({
      externalPromotionId: "SPRING-26",
      sent: { at: { file: "assignments.csv", line: 2 } },
      exported: { at: { file: join("exports", "20260310120000_redeemed.xml"), line: 3 }, kind: "redeemed" },
    });
    expect(report.entries.find((e) => e.category === "unexpected")).toMatchObject({
      externalPromotionId: "SHOES-100",
      exported: { at: { line: 76 } },
    });
    expect(report.entries.find((e) => e.category === "mismatched")).toMatchObject({
      externalPromotionId: "VIP-GIFT",
      sent: { at: { file: "assignments.csv", line: 7 } },
      differences: [{ field: "validFromDate", expected: "2026-03-15", actual: "2026-03-16T00:00:00+01:00" }],
    });
    expect(report.entries.find((e) => e.category === "deleted")).toMatchObject({
      externalPromotionId: "SHOES-100",
      exported: { kind: "deleted" },
    });
  });

  it("reconciles a render folder, sourcing each assignment at its manifest key line", async () => {
    const dir = workspace();
    await renderSamples(dir);
    const run = await runCli(
      ["diff", "--expected", "out", "--actual", "exports", "--format", "json", "--out", "diff.json"],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    const report = readJson(join(dir, "diff.json"));
    expect(report.counts).toEqual(SAMPLE_COUNTS);
    const missing = report.entries.filter((e) => e.category === "missing");
    expect(missing.map((e) => e.sent?.at)).toEqual([{ file: join("out", "manifest.keys.ndjson"), line: 3 }]);
    expect(report.issues).toEqual([]);
  });

  it("combines several runs: two render folders and an input file", async () => {
    const dir = workspace();
    await renderSamples(dir);
    const second = await runCli(
      [
        "render",
        join(dir, "definitions.csv"),
        join(dir, "assignments.ndjson"),
        "--out",
        "out2",
        "--timestamp",
        "2026-03-02T02:00:00Z",
      ],
      { cwd: dir },
    );
    expect(second.code, second.stderr).toBe(0);
    writeFileSync(
      join(dir, "late.csv"),
      "externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate\nSHOES-100;H-9;d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6;;\n",
    );
    const run = await runCli(
      [
        "diff",
        "--expected",
        "out",
        "out2",
        "definitions.csv",
        "late.csv",
        "--actual",
        "exports",
        "--format",
        "json",
        "--out",
        "diff.json",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    const report = readJson(join(dir, "diff.json"));
    // The second run's two assignments never came back; the late one explains the unexpected record.
    expect(report.counts).toEqual({ ...SAMPLE_COUNTS, missing: 3, unexpected: 0, assigned: 3 });
    expect(run.summary).toMatchObject({
      expected: {
        assignments: 9,
        sources: [
          { path: join("out", "manifest.json"), kind: "manifest", count: 6 },
          { path: join("out2", "manifest.json"), kind: "manifest", count: 2 },
          { path: "definitions.csv", kind: "input", count: 0 },
          { path: "late.csv", kind: "input", count: 1 },
        ],
      },
    });
    expect(
      report.entries.find(
        (e) =>
          e.externalPromotionId === "SHOES-100" &&
          e.category === "assigned" &&
          e.sent?.at.file === "late.csv",
      ),
    ).toBeDefined();
  });

  it("exits 1 with --fail-on-diff when something is missing or unexpected", async () => {
    const dir = workspace();
    const run = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "assignments.csv",
        "--actual",
        "exports",
        "--fail-on-diff",
        "--format",
        "json",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(EXIT_CODES.differences.code);
    expect(run.summary).toMatchObject({
      status: "differences",
      exitCode: 1,
      report: { format: "json", out: "stdout" },
    });
  });

  it("exits 0 with --fail-on-diff when everything sent was exported or redeemed", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "sent.csv"),
      "externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate\n" +
        "SPRING-26;S-1;7b89b95e-6347-4d66-8b02-a10a9c830119;;\n" +
        "SPRING-26;S-2;0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80;;2026-03-05\n" +
        "SHOES-100;H-1;7b89b95e-6347-4d66-8b02-a10a9c830119;;\n" +
        "SHOES-100;H-2;d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6;;\n" +
        "VIP-GIFT;V-1;0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80;;2026-03-16\n",
    );
    const exports = ["20260302080000_assigned.xml", "20260310120000_redeemed.xml"].map((f) =>
      join("exports", f),
    );
    const run = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "sent.csv",
        "--actual",
        ...exports,
        "--fail-on-diff",
        "--out",
        "diff.txt",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({
      status: "in-sync",
      counts: {
        redeemed: 1,
        assigned: 4,
        missing: 0,
        unexpected: 0,
        mismatched: 0,
        deleted: 0,
        not_checkable: 0,
      },
    });
    const text = readFileSync(join(dir, "diff.txt"), "utf8");
    expect(text).toMatch(/^Reconciliation matched on contactId: 5 expected assignments, 6 export records/);
  });

  it("matches on contactKey, masking the keys unless personal data is shown", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "by-key.ndjson"),
      `{"externalPromotionId":"SPRING-26","promotionCodeId":"K-1","externalContactId":"0004398423"}\n{"externalPromotionId":"SPRING-26","promotionCodeId":"K-2","externalContactId":"0004398424","validFromDate":"2026-03-05"}\n`,
    );
    const masked = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "by-key.ndjson",
        "--actual",
        "exports",
        "--match",
        "contactKey",
        "--format",
        "csv",
      ],
      { cwd: dir },
    );
    expect(masked.code).toBe(0);
    expect(masked.summary).toMatchObject({ counts: { redeemed: 1, assigned: 1, unexpected: 4, missing: 0 } });
    expect(masked.stdout).toContain("entry;redeemed;;SPRING-26;contactKey;0********3;K-1");
    expect(masked.stdout).not.toContain("0004398423");
    const shown = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "by-key.ndjson",
        "--actual",
        "exports",
        "--match",
        "contactKey",
        "--format",
        "csv",
        "--show-personal-data",
      ],
      { cwd: dir },
    );
    expect(shown.stdout).toContain("entry;redeemed;;SPRING-26;contactKey;0004398423;K-1");
  });

  it("reads exports with the fields a tenant's profile renames", async () => {
    const dir = workspace();
    copyFileSync(join(samples, "profile-tenant.json"), join(dir, "tenant.json"));
    const profile = await loadProfile(join(dir, "tenant.json"));
    mkdirSync(join(dir, "tenant-exports"));
    writeFileSync(
      join(dir, "tenant-exports", "20260302080000_assigned.xml"),
      toExportXml(
        [
          {
            kind: "assigned",
            contactKey: "0004398423",
            couponId: "v-1",
            externalPromotionId: "SPRING-26",
            validFromDate: "2026-03-01T00:00:00+01:00",
          },
        ],
        { profile },
      ),
    );
    expect(readFileSync(join(dir, "tenant-exports", "20260302080000_assigned.xml"), "utf8")).toContain(
      "<memberNumber>0004398423</memberNumber>",
    );
    writeFileSync(
      join(dir, "sent.ndjson"),
      `{"externalPromotionId":"SPRING-26","promotionCodeId":"K-1","externalContactId":"0004398423"}\n`,
    );
    const run = await runCli(
      [
        "diff",
        "--expected",
        "sent.ndjson",
        "--actual",
        "tenant-exports",
        "--match",
        "contactKey",
        "--profile",
        "tenant.json",
        "--fail-on-diff",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ status: "in-sync", counts: { assigned: 1 } });
  });

  it("writes the HTML report under a temporary name and renames it, taking the format from --out", async () => {
    const dir = workspace();
    const run = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "assignments.csv",
        "--actual",
        "exports",
        "--out",
        "report.html",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ report: { format: "html", out: "report.html" } });
    const html = readFileSync(join(dir, "report.html"), "utf8");
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("exits 65 for a malformed export, with the parse issue's position, and still writes the report", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "exports", "20260311000000_assigned.xml"),
      "<promotions>\n  <assigned>\n    <couponId>x</couponId>\n  </assigned>\n",
    );
    const run = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "assignments.csv",
        "--actual",
        "exports",
        "--out",
        "diff.json",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(EXIT_CODES.invalid_data.code);
    expect(run.summary).toMatchObject({ status: "invalid", issues: { error: 1 } });
    const report = readJson(join(dir, "diff.json"));
    expect(report.issues.filter((i) => i.code.startsWith("parse."))).toEqual([
      expect.objectContaining({
        code: "parse.xml_truncated",
        file: join("exports", "20260311000000_assigned.xml"),
        line: 4,
      }),
    ]);
    expect(report.counts).toMatchObject({ redeemed: 1, assigned: 2 });
    expect(run.stderr).toContain("20260311000000_assigned.xml");
  });

  it("exits 65 when a manifest's keys file changed since render", async () => {
    const dir = workspace();
    await renderSamples(dir);
    const keys = join(dir, "out", "manifest.keys.ndjson");
    writeFileSync(keys, readFileSync(keys, "utf8").split("\n").slice(1).join("\n"));
    const run = await runCli(
      ["diff", "--expected", join("out", "manifest.json"), "--actual", "exports", "--format", "json"],
      { cwd: dir },
    );
    expect(run.code).toBe(65);
    expect(run.stderr).toContain("diff.manifest_keys_changed");
  });

  it("exits 65 when an expected input has invalid rows", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "bad.csv"),
      "externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate\nSPRING-26;C-1;not-a-guid;;\n",
    );
    const run = await runCli(["diff", "--expected", "definitions.csv", "bad.csv", "--actual", "exports"], {
      cwd: dir,
    });
    expect(run.code).toBe(65);
    expect(run.stderr).toMatch(/bad\.csv\n\s+2:/);
  });

  it("exits 66 for an expected or actual path that does not exist", async () => {
    const dir = workspace();
    const expected = await runCli(["diff", "--expected", "nope", "--actual", "exports"], { cwd: dir });
    expect(expected.code).toBe(EXIT_CODES.input_missing.code);
    expect(expected.stderr).toContain("--expected nope");
    const actual = await runCli(["diff", "--expected", "assignments.csv", "--actual", "nope.xml"], {
      cwd: dir,
    });
    expect(actual.code).toBe(EXIT_CODES.input_missing.code);
    expect(actual.stderr).toContain("--actual nope.xml");
    mkdirSync(join(dir, "empty"));
    const folder = await runCli(["diff", "--expected", "empty", "--actual", "exports"], { cwd: dir });
    expect(folder.code).toBe(EXIT_CODES.input_missing.code);
    expect(folder.stderr).toContain("without manifest.json");
  });

  it("exits 73 when the report's folder cannot be written", async () => {
    const dir = workspace();
    const run = await runCli(
      [
        "diff",
        "--expected",
        "assignments.csv",
        "--actual",
        "exports",
        "--out",
        join("no-such-folder", "diff.json"),
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(EXIT_CODES.output_failed.code);
    expect(existsSync(join(dir, "no-such-folder"))).toBe(false);
  });

  it("exits 65 for an export file that cannot be read", async () => {
    const { spawnSync } = await import("node:child_process");
    const dir = workspace();
    chmodSync(join(dir, "exports", "20260310120000_redeemed.xml"), 0o000);
    const argv = ["diff", "--expected", "assignments.csv", "--actual", "exports"];
    let run: { code: number | null; stderr: string };
    if (process.getuid?.() === 0) {
      // Root reads anything: run the command as an unprivileged user instead.
      chmodSync(dir, 0o755);
      const root = join(import.meta.dirname, "..", "..");
      const cli = join(root, "src", "cli", "main.ts");
      const loader = pathToFileURL(join(root, "node_modules", "tsx", "dist", "loader.mjs")).href;
      const child = spawnSync(
        "setpriv",
        [
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          process.execPath,
          "--import",
          loader,
          cli,
          ...argv,
        ],
        { cwd: dir, encoding: "utf8", env: { ...process.env, HOME: "/tmp", TSX_DISABLE_CACHE: "1" } },
      );
      run = { code: child.status, stderr: child.stderr };
    } else {
      run = await runCli(argv, { cwd: dir });
    }
    expect(run.code).toBe(65);
    expect(run.stderr).toContain("diff.actual_unreadable");
  });

  it("reads every folder's files in file-name order, whatever order the paths came in", async () => {
    const dir = workspace();
    mkdirSync(join(dir, "later"));
    // A deletion written after the redemption, in another folder named first on the command line.
    writeFileSync(
      join(dir, "later", "20260320000000_deleted.xml"),
      "<promotions>\n  <deleted>\n    <contactId>7b89b95e-6347-4d66-8b02-a10a9c830119</contactId>\n    <couponId>32e0f814-eb7b-4857-8c05-a8e900c43e44</couponId>\n    <externalPromotionId>SPRING-26</externalPromotionId>\n  </deleted>\n</promotions>\n",
    );
    const run = await runCli(
      [
        "diff",
        "--expected",
        "definitions.csv",
        "assignments.csv",
        "--actual",
        "later",
        "exports",
        "--format",
        "json",
        "--out",
        "d.json",
      ],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    expect(readJson(join(dir, "d.json")).counts).toMatchObject({ deleted: 2, redeemed: 0 });
  });
});
