import { link, readFile, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";

/** What a lock file holds: who holds the folder. */
interface LockInfo {
  pid: number;
  host: string;
  command: string;
  startedAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parseLock(text: string): LockInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === "number" && typeof v.host === "string") {
      return {
        pid: v.pid,
        host: v.host,
        command: String(v.command ?? "?"),
        startedAt: String(v.startedAt ?? "?"),
      };
    }
  } catch {
    // fall through: not a lock this tool wrote
  }
  return undefined;
}

async function tryCreate(path: string, info: LockInfo): Promise<boolean> {
  // Write the content under a private name, then link it into place: the lock appears whole or
  // not at all, and link() fails when it exists, as an exclusive create would.
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(info)}\n`, { flag: "w" });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Takes the folder's lock file (`name`) so two runs never work on one folder at once. A lock
 * left by a process that is gone from this host is taken over with a warning; a live one (or
 * one from another host) refuses with `output_failed` (exit 73). Returns the release function.
 */
export async function acquireFolderLock(
  dir: string,
  name: string,
  command: string,
  log: Logger,
): Promise<() => Promise<void>> {
  const path = join(dir, name);
  const info: LockInfo = { pid: process.pid, host: hostname(), command, startedAt: new Date().toISOString() };
  let created: boolean;
  try {
    created = await tryCreate(path, info);
    if (!created) {
      const text = await readFile(path, "utf8").catch(() => "");
      const held = parseLock(text);
      if (held && held.host === info.host && held.pid !== process.pid && !alive(held.pid)) {
        log.warn(
          `${path}: taking over a stale lock left by ${held.command} (pid ${held.pid}, started ${held.startedAt}), which is no longer running`,
        );
        await unlink(path).catch(() => undefined);
        created = await tryCreate(path, info);
      }
      if (!created) {
        const who = held
          ? `${held.command} (pid ${held.pid} on ${held.host}, started ${held.startedAt})`
          : "another run";
        throw new EngageError(
          "output_failed",
          "transport.locked",
          `${dir} is locked by ${who}; if no run is active, delete ${path}`,
        );
      }
    }
  } catch (error) {
    if (error instanceof EngageError) throw error;
    throw new EngageError(
      "output_failed",
      "transport.lock_failed",
      `${path}: cannot create the lock (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    await unlink(path).catch(() => undefined);
  };
}
