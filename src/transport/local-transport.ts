import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, rename, stat as fsStat, unlink } from "node:fs/promises";
import { isAbsolute, join, normalize } from "node:path";
import { pipeline } from "node:stream/promises";
import { classifyRemoteError } from "./remote-error.js";
import type { LocalTarget } from "./target.js";
import type { RemoteEntry, RemoteStat, Transport, TransportSession, TransferHooks } from "./transport.js";

const CHUNK = 1024 * 1024;

async function copy(from: string, to: string, hooks: TransferHooks, flush: boolean): Promise<void> {
  const source = createReadStream(from, { highWaterMark: CHUNK });
  source.on("data", (chunk) => hooks.onBytes?.(chunk.length));
  // `flush` fsyncs before close, so the rename that follows a delivery never exposes unwritten data.
  await pipeline(source, createWriteStream(to, { flags: "w", flush, highWaterMark: CHUNK }));
}

async function guard<T>(op: string, path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw classifyRemoteError(error, op, path);
  }
}

/**
 * A local folder as a delivery target (the default `./outbox`, or a mounted share): the same
 * temporary-name-then-rename protocol as SFTP, with fsync before each rename.
 */
export function createLocalTransport(target: LocalTarget): Transport {
  return {
    target,
    async connect(): Promise<TransportSession> {
      const dir = target.dir;
      const session: TransportSession = {
        dir,
        resolve: (relative) => (isAbsolute(relative) ? normalize(relative) : join(dir, relative)),
        stat: (path) =>
          guard("stat", path, async (): Promise<RemoteStat | undefined> => {
            try {
              const s = await fsStat(path);
              return { size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory(), mtimeMs: s.mtimeMs };
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
              throw error;
            }
          }),
        list: (path) =>
          guard("list", path, async () => {
            const out: RemoteEntry[] = [];
            for (const d of await readdir(path, { withFileTypes: true })) {
              const s = d.isFile() ? await fsStat(join(path, d.name)) : undefined;
              out.push({ name: d.name, size: s?.size ?? 0, isFile: d.isFile(), mtimeMs: s?.mtimeMs });
            }
            return out;
          }),
        put: (localPath, remotePath, hooks = {}) =>
          guard("copy to", remotePath, async () => {
            await copy(localPath, remotePath, hooks, true);
            return { remoteSize: (await fsStat(remotePath)).size };
          }),
        get: (remotePath, localPath, hooks = {}) =>
          guard("copy", remotePath, async () => {
            await copy(remotePath, localPath, hooks, false);
            const after = await fsStat(remotePath).catch(() => undefined);
            return { remoteSize: after?.size, remoteMtimeMs: after?.mtimeMs };
          }),
        replace: (from, to) => guard("rename", `${from} to ${to}`, () => rename(from, to)),
        remove: (path) => guard("delete", path, () => unlink(path)),
        mkdir: (path) => guard("mkdir", path, async () => void (await mkdir(path, { recursive: true }))),
        close: async () => undefined,
      };
      return session;
    },
  };
}
