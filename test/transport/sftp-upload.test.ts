import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTransport } from "../../src/transport/open-transport.js";
import { writeWindowFor } from "../../src/transport/sftp-transfer.js";
import { parseTarget } from "../../src/transport/target.js";
import { uploadFolder, type UploadOptions } from "../../src/transport/upload.js";
import { skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import {
  buildUploadOptions,
  captureLog,
  makeRenderedFolder,
  readManifest,
  runTransportCli,
  sha256,
  tempDir,
} from "./fixtures.js";
import { serverTransport } from "./server-fixtures.js";

const skip = skipWithoutSshd();

describe.skipIf(skip)("upload over SFTP to a real sshd", () => {
  let sshd: TestSshd;
  let readOnly: TestSshd;
  beforeAll(async () => {
    [sshd, readOnly] = await Promise.all([startSshd(), startSshd({ readOnly: true })]);
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), readOnly?.dispose()]);
  });

  const options = (
    server: TestSshd,
    extra: Record<string, unknown> = {},
    more: Partial<UploadOptions> = {},
  ): UploadOptions => buildUploadOptions(serverTransport(server, 5000, { retryDelayMs: 20, ...extra }), more);

  function remoteFolder(server: TestSshd, name: string): string {
    const dir = join(server.remoteDir, name);
    mkdirSync(dir);
    return dir;
  }

  it("delivers every file verified, and a second upload sends nothing and does not connect", async () => {
    const out = join(tempDir(), "out");
    const contents = makeRenderedFolder(out, [3_000_000, 1, 70_000, 0]);
    const remote = remoteFolder(sshd, "deliver");
    const target = parseTarget(sshd.url(remote));
    const told = captureLog();
    const first = await uploadFolder(out, target, options(sshd), { log: told.log });
    expect(first.error).toBeUndefined();
    // The window follows the round trip measured on the session's first stat: on loopback that
    // is a near link, or a short or even long one on a busy machine.
    const logged = /debug: round trip ([0-9.]+) ms: (\d+) writes in flight/.exec(told.text());
    expect(logged).not.toBeNull();
    expect(Number(logged![2])).toBe(writeWindowFor(Number(logged![1])));
    expect(first.totals).toMatchObject({ files: 4, sent: 4, failed: 0, bytesSent: 3_070_001 });
    expect(first.attempts).toBe(1);
    expect(readdirSync(remote).sort()).toEqual([...contents.keys()].sort());
    for (const [name, data] of contents) expect(sha256(readFileSync(join(remote, name)))).toBe(sha256(data));
    const deliveries = readManifest(out).files.map((f) => f.deliveries[target.display]);
    expect(deliveries.map((d) => d?.remotePath)).toEqual([...contents.keys()].map((n) => join(remote, n)));
    expect(deliveries.map((d) => d?.bytes)).toEqual([3_000_000, 1, 70_000, 0]);

    const connections = sshd.connections();
    const second = await uploadFolder(out, target, options(sshd), { log: captureLog().log });
    expect(second.totals).toMatchObject({ sent: 0, skipped: 4 });
    expect(sshd.connections()).toBe(connections);
  });

  it("delivers with --fast-put too", async () => {
    const out = join(tempDir(), "out");
    const contents = makeRenderedFolder(out, [2_500_000, 10]);
    const remote = remoteFolder(sshd, "fast");
    const result = await uploadFolder(
      out,
      parseTarget(sshd.url(remote)),
      options(sshd, {}, { fastPut: true }),
      { log: captureLog().log },
    );
    expect(result.totals.sent).toBe(2);
    for (const [name, data] of contents) expect(sha256(readFileSync(join(remote, name)))).toBe(sha256(data));
  });

  it("opens the next upload's files while the last writes of the current one are acknowledged", async () => {
    const local = tempDir();
    const data = [randomBytes(1_500_000), randomBytes(700), randomBytes(300)];
    data.forEach((d, i) => writeFileSync(join(local, `f${i}`), d));
    const remote = remoteFolder(sshd, "ahead");
    const at = (i: number) => ({ localPath: join(local, `f${i}`), remotePath: join(remote, `f${i}.part`) });
    const target = parseTarget(sshd.url(remote));
    const session = await openTransport(target, options(sshd).transport, captureLog().log).connect();
    try {
      const first = await session.put(at(0).localPath, at(0).remotePath, { next: at(1) });
      expect(first).toEqual({ remoteSize: 1_500_000 });
      // The next file is there (empty) before its upload is asked for, and is written in full by it.
      await session.stat(at(1).remotePath);
      expect(readdirSync(remote).sort()).toEqual(["f0.part", "f1.part"]);
      expect(await session.put(at(1).localPath, at(1).remotePath, { next: at(2) })).toEqual({
        remoteSize: 700,
      });
      expect(await session.put(at(2).localPath, at(2).remotePath)).toEqual({ remoteSize: 300 });
    } finally {
      await session.close();
    }
    data.forEach((d, i) => expect(sha256(readFileSync(join(remote, `f${i}.part`)))).toBe(sha256(d)));
  });

  it("refuses a missing remote folder with exit 76, and creates it with --mkdir", async () => {
    const out = join(tempDir(), "out");
    makeRenderedFolder(out, [10]);
    const remote = join(sshd.remoteDir, "missing", "deeper");
    const target = parseTarget(sshd.url(remote));
    const refused = await uploadFolder(out, target, options(sshd), { log: captureLog().log });
    expect(refused.error).toMatchObject({
      kind: "remote_refused",
      code: "transport.remote_dir_missing",
      exitCode: 76,
    });
    expect(refused.error?.message).toContain("--mkdir");
    expect(refused.totals).toMatchObject({ sent: 0, failed: 1 });
    expect(existsSync(remote)).toBe(false);

    const created = await uploadFolder(out, target, options(sshd, { mkdir: true }), {
      log: captureLog().log,
    });
    expect(created.totals.sent).toBe(1);
    expect(readdirSync(remote)).toHaveLength(1);
  });

  it("gets remote_refused (exit 76) from a read-only server, without retrying and without a final name", async () => {
    const out = join(tempDir(), "out");
    makeRenderedFolder(out, [1000, 1000]);
    const remote = remoteFolder(readOnly, "ro");
    const before = readOnly.connections();
    const result = await uploadFolder(
      out,
      parseTarget(readOnly.url(remote)),
      options(readOnly, { retries: 3 }),
      { log: captureLog().log },
    );
    expect(result.error).toMatchObject({
      kind: "remote_refused",
      code: "transport.permission_denied",
      exitCode: 76,
      retryable: false,
    });
    expect(result.files.map((f) => f.status)).toEqual(["failed", "failed"]);
    expect(readOnly.connections() - before).toBe(1);
    expect(readdirSync(remote)).toEqual([]);
    expect(readManifest(out).files.every((f) => Object.keys(f.deliveries).length === 0)).toBe(true);
  });

  it("delivers into a folder under the login folder for /~/dir", async () => {
    const name = `.engage-promo-test-${process.pid}-${Date.now()}`;
    const home = join(homedir(), name);
    mkdirSync(home);
    try {
      const out = join(tempDir(), "out");
      makeRenderedFolder(out, [10]);
      const target = parseTarget(`sftp://${sshd.user}@127.0.0.1:${sshd.port}/~/${name}`);
      const result = await uploadFolder(out, target, options(sshd), { log: captureLog().log });
      expect(result.totals.sent).toBe(1);
      expect(result.files[0]?.remotePath).toBe(join(home, result.files[0]!.name));
      expect(readdirSync(home)).toEqual([result.files[0]!.name]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("runs through the command line: summary line, a dry run that connects to nothing, and a re-run that sends nothing", async () => {
    const root = tempDir();
    makeRenderedFolder(join(root, "out"), [500, 600]);
    const remote = remoteFolder(sshd, "cli");
    const args = [
      "upload",
      "out",
      "--to",
      sshd.url(remote),
      "--known-hosts",
      sshd.knownHostsFile,
      "--identity",
      sshd.userKeyFile,
    ];
    const connections = sshd.connections();
    const dry = await runTransportCli([...args, "--dry-run"], { cwd: root });
    expect(dry.code).toBe(0);
    expect(dry.summary).toMatchObject({ status: "dry-run", planned: 2 });
    expect(dry.stdout).toContain(
      `-> ${remote}/20260301020000_001_promotions.xml (written as 20260301020000_001_promotions.xml.part, then renamed)`,
    );
    expect(sshd.connections()).toBe(connections);
    expect(readdirSync(remote)).toEqual([]);

    const run = await runTransportCli(args, { cwd: root });
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({
      command: "upload",
      status: "ok",
      exitCode: 0,
      files: 2,
      sent: 2,
      skipped: 0,
      bytesSent: 1100,
      attempts: 1,
      target: sshd.url(remote),
    });
    const again = await runTransportCli(args, { cwd: root });
    expect(again.summary).toMatchObject({ status: "ok", sent: 0, skipped: 2, attempts: 0 });
  });
});
