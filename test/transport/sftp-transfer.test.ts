import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import type { SFTPWrapper } from "ssh2";
import { describe, expect, it } from "vitest";
import {
  READ_WINDOW,
  receiveFile,
  sendFile,
  NEAR_LINK_MS,
  NEAR_LINK_WINDOW,
  SHORT_LINK_MS,
  SHORT_LINK_WINDOW,
  WRITE_WINDOW,
  writeWindowFor,
} from "../../src/transport/sftp-transfer.js";
import { tempDir } from "./fixtures.js";

type Callback = (error?: Error, ...values: unknown[]) => void;

/**
 * A scripted SFTP server for what OpenSSH never does on its own: answers out of order, short
 * reads in the middle of a file, a file that changes size while it is read. As the protocol
 * demands, requests on one file take effect in the order they were sent (here: at once); only
 * the answers are held, until `answerAll` releases them, so a test sees what is in flight at
 * any moment. (The real server's side of both transfers runs in the sshd tests.)
 */
function scriptedServer(options: { limit: number; content?: Buffer; shortReadAt?: number }) {
  const written = Buffer.alloc(4 * 1024 * 1024);
  let size = 0;
  let content = options.content ?? Buffer.alloc(0);
  const pending: { kind: string; answer: () => void }[] = [];
  const log: string[] = [];
  let maxInFlight = 0;
  const hold = (kind: string, answer: () => void, position?: number, length?: number): void => {
    log.push(position === undefined ? kind : `${kind} ${position}+${length}`);
    pending.push({ kind, answer });
    maxInFlight = Math.max(
      maxInFlight,
      pending.filter((p) => p.kind === "write" || p.kind === "read").length,
    );
  };
  const sftp = {
    _maxWriteLen: options.limit,
    _maxReadLen: options.limit,
    write(_h: Buffer, buf: Buffer, off: number, len: number, position: number, cb: Callback) {
      buf.copy(written, position, off, off + len);
      size = Math.max(size, position + len);
      hold("write", () => cb(undefined, len), position, len);
    },
    read(_h: Buffer, buf: Buffer, off: number, len: number, position: number, cb: Callback) {
      let n = Math.max(0, Math.min(len, content.length - position));
      if (options.shortReadAt !== undefined && position === options.shortReadAt && n > 1)
        n = Math.floor(n / 2);
      if (n > 0) content.copy(buf, off, position, position + n);
      hold("read", () => cb(undefined, n), position, len);
    },
    fstat(_h: Buffer, cb: Callback) {
      const now = size;
      hold("fstat", () => cb(undefined, { size: now }));
    },
    close(_h: Buffer, cb: Callback) {
      hold("close", () => cb(undefined));
    },
  };
  return {
    sftp: sftp as unknown as SFTPWrapper,
    log,
    held: () => pending.filter((p) => p.kind === "write" || p.kind === "read").length,
    written: () => written.subarray(0, size),
    maxInFlight: () => maxInFlight,
    setContent: (next: Buffer) => {
      content = next;
    },
    /** Answers the held requests, the newest first (the worst order a server could choose). */
    answerAll: async (order: "newest" | "oldest" = "newest") => {
      while (pending.length > 0) {
        const next = order === "newest" ? pending.pop()! : pending.shift()!;
        next.answer();
        await new Promise((r) => setImmediate(r));
      }
    },
  };
}

type Server = ReturnType<typeof scriptedServer>;

/**
 * Plays the server until `work` settles: lets the client fill its window (or stop sending;
 * its file reads need the event loop, so this waits on timers), then answers what it holds.
 */
async function serve(
  server: Server,
  work: Promise<unknown>,
  order: "newest" | "oldest",
  window: number,
): Promise<void> {
  let settled = false;
  work.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    for (let i = 0; i < 50 && !settled && server.held() < window; i++)
      await new Promise((r) => setTimeout(r, 1));
    await server.answerAll(order);
  }
}

const progress = () => ({ touch: () => undefined, onBytes: undefined });

describe("sending a file with writes in flight", () => {
  it("sends writes in offset order, never more than the window at once, then asks the size and closes", async () => {
    const file = join(tempDir(), "data.bin");
    const data = randomBytes(10 * 1000 + 7);
    writeFileSync(file, data);
    const server = scriptedServer({ limit: 1000 });
    const source = await open(file, "r");
    const sending = sendFile(server.sftp, Buffer.from("h"), source, progress());
    await serve(server, sending, "newest", WRITE_WINDOW);
    expect(await sending).toBe(data.length);
    await source.close();
    expect(server.maxInFlight()).toBe(WRITE_WINDOW);
    const writes = server.log.filter((l) => l.startsWith("write"));
    expect(writes).toEqual(Array.from({ length: 11 }, (_, i) => `write ${i * 1000}+${i === 10 ? 7 : 1000}`));
    expect(server.log.slice(-2)).toEqual(["fstat", "close"]);
    expect(server.written()).toEqual(data);
  });

  it("keeps the window it is given", async () => {
    const file = join(tempDir(), "data.bin");
    const data = randomBytes(10 * 1000);
    writeFileSync(file, data);
    const server = scriptedServer({ limit: 1000 });
    const source = await open(file, "r");
    const sending = sendFile(server.sftp, Buffer.from("h"), source, progress(), 3);
    await serve(server, sending, "oldest", 3);
    expect(await sending).toBe(data.length);
    await source.close();
    expect(server.maxInFlight()).toBe(3);
    expect(server.written()).toEqual(data);
  });

  it("keeps fewer writes in flight the nearer the link, the whole window on a long or unmeasured one", () => {
    expect(NEAR_LINK_WINDOW).toBeLessThan(SHORT_LINK_WINDOW);
    expect(SHORT_LINK_WINDOW).toBeLessThan(WRITE_WINDOW);
    expect(writeWindowFor(undefined)).toBe(WRITE_WINDOW);
    expect(writeWindowFor(0.2)).toBe(NEAR_LINK_WINDOW);
    expect(writeWindowFor(NEAR_LINK_MS - 0.01)).toBe(NEAR_LINK_WINDOW);
    expect(writeWindowFor(NEAR_LINK_MS)).toBe(SHORT_LINK_WINDOW);
    expect(writeWindowFor(SHORT_LINK_MS - 0.01)).toBe(SHORT_LINK_WINDOW);
    expect(writeWindowFor(SHORT_LINK_MS)).toBe(WRITE_WINDOW);
    expect(writeWindowFor(40)).toBe(WRITE_WINDOW);
  });

  it("fails with the refused write, and still closes the handle", async () => {
    const file = join(tempDir(), "data.bin");
    writeFileSync(file, randomBytes(3000));
    const server = scriptedServer({ limit: 1000 });
    const refusing = server.sftp as unknown as { write: (...a: unknown[]) => void };
    const write = refusing.write.bind(refusing);
    refusing.write = (...args: unknown[]) => {
      const cb = args[5] as Callback;
      if (args[4] === 1000) cb(Object.assign(new Error("Failure"), { code: 4 }));
      else write(...args);
    };
    const source = await open(file, "r");
    const sending = sendFile(server.sftp, Buffer.from("h"), source, progress());
    await serve(server, sending, "oldest", WRITE_WINDOW);
    await expect(sending).rejects.toThrow("Failure");
    await source.close();
    expect(server.log.filter((l) => l.startsWith("write"))).toEqual(["write 0+1000"]);
    expect(server.log.at(-1)).toBe("close");
  });
});

describe("receiving a file with reads in flight", () => {
  const receive = async (content: Buffer, expected: number, shortReadAt?: number) => {
    const server = scriptedServer({
      limit: 1000,
      content,
      ...(shortReadAt === undefined ? {} : { shortReadAt }),
    });
    const file = join(tempDir(), "copy.bin");
    const target = await open(file, "w");
    let plannedAfter = -1;
    const receiving = receiveFile(server.sftp, Buffer.from("h"), target, expected, progress(), () => {
      plannedAfter = server.log.length;
    });
    await serve(server, receiving, "newest", READ_WINDOW);
    const received = await receiving;
    await target.close();
    return { received, copy: readFileSync(file), server, plannedAfter };
  };

  it("reads exactly the planned spans and one probe at the expected end, the window at most", async () => {
    const content = randomBytes(5500);
    const { received, copy, server, plannedAfter } = await receive(content, 5500);
    expect(copy).toEqual(content);
    expect(received).toEqual({ bytes: 5500, late: false });
    expect(server.maxInFlight()).toBe(READ_WINDOW);
    expect([...server.log].sort()).toEqual(
      [
        "read 0+1000",
        "read 1000+1000",
        "read 2000+1000",
        "read 3000+1000",
        "read 4000+1000",
        "read 5000+500",
        "read 5500+1000",
      ].sort(),
    );
    expect(plannedAfter).toBe(server.log.length);
  });

  it("reads on past the expected size while data keeps coming, and says it read late", async () => {
    const content = randomBytes(4321);
    const { received, copy } = await receive(content, 1500);
    expect(copy).toEqual(content);
    expect(received).toEqual({ bytes: 4321, late: true });
  });

  it("stops at the real end of a file shorter than expected", async () => {
    const content = randomBytes(1200);
    const { received, copy } = await receive(content, 3000);
    expect(copy).toEqual(content);
    expect(received.bytes).toBe(1200);
  });

  it("asks again for the rest of a short read in the middle of the file", async () => {
    const content = randomBytes(3000);
    const { received, copy, server } = await receive(content, 3000, 1000);
    expect(copy).toEqual(content);
    expect(received).toEqual({ bytes: 3000, late: true });
    expect(server.log).toContain("read 1500+500");
  });

  it("reads an empty file with one request", async () => {
    const { received, copy, server } = await receive(Buffer.alloc(0), 0);
    expect(copy.length).toBe(0);
    expect(received).toEqual({ bytes: 0, late: false });
    expect(server.log).toEqual(["read 0+1000"]);
  });
});
