import { join } from "node:path";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTransport } from "../../src/transport/open-transport.js";
import { parseTarget } from "../../src/transport/target.js";
import { uploadFolder } from "../../src/transport/upload.js";
import { descendants, skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import { buildUploadOptions, captureLog, makeRenderedFolder, tempDir } from "./fixtures.js";
import { serverTransport } from "./server-fixtures.js";

const skip = skipWithoutSshd();

/** Kills the server and its sessions now, without waiting for anything to notice. */
function killNow(sshd: TestSshd): void {
  const pid = sshd.pid;
  if (pid === undefined) throw new Error("sshd is not running");
  for (const p of [...descendants(pid), pid]) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Kills only the SFTP server processes of the sessions: the SSH connections stay up. */
function killSftpServers(sshd: TestSshd): number {
  const pid = sshd.pid;
  if (pid === undefined) throw new Error("sshd is not running");
  let killed = 0;
  for (const p of descendants(pid)) {
    let name: string;
    try {
      name = readFileSync(`/proc/${p}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    if (name !== "sftp-server") continue;
    process.kill(p, "SIGKILL");
    killed += 1;
  }
  return killed;
}

describe.skipIf(skip)("an SFTP server process killed under a live connection", () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd({ externalSftpServer: true });
  });
  afterAll(async () => {
    await sshd?.dispose();
  });

  it("fails the next request with connection_lost at once, not at the 30 s deadline", async () => {
    const dir = join(sshd.remoteDir, "lost");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.xml"), "<a/>");
    const session = await openTransport(
      parseTarget(sshd.url(dir)),
      serverTransport(sshd, 30_000),
      captureLog().log,
    ).connect();
    try {
      expect(await session.stat(join(dir, "a.xml"))).toMatchObject({ size: 4 });
      expect(killSftpServers(sshd)).toBe(1);
      // Let the channel close arrive first: a request sent after it is dropped by ssh2.
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      await expect(session.stat(join(dir, "a.xml"))).rejects.toMatchObject({
        code: "transport.connection_lost",
        exitCode: 69,
      });
      await expect(session.list(dir)).rejects.toMatchObject({ code: "transport.connection_lost" });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await session.close();
    }
  }, 40_000);
});

describe.skipIf(skip)("a connection lost between requests", () => {
  let sshd: TestSshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.dispose();
  });

  const options = () => serverTransport(sshd, 30_000);

  it("fails a request sent as the server dies, and every later one, with connection_lost in under 2 s", async () => {
    const dir = join(sshd.remoteDir, "lost");
    mkdirSync(dir);
    writeFileSync(join(dir, "a.xml"), "<a/>");
    const session = await openTransport(parseTarget(sshd.url(dir)), options(), captureLog().log).connect();
    try {
      expect(await session.stat(join(dir, "a.xml"))).toMatchObject({ size: 4, isFile: true });
      const started = Date.now();
      killNow(sshd);
      // Sent before the client has heard of the loss: ssh2 would never answer it.
      const pending = session.stat(join(dir, "a.xml"));
      const listing = session.list(dir);
      await expect(pending).rejects.toMatchObject({ code: "transport.connection_lost", exitCode: 69 });
      await expect(listing).rejects.toMatchObject({ code: "transport.connection_lost" });
      await expect(session.stat(join(dir, "a.xml"))).rejects.toMatchObject({
        code: "transport.connection_lost",
      });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await session.close();
      await sshd.stop();
      await sshd.start();
    }
  });

  it("ends an upload attempt in under 2 s when the server is killed between files (--timeout-ms 30000)", async () => {
    const out = join(tempDir(), "out");
    makeRenderedFolder(
      out,
      Array.from({ length: 40 }, () => 64 * 1024),
    );
    const remote = join(sshd.remoteDir, "killed-upload");
    mkdirSync(remote);
    const target = parseTarget(sshd.url(remote));
    let killedAt = 0;
    const result = await uploadFolder(out, target, buildUploadOptions(options()), {
      log: captureLog().log,
      progress: () => ({
        set: (n: number) => {
          if (killedAt === 0 && n > 5 * 64 * 1024) {
            killedAt = Date.now();
            killNow(sshd);
          }
        },
        tick: () => undefined,
        done: () => undefined,
      }),
    });
    const took = Date.now() - killedAt;
    await sshd.start();
    expect(killedAt).toBeGreaterThan(0);
    expect(result.error).toMatchObject({ kind: "remote_unavailable", exitCode: 69 });
    expect(took).toBeLessThan(2000);
  });
});
