import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManifestSchema } from "../../src/schemas/manifest.js";
import { runCli } from "../support/run-cli.js";
import { skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import { makeTempDir } from "../support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "..", "samples");
const INPUTS = ["definitions.csv", "assignments.csv", "promotions.json", "assignments.ndjson"].map((f) =>
  join(samples, f),
);
const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

describe.skipIf(skipWithoutSshd())("run against a real sshd", () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.dispose();
  });

  it("delivers every file of the samples, verified, and a second run sends nothing", async () => {
    const cwd = makeTempDir("engage-run-sftp-");
    const args = [
      "run",
      ...INPUTS,
      "--to",
      sshd.url(sshd.remoteDir),
      "--known-hosts",
      sshd.knownHostsFile,
      "--identity",
      sshd.userKeyFile,
      "--max-per-file",
      "4",
      "--timestamp",
      "2026-03-01T02:00:00Z",
    ];
    const first = await runCli(args, { cwd });
    expect(first.code, first.stderr).toBe(0);
    const runDir = first.summary.runDir as string;
    const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(runDir, "manifest.json"), "utf8")));
    // 10 assignments at most 4 a file: three files.
    expect(manifest.files.map((f) => f.name)).toEqual([
      "20260301020000_000001_promotions.xml",
      "20260301020000_000002_promotions.xml",
      "20260301020000_000003_promotions.xml",
    ]);
    expect(first.summary).toMatchObject({ status: "ok", upload: { sent: 3, skipped: 0, failed: 0 } });
    // Every file is on the server under its final name, whole, and no temporary name is left.
    expect(readdirSync(sshd.remoteDir).sort()).toEqual(manifest.files.map((f) => f.name));
    for (const file of manifest.files) {
      expect(sha256(join(sshd.remoteDir, file.name))).toBe(file.sha256);
      const delivery = Object.values(file.deliveries)[0];
      expect(delivery?.verifiedAt).toBeTruthy();
    }

    const connections = sshd.connections();
    const second = await runCli(args, { cwd });
    expect(second.code, second.stderr).toBe(0);
    expect(second.summary).toMatchObject({ render: { render: "reused" }, upload: { sent: 0, skipped: 3 } });
    expect(sshd.connections()).toBe(connections);
  });

  it("refuses an unknown host key with exit 77 and sends nothing", async () => {
    const cwd = makeTempDir("engage-run-sftp-");
    const emptyKnownHosts = join(cwd, "known_hosts");
    writeFileSync(emptyKnownHosts, "");
    const run = await runCli(
      [
        "run",
        ...INPUTS,
        "--to",
        sshd.url(join(sshd.remoteDir, "x")),
        "--known-hosts",
        emptyKnownHosts,
        "--identity",
        sshd.userKeyFile,
      ],
      { cwd },
    );
    expect(run.code).toBe(77);
    expect(run.summary).toMatchObject({ status: "failed" });
    expect(readdirSync(sshd.remoteDir)).not.toContain("x");
  });
});
