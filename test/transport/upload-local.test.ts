import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { createLocalTransport } from "../../src/transport/local-transport.js";
import { parseTarget, type LocalTarget, type Target } from "../../src/transport/target.js";
import type { Transport } from "../../src/transport/transport.js";
import { UPLOAD_LOCK, uploadFolder, type UploadOptions } from "../../src/transport/upload.js";
import {
  buildUploadOptions,
  captureLog,
  changeSessionCalls,
  localTransport,
  makeRenderedFolder,
  readManifest,
  runTransportCli,
  sha256,
  tempDir,
} from "./fixtures.js";

/** A local folder target (typed as one, so its `dir` is at hand). */
const localTarget = (path: string): LocalTarget => parseTarget(path) as LocalTarget;

function options(extra: Partial<UploadOptions> = {}): UploadOptions {
  return buildUploadOptions(localTransport(), extra);
}

describe("upload to a local folder", () => {
  it("delivers every file under its final name, verified, and records each delivery in the manifest", async () => {
    const root = tempDir();
    const out = join(root, "out");
    const contents = makeRenderedFolder(out, [1000, 250_000, 0]);
    const target = localTarget(join(root, "outbox"));
    const clock = [new Date("2026-03-01T02:00:01Z"), new Date("2026-03-01T02:00:02Z")];
    let tick = 0;
    const result = await uploadFolder(out, target, options({ now: () => clock[tick++ % 2]! }), {
      log: captureLog().log,
    });

    expect(result.error).toBeUndefined();
    expect(result.totals).toMatchObject({ files: 3, sent: 3, skipped: 0, failed: 0, bytesSent: 251_000 });
    expect(readdirSync(target.dir).sort()).toEqual([...contents.keys()].sort());
    for (const [name, data] of contents)
      expect(sha256(readFileSync(join(target.dir, name)))).toBe(sha256(data));
    const manifest = readManifest(out);
    expect(manifest.files[0]?.deliveries[target.display]).toEqual({
      remotePath: join(target.dir, manifest.files[0]!.name),
      uploadedAt: "2026-03-01T02:00:01.000Z",
      verifiedAt: "2026-03-01T02:00:02.000Z",
      bytes: 1000,
    });
    expect(existsSync(join(out, UPLOAD_LOCK))).toBe(false);
  });

  it("reports progress in bytes, and shows it on stderr through the command line", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [3_000_000, 1000]);
    const calls: string[] = [];
    await uploadFolder(out, localTarget(join(root, "a")), options(), {
      log: captureLog().log,
      progress: (o) => {
        calls.push(`start ${o.label} ${o.unit} ${o.total}`);
        return {
          tick: (n = 1) => void calls.push(`tick ${n}`),
          set: (p) => void calls.push(`set ${p}`),
          done: (note) => void calls.push(`done ${note}`),
        };
      },
    });
    expect(calls[0]).toBe(`start upload to ${join(root, "a")} bytes 3001000`);
    expect(calls.filter((c) => c.startsWith("set")).at(-1)).toBe("set 3001000");
    expect(calls.at(-1)).toBe("done 2 files sent");

    const run = await runTransportCli(["upload", "out", "--to", "b"], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`upload to ${join(root, "b")}: 100% 2.9 MiB of 2.9 MiB`);
    expect(run.stderr).toContain("2 files sent");
    expect(run.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("sends nothing the second time, and everything again with --force", async () => {
    const out = join(tempDir(), "out");
    makeRenderedFolder(out, [10, 20]);
    const target = localTarget(join(out, "..", "outbox"));
    await uploadFolder(out, target, options(), { log: captureLog().log });
    const before = readFileSync(join(out, "manifest.json"), "utf8");
    const again = await uploadFolder(out, target, options(), { log: captureLog().log });
    expect(again.totals).toMatchObject({ sent: 0, skipped: 2 });
    expect(again.attempts).toBe(0);
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe(before);
    const forced = await uploadFolder(out, target, options({ force: true }), { log: captureLog().log });
    expect(forced.totals).toMatchObject({ sent: 2, skipped: 0 });
  });

  it("keeps a separate delivery record per target", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [10]);
    await uploadFolder(out, localTarget(join(root, "a")), options(), { log: captureLog().log });
    const second = await uploadFolder(out, localTarget(join(root, "b")), options(), {
      log: captureLog().log,
    });
    expect(second.totals.sent).toBe(1);
    expect(Object.keys(readManifest(out).files[0]!.deliveries).sort()).toEqual([
      join(root, "a"),
      join(root, "b"),
    ]);
  });

  it("prints the plan on --dry-run and changes nothing", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [10, 20]);
    const before = readFileSync(join(out, "manifest.json"), "utf8");
    const run = await runTransportCli(["upload", "out", "--to", "outbox", "--dry-run"], { cwd: root });
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ command: "upload", status: "dry-run", sent: 0, planned: 2 });
    expect(run.stdout).toContain(`upload plan for ${join(root, "outbox")}: 2 files to send`);
    expect(run.stdout).toMatch(
      /send {2}20260301020000_001_promotions\.xml -> .*outbox\/20260301020000_001_promotions\.xml \(written as 20260301020000_001_promotions\.xml\.part, then renamed\): not yet delivered/,
    );
    expect(existsSync(join(root, "outbox"))).toBe(false);
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toBe(before);
    expect(readdirSync(out).sort()).toEqual([
      "20260301020000_001_promotions.xml",
      "20260301020000_002_promotions.xml",
      "manifest.json",
      "manifest.keys.ndjson",
    ]);
  });

  it("refuses the whole folder (exit 65) when a file no longer matches its checksum, and sends nothing", async () => {
    const root = tempDir();
    const out = join(root, "out");
    const contents = makeRenderedFolder(out, [10, 20]);
    const second = [...contents.keys()][1]!;
    const changed = Buffer.from(contents.get(second)!);
    changed[0] = changed[0]! ^ 1;
    writeFileSync(join(out, second), changed);
    const error = await uploadFolder(out, localTarget(join(root, "outbox")), options(), {
      log: captureLog().log,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({ kind: "invalid_data", code: "transport.checksum_mismatch", exitCode: 65 });
    expect((error as Error).message).toContain(`${second} (sha256 differs)`);
    expect(existsSync(join(root, "outbox"))).toBe(false);

    writeFileSync(join(out, second), "short");
    const run = await runTransportCli(["upload", "out", "--to", "outbox"], { cwd: root });
    expect(run.code).toBe(65);
    expect(run.summary).toMatchObject({ status: "failed", error: { code: "transport.checksum_mismatch" } });
    expect(run.stderr).toContain(`${second} (5 bytes, manifest says 20)`);
  });

  it("refuses the folder (exit 66) when a file the manifest lists is gone, and sends nothing", async () => {
    const root = tempDir();
    const out = join(root, "out");
    const contents = makeRenderedFolder(out, [10, 3_000_000]);
    const first = [...contents.keys()][0]!;
    rmSync(join(out, first));
    const error = await uploadFolder(out, localTarget(join(root, "outbox")), options(), {
      log: captureLog().log,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "input_missing", code: "transport.file_missing", exitCode: 66 });
    expect((error as Error).message).toBe(`${out}: files listed in manifest.json are missing: ${first}`);
    expect(existsSync(join(root, "outbox"))).toBe(false);
    expect(existsSync(join(out, UPLOAD_LOCK))).toBe(false);
  });

  it("keeps a file under its temporary name when the target reports another size than was sent (exit 69)", async () => {
    const root = tempDir();
    const out = join(root, "out");
    const contents = makeRenderedFolder(out, [1000, 2000]);
    const [first, second] = [...contents.keys()];
    const target = localTarget(join(root, "outbox"));
    // The target answers for the second file as a server that lost its tail would.
    const shortening = (t: Target): Transport =>
      changeSessionCalls(createLocalTransport(t as LocalTarget), (session) => ({
        put: async (from, to, hooks) => {
          const sent = await session.put(from, to, hooks);
          return to.endsWith(`${second}.part`) ? { remoteSize: 1999 } : sent;
        },
      }));
    const result = await uploadFolder(out, target, options({ transportFactory: shortening }), {
      log: captureLog().log,
    });
    expect(result.error).toMatchObject({
      kind: "remote_unavailable",
      code: "transport.size_mismatch",
      exitCode: 69,
    });
    expect(result.error?.message).toBe(
      `${join(target.dir, `${second}.part`)}: the server holds 1999 bytes after the upload, expected 2000`,
    );
    expect(result.files.map((f) => f.status)).toEqual(["sent", "failed"]);
    expect(readdirSync(target.dir).sort()).toEqual([first, `${second}.part`]);
    expect(Object.keys(readManifest(out).files[1]!.deliveries)).toEqual([]);
  });

  it("exits 66 when the folder has no manifest", async () => {
    const run = await runTransportCli(["upload", tempDir(), "--to", tempDir()]);
    expect(run.code).toBe(66);
    expect(run.summary).toMatchObject({ error: { code: "transport.manifest_missing" } });
  });

  it("refuses a second run while the folder is locked (exit 73), and takes over a lock whose process is gone", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [10]);
    const lock = join(out, UPLOAD_LOCK);
    writeFileSync(
      lock,
      JSON.stringify({
        pid: process.pid + 0,
        host: hostname(),
        command: "upload",
        startedAt: "2026-03-01T02:00:00Z",
      }),
    );
    // This very process holds it: alive.
    const locked = await uploadFolder(out, localTarget(join(root, "outbox")), options(), {
      log: captureLog().log,
    }).catch((e: unknown) => e);
    expect(locked).toMatchObject({ kind: "output_failed", code: "transport.locked", exitCode: 73 });
    expect((locked as Error).message).toContain(`pid ${process.pid}`);

    writeFileSync(lock, JSON.stringify({ pid: 1, host: "elsewhere", command: "upload", startedAt: "x" }));
    await expect(
      uploadFolder(out, localTarget(join(root, "outbox")), options(), { log: captureLog().log }),
    ).rejects.toMatchObject({ code: "transport.locked" });

    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    writeFileSync(lock, JSON.stringify({ pid: gone, host: hostname(), command: "upload", startedAt: "x" }));
    const { log, lines } = captureLog();
    const result = await uploadFolder(out, localTarget(join(root, "outbox")), options(), { log });
    expect(result.totals.sent).toBe(1);
    expect(
      lines.some((l) => l.startsWith("warn:") && l.includes(`stale lock left by upload (pid ${gone}`)),
    ).toBe(true);
    expect(existsSync(lock)).toBe(false);
  });

  it("lets only one of two simultaneous runs work on a folder", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [2000, 2000]);
    const target = localTarget(join(root, "outbox"));
    // The first run is held inside its first transfer while the second one starts.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    const held = (t: Target): Transport =>
      changeSessionCalls(createLocalTransport(t as LocalTarget), (session) => ({
        put: async (from, to, hooks) => {
          entered();
          await gate;
          return session.put(from, to, hooks);
        },
      }));
    const first = uploadFolder(out, target, options({ transportFactory: held }), { log: captureLog().log });
    await inside;
    const second = await uploadFolder(out, target, options(), { log: captureLog().log }).catch(
      (e: unknown) => e,
    );
    expect(second).toMatchObject({ code: "transport.locked", exitCode: 73 });
    expect((second as Error).message).toContain(`locked by upload (pid ${process.pid} on ${hostname()}`);
    release();
    expect((await first).totals.sent).toBe(2);
    expect(existsSync(join(out, UPLOAD_LOCK))).toBe(false);
  });

  it("creates the local target folder when missing, and overwrites a leftover .part", async () => {
    const root = tempDir();
    const out = join(root, "out");
    const contents = makeRenderedFolder(out, [100]);
    const name = [...contents.keys()][0]!;
    const target = localTarget(join(root, "deep", "outbox"));
    await uploadFolder(out, target, options(), { log: captureLog().log });
    writeFileSync(
      join(target.dir, `${name}.part`),
      "leftover of an interrupted run, longer than the file itself".repeat(10),
    );
    await uploadFolder(out, target, options({ force: true }), { log: captureLog().log });
    expect(readdirSync(target.dir)).toEqual([name]);
    expect(statSync(join(target.dir, name)).size).toBe(100);
  });
});
