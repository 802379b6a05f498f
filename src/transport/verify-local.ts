import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { EngageError } from "../core/errors.js";
import type { ManifestFile } from "../schemas/manifest.js";
import { showName, unsafeNameReason } from "./safe-name.js";

/**
 * The check itself, on a worker thread: sizes first (a cheap check that finds most changes before
 * any file is read whole), then the sha256 of every file when all sizes match. Hashing 100 MB
 * takes ~0.1 s of a core, and this thread has none to spare while an upload starts: it loads
 * the SSH library and the manifest schema and runs the handshake, then the transfer. In slices
 * on this thread the checks ended 50 ms after the session was ready; the thread pool's digest
 * copies every file on this thread first. The worker takes its files as its first message, so
 * that it can start before they are known. Plain CommonJS with Node's own modules only, so it
 * runs the same from the sources and the bundle.
 */
const CHECK_WORKER = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const { closeSync, openSync, readSync, statSync } = require("node:fs");
parentPort.once("message", ({ paths, sizes }) => {
  const stats = paths.map((path) => {
    try {
      const s = statSync(path);
      return s.isFile() ? { size: s.size } : { missing: true };
    } catch {
      return { missing: true };
    }
  });
  let digests;
  if (stats.every((s, i) => s.size === sizes[i])) {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    digests = paths.map((path) => {
      let fd;
      try {
        fd = openSync(path, "r");
        const hash = createHash("sha256");
        for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
        return hash.digest("hex");
      } catch (error) {
        return { error: (error && error.code) || "error" };
      } finally {
        if (fd !== undefined) closeSync(fd);
      }
    });
  }
  parentPort.postMessage({ stats, digests });
});
`;

/** What the worker found, per file in manifest order. */
interface CheckReport {
  stats: ({ size: number; missing?: undefined } | { missing: true; size?: undefined })[];
  /** Present when every size matched. */
  digests?: (string | { error: string })[];
}

// No inherited flags: a preload or profiler given to this process is not the worker's business.
const newCheckWorker = (): Worker => new Worker(CHECK_WORKER, { eval: true, execArgv: [] });

let spare: Worker | undefined;

/**
 * Starts a checksum worker ahead of need, for a process that will check local files (`upload`):
 * a new thread takes ~60 ms and ~2,000 fresh memory pages to start, on the core this thread is
 * not using while it loads the command. The next check takes it; until then it does not keep
 * the process alive.
 */
export function prestartLocalCheck(): void {
  if (spare !== undefined) return;
  const worker = newCheckWorker();
  // A worker that fails or stops before it is taken is dropped; the check starts a new one.
  const drop = (): void => {
    if (spare === worker) spare = undefined;
  };
  worker.once("error", drop);
  worker.once("exit", drop);
  worker.unref();
  spare = worker;
}

function runCheck(paths: string[], sizes: number[], signal: AbortSignal | undefined): Promise<CheckReport> {
  return new Promise<CheckReport>((resolve, reject) => {
    const worker = spare ?? newCheckWorker();
    spare = undefined;
    worker.ref();
    worker.postMessage({ paths, sizes });
    let settled = false;
    const abort = (): void => {
      void worker.terminate();
    };
    signal?.addEventListener("abort", abort, { once: true });
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      signal?.removeEventListener("abort", abort);
      return true;
    };
    worker.once("message", (report: CheckReport) => {
      if (settle()) resolve(report);
    });
    worker.once("error", (error) => {
      if (settle()) reject(error);
    });
    worker.once("exit", (code) => {
      if (settle()) reject(new Error(`the checksum worker stopped (exit ${code})`));
    });
  });
}

/** A check of local files started ahead of the manifest's validation, by the names and sizes it was given. */
export interface LocalCheck {
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  readonly report: Promise<CheckReport>;
}

/**
 * Starts the size and checksum check of these files on a worker thread, before the manifest that
 * lists them is validated; `verifyLocalFiles` uses its report when it checks the same files.
 * The caller passes only plain names (see `unsafeNameReason`); `signal` stops the work.
 */
export function startLocalCheck(
  dir: string,
  files: readonly { name: string; bytes: number }[],
  signal?: AbortSignal,
): LocalCheck {
  const names = files.map((f) => f.name);
  const sizes = files.map((f) => f.bytes);
  const report = runCheck(
    names.map((n) => join(dir, n)),
    sizes,
    signal,
  );
  // Judged later, or never when the manifest turns out invalid.
  report.catch(() => undefined);
  return { names, sizes, report };
}

function sameFiles(check: LocalCheck, files: readonly ManifestFile[]): boolean {
  return (
    check.names.length === files.length &&
    files.every((f, i) => f.name === check.names[i] && f.bytes === check.sizes[i])
  );
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Checks every file the manifest lists against its recorded size and sha256 before anything is
 * sent: a name that is not plain, a missing or unreadable file (exit 66), or a changed one (exit
 * 65) refuses the whole folder, since it no longer is what render wrote. The work starts before
 * this returns, on a worker thread (or was started by `startLocalCheck` for the same files);
 * `signal` stops it when its answer is no longer wanted.
 */
export async function verifyLocalFiles(
  dir: string,
  files: readonly ManifestFile[],
  signal?: AbortSignal,
  started?: LocalCheck,
): Promise<void> {
  for (const f of files) {
    const why = unsafeNameReason(f.name);
    if (why !== undefined)
      throw new EngageError(
        "invalid_data",
        "transport.unsafe_name",
        `manifest.json lists ${showName(f.name)}, which ${why}`,
      );
  }
  const report = await (started !== undefined && sameFiles(started, files)
    ? started.report
    : runCheck(
        files.map((f) => join(dir, f.name)),
        files.map((f) => f.bytes),
        signal,
      ));
  const missing: string[] = [];
  const changed: string[] = [];
  files.forEach((f, i) => {
    const s = report.stats[i];
    if (s?.size === undefined) missing.push(f.name);
    else if (s.size !== f.bytes) changed.push(`${f.name} (${s.size} bytes, manifest says ${f.bytes})`);
  });
  if (missing.length > 0) {
    throw new EngageError(
      "input_missing",
      "transport.file_missing",
      `${dir}: files listed in manifest.json are missing: ${listNames(missing)}`,
    );
  }
  const unreadable: string[] = [];
  files.forEach((f, i) => {
    const digest = report.digests?.[i];
    if (typeof digest === "object") unreadable.push(`${f.name} (${digest.error})`);
    else if (digest !== undefined && digest !== f.sha256) changed.push(`${f.name} (sha256 differs)`);
  });
  if (unreadable.length > 0) {
    throw new EngageError(
      "input_missing",
      "transport.file_missing",
      `${dir}: files listed in manifest.json cannot be read: ${listNames(unreadable)}`,
    );
  }
  if (changed.length > 0) {
    throw new EngageError(
      "invalid_data",
      "transport.checksum_mismatch",
      `${dir}: files changed since render, nothing was sent: ${listNames(changed)}; render the folder again`,
    );
  }
}
