import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchFolder } from "../../src/transport/fetch.js";
import { openTransport } from "../../src/transport/open-transport.js";
import { parseTarget, type Target } from "../../src/transport/target.js";
import type { Transport } from "../../src/transport/transport.js";
import { transportOptionsFromArgs } from "../../src/transport/transport-options.js";
import { uploadFolder, type UploadOptions } from "../../src/transport/upload.js";
import { freePort, skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import {
  buildFetchOptions,
  buildUploadOptions,
  captureLog,
  changeSessionCalls,
  makeRenderedFolder,
  readManifest,
  sha256,
  tempDir,
} from "./fixtures.js";
import { serverTransport } from "./server-fixtures.js";
import { watchDeliveryFolder } from "./remote-watch.js";
import { startThrottleProxy, type ThrottleProxy } from "./throttle-proxy.js";

const skip = skipWithoutSshd();
const MB = 1024 * 1024;

async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}

describe.skipIf(skip)("faults against a real sshd", () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.dispose();
  });

  /** Options for a connection through `port` (a proxy): the host key is pinned, since known_hosts names the real port. */
  const transport = (extra: Record<string, unknown> = {}) =>
    transportOptionsFromArgs(
      {
        hostKey: [sshd.hostKeyFingerprint],
        identity: sshd.userKeyFile,
        retries: 0,
        retryDelayMs: 20,
        timeoutMs: 5000,
        ...extra,
      },
      {},
    );
  const uploadOptions = (extra: Record<string, unknown> = {}): UploadOptions =>
    buildUploadOptions(transport(extra));
  const via = (port: number, path: string) => parseTarget(`sftp://${sshd.user}@127.0.0.1:${port}${path}`);

  describe("a server that does not answer", () => {
    let silent: Server;
    let silentPort: number;
    const held: Socket[] = [];
    beforeAll(async () => {
      silent = createServer((s) => void held.push(s));
      silentPort = await freePort();
      await new Promise<void>((resolve) => silent.listen(silentPort, "127.0.0.1", resolve));
    });
    afterAll(async () => {
      for (const s of held) s.destroy();
      await new Promise((r) => silent.close(r));
    });

    it("hits the connect deadline, retries, then gives up with exit 69 instead of hanging", async () => {
      const out = join(tempDir(), "out");
      makeRenderedFolder(out, [10]);
      const started = Date.now();
      const { log, lines } = captureLog();
      const result = await uploadFolder(
        out,
        via(silentPort, "/in"),
        uploadOptions({ timeoutMs: 300, retries: 2, retryDelayMs: 10 }),
        { log },
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(result.error).toMatchObject({
        kind: "remote_unavailable",
        code: "transport.deadline",
        exitCode: 69,
        retryable: true,
      });
      expect(result.error?.message).toBe(
        `connect to 127.0.0.1:${silentPort}: no answer within 300 ms (gave up after 3 attempts)`,
      );
      expect(result.attempts).toBe(3);
      expect(lines.filter((l) => l.startsWith("warn:") && l.includes("retry"))).toHaveLength(2);
      expect(held.length).toBeGreaterThanOrEqual(3);
    });

    it("retries a refused connection with backoff, then exits 69", async () => {
      const closed = await freePort();
      const out = join(tempDir(), "out");
      makeRenderedFolder(out, [10]);
      const { log, lines } = captureLog();
      const result = await uploadFolder(
        out,
        via(closed, "/in"),
        uploadOptions({ retries: 3, retryDelayMs: 10 }),
        { log },
      );
      expect(result.error).toMatchObject({
        kind: "remote_unavailable",
        code: "transport.connection_lost",
        exitCode: 69,
      });
      expect(result.error?.message).toMatch(/ECONNREFUSED.*\(gave up after 4 attempts\)$/);
      expect(result.attempts).toBe(4);
      expect(lines.filter((l) => l.startsWith("warn:"))).toHaveLength(3);
    });

    it("hits the deadline on a frozen sshd (SIGSTOP), for fetch too", async () => {
      sshd.pause();
      try {
        const started = Date.now();
        const result = await fetchFolder(
          parseTarget(sshd.url(sshd.remoteDir)),
          tempDir(),
          buildFetchOptions(serverTransport(sshd, 400), { after: { kind: "delete" } }),
          { log: captureLog().log },
        );
        expect(Date.now() - started).toBeLessThan(3000);
        expect(result.error).toMatchObject({
          kind: "remote_unavailable",
          code: "transport.deadline",
          exitCode: 69,
        });
      } finally {
        sshd.resume();
      }
    });
  });

  describe("a server stopped in the middle of a transfer", () => {
    let proxy: ThrottleProxy;
    beforeAll(async () => {
      proxy = await startThrottleProxy(sshd.port, { rate: 2 * MB, direction: "up" });
    });
    afterAll(async () => {
      await proxy.close();
    });

    it("fails a stalled upload at the deadline (server frozen mid-file) and never shows a partial final name", async () => {
      const out = join(tempDir(), "out");
      const contents = makeRenderedFolder(out, [2 * MB, 2 * MB]);
      const remote = join(sshd.remoteDir, "frozen");
      mkdirSync(remote);
      const names = [...contents.keys()];
      const watch = watchDeliveryFolder(remote, new Map([...contents].map(([n, d]) => [n, sha256(d)])));
      proxy.rate = 2 * MB;
      const running = uploadFolder(out, via(proxy.port, remote), uploadOptions({ timeoutMs: 700 }), {
        log: captureLog().log,
      });
      await waitFor(
        "the first file to be half sent",
        () => sizeOf(join(remote, `${names[0]}.part`)) > 200_000,
      );
      sshd.pause();
      try {
        const result = await running;
        expect(result.error).toMatchObject({
          kind: "remote_unavailable",
          code: "transport.deadline",
          exitCode: 69,
        });
        expect(result.error?.message).toContain(`upload to ${join(remote, `${names[0]}.part`)}: no answer`);
        expect(result.files.map((f) => f.status)).toEqual(["failed", "failed"]);
      } finally {
        sshd.resume();
      }
      const report = watch.stop();
      expect(report.violations).toEqual([]);
      expect(readdirSync(remote)).toEqual([`${names[0]}.part`]);
    });

    it("leaves only whole files under final names when killed, and a re-run after the restart sends only the rest", async () => {
      const out = join(tempDir(), "out");
      const contents = makeRenderedFolder(out, [MB, MB + 17, MB, 5000]);
      const names = [...contents.keys()];
      const remote = join(sshd.remoteDir, "killed");
      mkdirSync(remote);
      const target = via(proxy.port, remote);
      const watch = watchDeliveryFolder(remote, new Map([...contents].map(([n, d]) => [n, sha256(d)])));
      proxy.rate = 2 * MB;
      const running = uploadFolder(out, target, uploadOptions(), { log: captureLog().log });
      await waitFor(
        "the second file to be partly sent",
        () => sizeOf(join(remote, `${names[1]}.part`)) > 100_000,
      );
      await sshd.stop("SIGKILL");
      const first = await running;
      expect(first.error).toMatchObject({ kind: "remote_unavailable", exitCode: 69, retryable: true });
      expect(first.files.map((f) => f.status)).toEqual(["sent", "failed", "failed", "failed"]);
      expect(readdirSync(remote).sort()).toEqual([names[0], `${names[1]}.part`]);
      expect(sizeOf(join(remote, `${names[1]}.part`))).toBeLessThan(MB + 17);
      expect(Object.keys(readManifest(out).files[0]!.deliveries)).toEqual([target.display]);
      expect(
        readManifest(out)
          .files.slice(1)
          .every((f) => Object.keys(f.deliveries).length === 0),
      ).toBe(true);

      await sshd.start();
      proxy.rate = 1000 * MB;
      const second = await uploadFolder(out, target, uploadOptions(), { log: captureLog().log });
      expect(second.error).toBeUndefined();
      expect(second.files.map((f) => f.status)).toEqual(["skipped", "sent", "sent", "sent"]);
      const report = watch.stop();
      expect(report.violations).toEqual([]);
      expect(report.observations).toBeGreaterThan(5);
      expect(readdirSync(remote).sort()).toEqual([...names].sort());
      for (const [name, data] of contents)
        expect(sha256(readFileSync(join(remote, name)))).toBe(sha256(data));
    });

    it("reconnects on retry and resumes without sending verified files again", async () => {
      const out = join(tempDir(), "out");
      const contents = makeRenderedFolder(out, [MB, MB, 3000]);
      const names = [...contents.keys()];
      const remote = join(sshd.remoteDir, "resumed");
      mkdirSync(remote);
      const watch = watchDeliveryFolder(remote, new Map([...contents].map(([n, d]) => [n, sha256(d)])));
      // The real SFTP transport, with every upload it starts written down.
      const puts: string[] = [];
      const counting = (t: Target): Transport =>
        changeSessionCalls(
          openTransport(t, transport({ retries: 6, retryDelayMs: 100 }), captureLog().log),
          (session) => ({
            put: (from, to, hooks) => (puts.push(basename(to)), session.put(from, to, hooks)),
          }),
        );
      proxy.rate = 2 * MB;
      const { log, lines } = captureLog();
      const running = uploadFolder(
        out,
        via(proxy.port, remote),
        { ...uploadOptions({ retries: 6, retryDelayMs: 100 }), transportFactory: counting },
        { log },
      );
      await waitFor(
        "the second file to be partly sent",
        () => sizeOf(join(remote, `${names[1]}.part`)) > 100_000,
      );
      await sshd.stop("SIGKILL");
      await sshd.start();
      proxy.rate = 1000 * MB;
      const result = await running;
      expect(result.error).toBeUndefined();
      expect(result.attempts).toBeGreaterThanOrEqual(2);
      expect(result.files.map((f) => f.status)).toEqual(["sent", "sent", "sent"]);
      expect(lines.some((l) => l.startsWith("warn: upload to") && l.includes("retry 1 of 6"))).toBe(true);
      expect(puts).toEqual([`${names[0]}.part`, `${names[1]}.part`, `${names[1]}.part`, `${names[2]}.part`]);
      const report = watch.stop();
      expect(report.violations).toEqual([]);
      for (const [name, data] of contents)
        expect(sha256(readFileSync(join(remote, name)))).toBe(sha256(data));
    });
  });

  describe("a server stopped in the middle of a fetch", () => {
    let proxy: ThrottleProxy;
    beforeAll(async () => {
      proxy = await startThrottleProxy(sshd.port, { rate: 2 * MB, direction: "down" });
    });
    afterAll(async () => {
      await proxy.close();
    });

    it("with --after delete, deletes only files downloaded whole, and a re-run after the restart completes", async () => {
      const remote = join(sshd.remoteDir, "exports");
      mkdirSync(remote);
      const files = new Map<string, Buffer>();
      for (const [i, size] of [MB, MB, MB].entries()) {
        const name = `2026030${i + 1}_redeemed.xml`;
        const data = Buffer.alloc(size, 48 + i);
        writeFileSync(join(remote, name), data);
        files.set(name, data);
      }
      const names = [...files.keys()];
      const out = join(tempDir(), "in");
      const source = via(proxy.port, remote);
      const options = buildFetchOptions(transport(), { after: { kind: "delete" } });
      proxy.rate = 2 * MB;
      const base = proxy.sent.down;
      const running = fetchFolder(source, out, options, { log: captureLog().log });
      await waitFor("the second file to be partly downloaded", () => proxy.sent.down - base > 1.4 * MB);
      await sshd.stop("SIGKILL");
      const first = await running;
      expect(first.error).toMatchObject({ kind: "remote_unavailable", exitCode: 69 });
      expect(first.files.map((f) => [f.name, f.status, f.after])).toEqual([
        [names[0], "fetched", "deleted"],
        [names[1], "failed", undefined],
      ]);
      // Every remote file still there was not downloaded whole; the one deleted is whole here.
      expect(readdirSync(remote).sort()).toEqual([names[1], names[2]]);
      expect(readdirSync(out).sort()).toEqual([names[0]]);
      expect(sha256(readFileSync(join(out, names[0]!)))).toBe(sha256(files.get(names[0]!)!));

      await sshd.start();
      proxy.rate = 1000 * MB;
      const second = await fetchFolder(source, out, options, { log: captureLog().log });
      expect(second.error).toBeUndefined();
      expect(second.totals).toMatchObject({ fetched: 2, deleted: 2 });
      expect(readdirSync(remote)).toEqual([]);
      for (const [name, data] of files) expect(sha256(readFileSync(join(out, name)))).toBe(sha256(data));
      expect(existsSync(join(out, `.${names[1]}.part`))).toBe(false);
    });
  });
});
