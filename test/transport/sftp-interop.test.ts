import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchFolder, type FetchOptions } from "../../src/transport/fetch.js";
import { openTransport } from "../../src/transport/open-transport.js";
import { parseTarget, type Target } from "../../src/transport/target.js";
import type { Transport } from "../../src/transport/transport.js";
import { uploadFolder, type UploadOptions } from "../../src/transport/upload.js";
import { skipWithoutProftpd, startProftpd } from "../support/proftpd.js";
import type { TestSftpServer } from "../support/server-process.js";
import { skipWithoutSshd, startSshd } from "../support/sshd.js";
import {
  buildFetchOptions,
  buildUploadOptions,
  captureLog,
  changeSessionCalls,
  makeRenderedFolder,
  sha256,
  tempDir,
} from "./fixtures.js";
import { serverTransport, writeExportFolder } from "./server-fixtures.js";

// Whichever implementation it is, these tests use only what every test server offers.
const servers: { name: string; skip: boolean; start: () => Promise<TestSftpServer> }[] = [
  { name: "OpenSSH sshd", skip: skipWithoutSshd(), start: () => startSshd() },
  { name: "ProFTPD mod_sftp (AllowOverwrite off)", skip: skipWithoutProftpd(), start: () => startProftpd() },
  {
    name: "ProFTPD mod_sftp (AllowOverwrite off, no posix-rename)",
    skip: skipWithoutProftpd(),
    start: () => startProftpd({ noPosixRename: true }),
  },
];

describe.each(servers)("delivery against $name", ({ skip, start }) => {
  let server: TestSftpServer;
  beforeAll(async () => {
    if (!skip) server = await start();
  });
  afterAll(async () => {
    await server?.dispose();
  });

  const transport = () => serverTransport(server, 5000);
  const uploadOptions = (extra: Partial<UploadOptions> = {}): UploadOptions =>
    buildUploadOptions(transport(), extra);
  const fetchOptions = (extra: Partial<FetchOptions> = {}): FetchOptions =>
    buildFetchOptions(transport(), extra);
  let n = 0;
  const folder = (name: string): string => {
    const dir = join(server.remoteDir, `${name}${++n}`);
    mkdirSync(dir);
    return dir;
  };
  /** A remote folder of finished exports (written an hour ago). */
  const exportFolder = (files: Record<string, string | Buffer>): string =>
    writeExportFolder(join(server.remoteDir, `export${++n}`), files);

  it.skipIf(skip)(
    "uploads, sends nothing on a re-run, and replaces every final name with --force",
    async () => {
      const out = join(tempDir(), "out");
      const contents = makeRenderedFolder(out, [300_000, 10, 70_000]);
      const remote = folder("in");
      const target = parseTarget(server.url(remote));
      const first = await uploadFolder(out, target, uploadOptions(), { log: captureLog().log });
      expect(first.error).toBeUndefined();
      expect(first.files.map((f) => f.status)).toEqual(["sent", "sent", "sent"]);
      const again = await uploadFolder(out, target, uploadOptions(), { log: captureLog().log });
      expect(again.files.map((f) => f.status)).toEqual(["skipped", "skipped", "skipped"]);
      const forced = await uploadFolder(out, target, uploadOptions({ force: true }), {
        log: captureLog().log,
      });
      expect(forced.error).toBeUndefined();
      expect(forced.files.map((f) => f.status)).toEqual(["sent", "sent", "sent"]);
      expect(readdirSync(remote).sort()).toEqual([...contents.keys()].sort());
      for (const [name, data] of contents)
        expect(sha256(readFileSync(join(remote, name)))).toBe(sha256(data));
    },
  );

  it.skipIf(skip)("replaces a stale .part left by an interrupted run, and the upload succeeds", async () => {
    const out = join(tempDir(), "out");
    const contents = makeRenderedFolder(out, [50_000, 20]);
    const names = [...contents.keys()];
    const remote = folder("stale");
    writeFileSync(join(remote, `${names[0]}.part`), "half of an older try");
    writeFileSync(join(remote, `${names[1]}.part`), "");
    const result = await uploadFolder(out, parseTarget(server.url(remote)), uploadOptions(), {
      log: captureLog().log,
    });
    expect(result.error).toBeUndefined();
    expect(result.files.map((f) => f.status)).toEqual(["sent", "sent"]);
    expect(readdirSync(remote).sort()).toEqual([...names].sort());
    for (const [name, data] of contents) expect(sha256(readFileSync(join(remote, name)))).toBe(sha256(data));
  });

  it.skipIf(skip)("after a refused rename, leaves no empty .part of the file opened ahead", async () => {
    const out = join(tempDir(), "out");
    const contents = makeRenderedFolder(out, [40_000, 30, 30]);
    const names = [...contents.keys()];
    const remote = folder("refused");
    // A folder in the way of the first final name: its rename is refused.
    mkdirSync(join(remote, names[0]!));
    writeFileSync(join(remote, names[0]!, "keep"), "x");
    const result = await uploadFolder(out, parseTarget(server.url(remote)), uploadOptions(), {
      log: captureLog().log,
    });
    expect(result.error).toMatchObject({ kind: "remote_refused" });
    // The second file was being sent while the first was renamed: its .part may stay, whole.
    // The third was only opened ahead: nothing of it stays.
    const left = readdirSync(remote).filter((f) => f.endsWith(".part"));
    expect(left).not.toContain(`${names[2]}.part`);
    for (const part of left)
      expect(readFileSync(join(remote, part)).length).toBe(contents.get(part.slice(0, -5))!.length);
  });

  it.skipIf(skip)("fetches and keeps, skips what is here, then moves and deletes", async () => {
    const big = Buffer.alloc(400_000, 9);
    const remote = exportFolder({ "20260301_a.xml": big, "20260302_b.xml": "<b/>" });
    const out = tempDir();
    const kept = await fetchFolder(parseTarget(server.url(remote)), out, fetchOptions(), {
      log: captureLog().log,
    });
    expect(kept.error).toBeUndefined();
    expect(kept.totals).toMatchObject({ fetched: 2, skipped: 0 });
    const again = await fetchFolder(parseTarget(server.url(remote)), out, fetchOptions(), {
      log: captureLog().log,
    });
    expect(again.totals).toMatchObject({ fetched: 0, skipped: 2 });

    const archive = folder("archive");
    writeFileSync(join(archive, "20260301_a.xml"), "an older file of that name");
    const moved = await fetchFolder(
      parseTarget(server.url(remote)),
      tempDir(),
      fetchOptions({ after: { kind: "move", dir: archive } }),
      { log: captureLog().log },
    );
    expect(moved.error).toBeUndefined();
    expect(moved.totals).toMatchObject({ fetched: 2, moved: 2 });
    expect(readdirSync(remote)).toEqual([]);
    expect(sha256(readFileSync(join(archive, "20260301_a.xml")))).toBe(sha256(big));

    const remote2 = exportFolder({ "c.xml": "<c/>", "d.xml": big });
    const deleted = await fetchFolder(
      parseTarget(server.url(remote2)),
      out,
      fetchOptions({ after: { kind: "delete" } }),
      { log: captureLog().log },
    );
    expect(deleted.error).toBeUndefined();
    expect(deleted.totals).toMatchObject({ fetched: 2, deleted: 2 });
    expect(readdirSync(remote2)).toEqual([]);
    expect(sha256(readFileSync(join(out, "d.xml")))).toBe(sha256(big));
  });

  it.skipIf(skip)(
    "skips a file removed between the listing and its download and fetches the rest",
    async () => {
      const remote = exportFolder({ "a.xml": "one", "b.xml": "two", "c.xml": "three" });
      const out = tempDir();
      const vanishing = (t: Target): Transport =>
        changeSessionCalls(openTransport(t, transport(), captureLog().log), (session) => ({
          list: async (dir) => {
            const entries = await session.list(dir);
            unlinkSync(join(remote, "b.xml"));
            return entries;
          },
        }));
      const result = await fetchFolder(
        parseTarget(server.url(remote)),
        out,
        { ...fetchOptions({ after: { kind: "delete" } }), transportFactory: vanishing },
        { log: captureLog().log },
      );
      expect(result.error).toBeUndefined();
      expect(result.files.map((f) => [f.name, f.status])).toEqual([
        ["a.xml", "fetched"],
        ["b.xml", "vanished"],
        ["c.xml", "fetched"],
      ]);
      expect(result.issues.map((i) => i.code)).toEqual(["transport.remote_vanished"]);
      expect(readdirSync(out).sort()).toEqual(["a.xml", "c.xml"]);
      expect(readdirSync(remote)).toEqual([]);
    },
  );
});
