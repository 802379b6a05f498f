import { appendFileSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchFolder, type FetchOptions } from "../../src/transport/fetch.js";
import { openTransport } from "../../src/transport/open-transport.js";
import { parseTarget, type Target } from "../../src/transport/target.js";
import type { Transport, TransportSession } from "../../src/transport/transport.js";
import { skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import {
  buildFetchOptions,
  captureLog,
  changeSessionCalls,
  runTransportCli,
  sha256,
  tempDir,
} from "./fixtures.js";
import { serverTransport, writeExportFolder } from "./server-fixtures.js";

const skip = skipWithoutSshd();

describe.skipIf(skip)("fetch from a folder the server is still changing", () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.dispose();
  });

  const options = (extra: Partial<FetchOptions> = {}): FetchOptions =>
    buildFetchOptions(serverTransport(sshd, 5000), { after: { kind: "delete" }, ...extra });

  let n = 0;
  /** A remote folder of finished exports (written an hour ago). */
  const exportFolder = (files: Record<string, string | Buffer>): string =>
    writeExportFolder(join(sshd.remoteDir, `changing${++n}`), files);

  /** The real transport, with `change` called on each session's calls as they happen. */
  const watched = (change: {
    afterList?: (session: TransportSession) => void;
    afterGet?: (remotePath: string) => void;
  }) => {
    return (t: Target): Transport =>
      changeSessionCalls(openTransport(t, options().transport, captureLog().log), (session) => ({
        list: async (dir) => {
          const entries = await session.list(dir);
          change.afterList?.(session);
          return entries;
        },
        get: async (from, to, hooks) => {
          const got = await session.get(from, to, hooks);
          change.afterGet?.(from);
          return got;
        },
      }));
  };

  it("leaves a file that grew after its download on the server, says so, and fetches it whole on the next run", async () => {
    const first = Buffer.alloc(300_000, 65);
    const remote = exportFolder({ "20260301_redeemed.xml": first, "20260302_assigned.xml": "<b/>" });
    const growing = join(remote, "20260301_redeemed.xml");
    const appended = Buffer.alloc(4096, 66);
    const out = tempDir();
    const result = await fetchFolder(
      parseTarget(sshd.url(remote)),
      out,
      {
        ...options(),
        // The server appends right after the download, before the delete.
        transportFactory: watched({ afterGet: (p) => p === growing && appendFileSync(growing, appended) }),
      },
      { log: captureLog().log },
    );
    expect(result.error).toBeUndefined();
    expect(result.files.map((f) => [f.name, f.status, f.after])).toEqual([
      ["20260301_redeemed.xml", "fetched", "changed"],
      ["20260302_assigned.xml", "fetched", "deleted"],
    ]);
    expect(result.totals).toMatchObject({ fetched: 2, deleted: 1, changed: 1 });
    expect(result.issues.map((i) => [i.code, i.severity])).toEqual([["transport.remote_changed", "warning"]]);
    expect(result.issues[0]?.message).toContain("its size went from 300000 to 304096 bytes");
    // Nothing lost: the server still has every byte, the local copy is what was read.
    expect(readdirSync(remote)).toEqual(["20260301_redeemed.xml"]);
    expect(sha256(readFileSync(growing))).toBe(sha256(Buffer.concat([first, appended])));
    expect(sha256(readFileSync(join(out, "20260301_redeemed.xml")))).toBe(sha256(first));

    const again = await fetchFolder(parseTarget(sshd.url(remote)), out, options(), { log: captureLog().log });
    expect(again.error).toBeUndefined();
    expect(again.files.map((f) => [f.name, f.status, f.after])).toEqual([
      ["20260301_redeemed.xml", "fetched", "deleted"],
    ]);
    expect(readdirSync(remote)).toEqual([]);
    expect(sha256(readFileSync(join(out, "20260301_redeemed.xml")))).toBe(
      sha256(Buffer.concat([first, appended])),
    );
  });

  it("with a writer appending 4 KB every few ms, loses no byte: the live file waits for --min-age", async () => {
    const remote = exportFolder({ "20260301_done.xml": "<done/>" });
    const live = join(remote, "20260302_live.xml");
    writeFileSync(live, "");
    let written = 0;
    const writer = setInterval(() => {
      appendFileSync(live, Buffer.alloc(4096, 67));
      written += 4096;
    }, 5);
    const out = tempDir();
    let result;
    try {
      await new Promise((r) => setTimeout(r, 50));
      result = await fetchFolder(parseTarget(sshd.url(remote)), out, options({ minAgeMs: 2000 }), {
        log: captureLog().log,
      });
    } finally {
      clearInterval(writer);
    }
    expect(result.error).toBeUndefined();
    expect(result.files.map((f) => [f.name, f.status, f.after])).toEqual([
      ["20260301_done.xml", "fetched", "deleted"],
      ["20260302_live.xml", "skipped", undefined],
    ]);
    expect(result.files[1]?.reason).toMatch(/less than --min-age 2 s/);
    expect(readFileSync(live).length).toBe(written);
    expect(readdirSync(out)).toEqual(["20260301_done.xml"]);
  });

  it("skips a file removed between the listing and its download, fetches the rest, and exits 0 with a warning", async () => {
    const remote = exportFolder({ "a.xml": "one", "b.xml": Buffer.alloc(100_000, 1), "c.xml": "three" });
    const out = tempDir();
    const result = await fetchFolder(
      parseTarget(sshd.url(remote)),
      out,
      {
        ...options(),
        transportFactory: watched({ afterList: () => unlinkSync(join(remote, "b.xml")) }),
      },
      { log: captureLog().log },
    );
    expect(result.error).toBeUndefined();
    expect(result.files.map((f) => [f.name, f.status, f.after])).toEqual([
      ["a.xml", "fetched", "deleted"],
      ["b.xml", "vanished", undefined],
      ["c.xml", "fetched", "deleted"],
    ]);
    expect(result.totals).toMatchObject({ fetched: 2, vanished: 1, deleted: 2, failed: 0 });
    expect(result.issues.map((i) => [i.code, i.severity])).toEqual([
      ["transport.remote_vanished", "warning"],
    ]);
    expect(readdirSync(out).sort()).toEqual(["a.xml", "c.xml"]);
    expect(readdirSync(remote)).toEqual([]);
  });

  it("skips a vanished file opened ahead (the first one) as well", async () => {
    const remote = exportFolder({ "a.xml": "one", "b.xml": "two" });
    const out = tempDir();
    const result = await fetchFolder(
      parseTarget(sshd.url(remote)),
      out,
      {
        ...options({ after: { kind: "keep" } }),
        transportFactory: watched({ afterList: () => unlinkSync(join(remote, "a.xml")) }),
      },
      { log: captureLog().log },
    );
    expect(result.error).toBeUndefined();
    expect(result.files.map((f) => [f.name, f.status])).toEqual([
      ["a.xml", "vanished"],
      ["b.xml", "fetched"],
    ]);
    expect(readdirSync(out)).toEqual(["b.xml"]);
  });

  it("on the command line: --min-age is parsed, the summary counts vanished and changed files", async () => {
    const remote = exportFolder({ "a.xml": "one" });
    writeFileSync(join(remote, "fresh.xml"), "new");
    const root = tempDir();
    const args = (minAge: string) => [
      "fetch",
      "--from",
      sshd.url(remote),
      "--out",
      "in",
      "--after",
      "delete",
      "--min-age",
      minAge,
      "--known-hosts",
      sshd.knownHostsFile,
      "--identity",
      sshd.userKeyFile,
    ];
    const run = await runTransportCli(args("10m"), { cwd: root });
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ fetched: 1, skipped: 1, deleted: 1, vanished: 0, changed: 0 });
    expect(readdirSync(remote)).toEqual(["fresh.xml"]);
    const bad = await runTransportCli(args("soon"), { cwd: root });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--min-age: expected a duration like 90s, 2m or 0, got "soon"');
  });
});
