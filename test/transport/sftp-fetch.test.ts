import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchFolder, type FetchOptions } from "../../src/transport/fetch.js";
import { openTransport } from "../../src/transport/open-transport.js";
import { parseTarget } from "../../src/transport/target.js";
import { skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import { buildFetchOptions, captureLog, runTransportCli, sha256, tempDir } from "./fixtures.js";
import { serverTransport, writeExportFolder } from "./server-fixtures.js";

const skip = skipWithoutSshd();

describe.skipIf(skip)("fetch over SFTP from a real sshd", () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.dispose();
  });

  const options = (extra: Partial<FetchOptions> = {}): FetchOptions =>
    buildFetchOptions(serverTransport(sshd, 5000), extra);

  let n = 0;
  const exportFolder = (files: Record<string, string | Buffer>): string =>
    writeExportFolder(join(sshd.remoteDir, `export${++n}`), files);

  it("downloads every export file whole and deletes each from the server only then", async () => {
    const big = Buffer.alloc(3_000_000, 7);
    const remote = exportFolder({
      "20260301_redeemed.xml": big,
      "20260302_assigned.xml": "<promotions/>",
      "readme.txt": "x",
    });
    const out = join(tempDir(), "in");
    const result = await fetchFolder(
      parseTarget(sshd.url(remote)),
      out,
      options({ after: { kind: "delete" } }),
      { log: captureLog().log },
    );
    expect(result.error).toBeUndefined();
    expect(result.files.map((f) => [f.name, f.status, f.after, f.bytes])).toEqual([
      ["20260301_redeemed.xml", "fetched", "deleted", 3_000_000],
      ["20260302_assigned.xml", "fetched", "deleted", 13],
    ]);
    expect(sha256(readFileSync(join(out, "20260301_redeemed.xml")))).toBe(sha256(big));
    expect(readdirSync(out).sort()).toEqual(["20260301_redeemed.xml", "20260302_assigned.xml"]);
    expect(readdirSync(remote)).toEqual(["readme.txt"]);
  });

  it("skips files already here when they are kept, and downloads again with --force or --fast-get", async () => {
    const remote = exportFolder({ "a.xml": "one", "b.xml": Buffer.alloc(2_000_000, 1) });
    const out = tempDir();
    const first = await fetchFolder(parseTarget(sshd.url(remote)), out, options(), { log: captureLog().log });
    expect(first.totals).toMatchObject({ fetched: 2, skipped: 0 });
    const second = await fetchFolder(parseTarget(sshd.url(remote)), out, options(), {
      log: captureLog().log,
    });
    expect(second.totals).toMatchObject({ fetched: 0, skipped: 2 });
    const forced = await fetchFolder(
      parseTarget(sshd.url(remote)),
      out,
      options({ force: true, fastGet: true }),
      { log: captureLog().log },
    );
    expect(forced.totals).toMatchObject({ fetched: 2 });
    // Compared by checksum: an element-wise comparison of 2 MB takes the matcher seconds.
    expect(sha256(readFileSync(join(out, "b.xml")))).toBe(sha256(Buffer.alloc(2_000_000, 1)));
    expect(readdirSync(remote).sort()).toEqual(["a.xml", "b.xml"]);
  });

  it("moves each file into an archive folder on the server", async () => {
    const remote = exportFolder({ "a.xml": "one", "b.xml": "two" });
    const archive = join(sshd.remoteDir, `archive${n}`);
    mkdirSync(archive);
    writeFileSync(join(archive, "a.xml"), "an older file of that name");
    const result = await fetchFolder(
      parseTarget(sshd.url(remote)),
      tempDir(),
      options({ after: { kind: "move", dir: archive } }),
      { log: captureLog().log },
    );
    expect(result.totals).toMatchObject({ fetched: 2, moved: 2 });
    expect(readdirSync(remote)).toEqual([]);
    expect(readFileSync(join(archive, "a.xml"), "utf8")).toBe("one");
    expect(readdirSync(archive).sort()).toEqual(["a.xml", "b.xml"]);
  });

  it("refuses a remote name that could escape the folder: exit 65 with an issue, the rest fetched", async () => {
    const remote = exportFolder({ "..\\..\\evil.xml": "x", "tab\tname.xml": "y", "ok.xml": "z" });
    const root = tempDir();
    const run = await runTransportCli(
      [
        "fetch",
        "--from",
        sshd.url(remote),
        "--out",
        "in",
        "--after",
        "delete",
        "--known-hosts",
        sshd.knownHostsFile,
        "--identity",
        sshd.userKeyFile,
      ],
      { cwd: root },
    );
    expect(run.code).toBe(65);
    expect(run.summary).toMatchObject({
      command: "fetch",
      status: "invalid",
      fetched: 1,
      refused: 2,
      deleted: 1,
      issues: { error: 2, warning: 0 },
    });
    expect(run.stderr).toContain(
      'remote file "..\\\\..\\\\evil.xml" holds a path separator and could escape the folder; not downloaded, left on the server',
    );
    expect(run.stderr).toContain("transport.unsafe_remote_name");
    expect(readdirSync(join(root, "in"))).toEqual(["ok.xml"]);
    expect(readdirSync(remote).sort()).toEqual(["..\\..\\evil.xml", "tab\tname.xml"]);
  });

  it("downloads a file whole whatever size the listing showed, and reports the size the server gives after", async () => {
    const data = Buffer.from(Array.from({ length: 700_001 }, (_, i) => i % 251));
    const remote = exportFolder({ "a.xml": data, "empty.xml": "" });
    const { log } = captureLog();
    const session = await openTransport(parseTarget(sshd.url(remote)), options().transport, log).connect();
    try {
      for (const expectedBytes of [0, 1, 300_000, 700_001, 2_000_000]) {
        const local = join(tempDir(), "a.xml");
        const got = await session.get(join(remote, "a.xml"), local, { expectedBytes });
        expect(got).toMatchObject({ remoteSize: 700_001 });
        expect(sha256(readFileSync(local))).toBe(sha256(data));
      }
      const local = join(tempDir(), "empty.xml");
      expect(await session.get(join(remote, "empty.xml"), local, { expectedBytes: 10 })).toMatchObject({
        remoteSize: 0,
      });
      expect(readFileSync(local).length).toBe(0);
    } finally {
      await session.close();
    }
  });

  it("downloads a file opened ahead as the next one, and fails one that vanished meanwhile as not found", async () => {
    const remote = exportFolder({ "a.xml": "one", "b.xml": "two", "c.xml": "three" });
    const local = tempDir();
    const at = (name: string) => ({ remotePath: join(remote, name), localPath: join(local, name) });
    const session = await openTransport(
      parseTarget(sshd.url(remote)),
      options().transport,
      captureLog().log,
    ).connect();
    try {
      await session.get(at("a.xml").remotePath, at("a.xml").localPath, { next: at("b.xml") });
      expect(
        await session.get(at("b.xml").remotePath, at("b.xml").localPath, { next: at("gone.xml") }),
      ).toMatchObject({
        remoteSize: 3,
      });
      expect(readFileSync(at("b.xml").localPath, "utf8")).toBe("two");
      await expect(session.get(at("gone.xml").remotePath, at("gone.xml").localPath)).rejects.toMatchObject({
        code: "transport.not_found",
      });
      // Opened ahead and never asked for: the session still closes cleanly.
      await session.get(at("c.xml").remotePath, at("c.xml").localPath, { next: at("a.xml") });
    } finally {
      await session.close();
    }
    expect(readFileSync(at("c.xml").localPath, "utf8")).toBe("three");
  });

  it("prints the plan on --dry-run and changes nothing, here or there", async () => {
    const remote = exportFolder({ "a.xml": "one", "b.xml": "two" });
    const root = tempDir();
    const run = await runTransportCli(
      [
        "fetch",
        "--from",
        sshd.url(remote),
        "--out",
        "in",
        "--after",
        "delete",
        "--dry-run",
        "--known-hosts",
        sshd.knownHostsFile,
        "--identity",
        sshd.userKeyFile,
      ],
      { cwd: root },
    );
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ status: "dry-run", planned: 2, fetched: 0, deleted: 0 });
    expect(run.stdout).toContain(
      `fetch plan for ${sshd.url(remote)} into ${join(root, "in")}: 2 files to download, 0 already here, 0 refused; then delete`,
    );
    expect(run.stdout).toContain('  get   "a.xml" (3 bytes): new');
    expect(existsSync(join(root, "in"))).toBe(false);
    expect(readdirSync(remote).sort()).toEqual(["a.xml", "b.xml"]);
  });
});
