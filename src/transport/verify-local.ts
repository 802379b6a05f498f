import { createHash } from "node:crypto";
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { ManifestFile } from "../schemas/manifest.js";
import { showName, unsafeNameReason } from "./safe-name.js";

/** What the check found, per file in manifest order. */
interface CheckReport {
  stats: ({ size: number; missing?: undefined } | { missing: true; size?: undefined })[];
  /** Present when every size matched. */
  digests?: (string | { error: string })[];
}

/**
 * Bytes hashed between two turns of the event loop: about 1 ms of work, so the SSH handshake
 * and the transfer that run meanwhile are answered within a millisecond.
 */
export const CHECK_SLICE_BYTES = 1024 * 1024;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function statOf(path: string): CheckReport["stats"][number] {
  try {
    const s = statSync(path);
    return s.isFile() ? { size: s.size } : { missing: true };
  } catch {
    return { missing: true };
  }
}

/**
 * The check itself: sizes first (a cheap check that finds most changes before any file is read
 * whole), then the sha256 of every file when all sizes match, on this thread in slices of
 * CHECK_SLICE_BYTES. A worker thread did it before: starting one cost ~2,000 fresh memory pages
 * and a core for 60 ms, while this thread mostly waits for the server during the handshake that
 * the check runs beside. `signal` stops the check between two slices.
 */
async function runCheck(
  paths: string[],
  sizes: number[],
  signal: AbortSignal | undefined,
): Promise<CheckReport> {
  const stats = paths.map(statOf);
  if (!stats.every((s, i) => s.size === sizes[i])) return { stats };
  const buffer = Buffer.allocUnsafe(CHECK_SLICE_BYTES);
  const digests: CheckReport["digests"] & object = [];
  for (const path of paths) {
    let fd: number | undefined;
    try {
      fd = openSync(path, "r");
      const hash = createHash("sha256");
      for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0;) {
        hash.update(buffer.subarray(0, n));
        await nextTurn();
        signal?.throwIfAborted();
      }
      digests.push(hash.digest("hex"));
    } catch (error) {
      if (signal?.aborted) throw error;
      digests.push({ error: (error as NodeJS.ErrnoException).code ?? "error" });
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }
  return { stats, digests };
}

/** A check of local files started ahead of the manifest's validation, by the names and sizes it was given. */
export interface LocalCheck {
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  readonly report: Promise<CheckReport>;
}

/**
 * Starts the size and checksum check of these files before the manifest that lists them is
 * validated; `verifyLocalFiles` uses its report when it checks the same files. The caller passes
 * only plain names (see `unsafeNameReason`); `signal` stops the work.
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
 * this returns (or was started by `startLocalCheck` for the same files); `signal` stops it when
 * its answer is no longer wanted.
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
