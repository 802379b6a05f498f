import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readdir, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import { makeIssue, type Issue } from "../core/issue.js";
import type { Logger } from "../core/logger.js";
import type { Progress, ProgressOptions } from "../core/progress.js";
import { fsyncFolder } from "./atomic-write.js";
import { acquireFolderLock } from "./folder-lock.js";
import { openTransport } from "./open-transport.js";
import { planFetch, type AfterAction, type FetchPlan, type FetchPlanItem } from "./plan-fetch.js";
import { withRetries } from "./retry.js";
import type { Target } from "./target.js";
import type { TransportOptions } from "./transport-options.js";
import type { TransferResult, Transport, TransportSession } from "./transport.js";

/** The lock file fetch keeps in the local folder while it runs. */
export const FETCH_LOCK = ".engage-promo-fetch.lock";

export const DEFAULT_FETCH_PATTERN = "*.xml";

/** `--min-age` by default: exports are written over minutes, and a file quiet for two is taken as done. */
export const DEFAULT_MIN_AGE = "2m";

/** How a fetch runs. */
export interface FetchOptions {
  transport: TransportOptions;
  after: AfterAction;
  /** Which remote names to take (`*`, `?`); default `*.xml`. */
  pattern: string;
  /** Download again files already here with the same name and size. */
  force: boolean;
  /** List and plan, download nothing, change nothing. */
  dryRun: boolean;
  /** Parallel fastGet instead of the streamed get. */
  fastGet: boolean;
  /**
   * Remote files modified less than this long ago (by the server's clock) are left for a later
   * run: they may still be being written. 0 (the default here) takes every file; the CLI's
   * default is DEFAULT_MIN_AGE_MS.
   */
  minAgeMs?: number;
  /** The transport to use instead of the one the target names (tests). */
  transportFactory?: (target: Target) => Transport;
}

export interface FetchHooks {
  log: Logger;
  progress?: (options: ProgressOptions) => Progress;
}

/** The outcome for one remote file. */
export interface FetchFileResult {
  name: string;
  /**
   * `planned`: a dry run would download it; `refused`: its name is unsafe; `vanished`: it was
   * gone from the server when it was read (skipped with a warning).
   */
  status: "fetched" | "skipped" | "refused" | "failed" | "planned" | "vanished";
  bytes: number;
  remotePath: string;
  localPath?: string;
  /**
   * What was done to the remote file afterwards; `changed`: it changed on the server after the
   * download, so it was neither deleted nor moved (it is fetched again on the next run).
   */
  after?: "kept" | "deleted" | "moved" | "changed";
  reason?: string;
}

export interface FetchResult {
  source: string;
  outDir: string;
  dryRun: boolean;
  files: FetchFileResult[];
  issues: Issue[];
  totals: {
    files: number;
    fetched: number;
    skipped: number;
    refused: number;
    failed: number;
    planned: number;
    vanished: number;
    deleted: number;
    moved: number;
    changed: number;
    bytesFetched: number;
  };
  attempts: number;
  error?: EngageError;
}

/** The local name a download is written under until it is verified. */
export function partialNameOf(name: string): string {
  return `.${name}.part`;
}

async function localSizes(dir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return sizes;
    throw error;
  }
  for (const name of names) {
    try {
      const s = await stat(join(dir, name));
      if (s.isFile()) sizes.set(name, s.size);
    } catch {
      // vanished meanwhile: not there
    }
  }
  return sizes;
}

async function sameContent(a: string, b: string): Promise<boolean> {
  const digest = async (p: string): Promise<string> => {
    const h = createHash("sha256");
    for await (const chunk of createReadStream(p)) h.update(chunk as Buffer);
    return h.digest("hex");
  };
  return (await digest(a)) === (await digest(b));
}

function totalsOf(files: FetchFileResult[]): FetchResult["totals"] {
  const count = (s: FetchFileResult["status"]) => files.filter((f) => f.status === s).length;
  return {
    files: files.length,
    fetched: count("fetched"),
    skipped: count("skipped"),
    refused: count("refused"),
    failed: count("failed"),
    planned: count("planned"),
    vanished: count("vanished"),
    deleted: files.filter((f) => f.after === "deleted").length,
    moved: files.filter((f) => f.after === "moved").length,
    changed: files.filter((f) => f.after === "changed").length,
    bytesFetched: files.filter((f) => f.status === "fetched").reduce((n, f) => n + f.bytes, 0),
  };
}

async function ensureArchive(
  session: TransportSession,
  after: AfterAction,
  mkdirAllowed: boolean,
  source: string,
): Promise<string | undefined> {
  if (after.kind !== "move") return undefined;
  const archive = session.resolve(after.dir);
  const st = await session.stat(archive);
  if (st?.isDirectory) return archive;
  if (st)
    throw new EngageError(
      "remote_refused",
      "transport.remote_not_a_folder",
      `${source}: --after move:${after.dir}: ${archive} is not a folder`,
    );
  if (!mkdirAllowed) {
    throw new EngageError(
      "remote_refused",
      "transport.remote_dir_missing",
      `${source}: --after move:${after.dir}: the folder ${archive} does not exist; create it, or pass --mkdir`,
    );
  }
  await session.mkdir(archive);
  return archive;
}

/**
 * Downloads the export files of a remote folder into `outDir`: each under a temporary local
 * name, flushed to disk, size-checked against the remote file, then renamed into place; only
 * then is the remote file deleted or moved (`--after`). Unsafe remote names are refused as
 * issues. Failures during the transfer are returned in `error` with the per-file results;
 * a locked or unwritable local folder throws.
 */
export async function fetchFolder(
  source: Target,
  outDir: string,
  options: FetchOptions,
  hooks: FetchHooks,
): Promise<FetchResult> {
  const { log } = hooks;
  const results = new Map<string, FetchFileResult>();
  let issues: Issue[] = [];
  let attempts = 0;
  const finish = (error?: EngageError): FetchResult => {
    // In name order, as planned, whatever order the stages finished in.
    const files = [...results.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const result: FetchResult = {
      source: source.display,
      outDir,
      dryRun: options.dryRun,
      files,
      issues,
      totals: totalsOf(files),
      attempts,
    };
    if (error) result.error = error;
    return result;
  };
  const transport =
    options.transportFactory?.(source) ??
    openTransport(source, options.transport, log, { fastGet: options.fastGet });
  const policy = { retries: options.transport.retries, baseDelayMs: options.transport.retryDelayMs };

  if (options.dryRun) {
    try {
      await withRetries(policy, log, `list ${source.display}`, async (attempt) => {
        attempts = attempt;
        const session = await transport.connect();
        try {
          const plan = planFetch(await session.list(session.dir), await localSizes(outDir), {
            ...options,
            source: source.display,
          });
          issues = plan.issues;
          for (const item of plan.items) {
            results.set(item.name, {
              name: item.name,
              status:
                item.action === "fetch"
                  ? "planned"
                  : item.action === "skip" || item.action === "wait"
                    ? "skipped"
                    : "refused",
              bytes: item.size,
              remotePath: session.resolve(item.name),
              reason: item.reason,
            });
          }
        } finally {
          await session.close();
        }
      });
    } catch (error) {
      if (!(error instanceof EngageError)) throw error;
      return finish(error);
    }
    return finish();
  }

  // Connects before anything is awaited: the server starts its side of the session (a new
  // process per connection) while this thread is still busy starting up.
  let early: Promise<TransportSession> | undefined = transport.connect();
  early.catch(() => undefined);
  let release: () => Promise<void>;
  try {
    try {
      await mkdir(outDir, { recursive: true });
    } catch (error) {
      throw new EngageError(
        "output_failed",
        "transport.output_unwritable",
        `${outDir}: cannot create the folder (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
    release = await acquireFolderLock(outDir, FETCH_LOCK, "fetch", log);
  } catch (error) {
    await early.then((s) => s.close()).catch(() => undefined);
    throw error;
  }
  let progress: Progress | undefined;
  const vanish = (item: FetchPlanItem, remotePath: string): void => {
    results.set(item.name, {
      name: item.name,
      status: "vanished",
      bytes: item.size,
      remotePath,
      reason: "gone from the server between the listing and its download",
    });
    issues.push(
      makeIssue(
        "transport.remote_vanished",
        `${remotePath}: listed, then gone from the server before it was downloaded; skipped`,
        { file: source.display },
      ),
    );
  };
  /** Files being downloaded or finished: the ones a failure leaves undone. */
  const inFlight = new Map<string, { size: number; remotePath: string }>();
  try {
    /**
     * Fsyncs, checks, renames into place, then deletes or moves on the server. `issued` settles
     * once the server request (if any) is sent, `done` once everything is.
     */
    const finishFile = (
      session: TransportSession,
      item: FetchPlanItem,
      remotePath: string,
      download:
        { temp: string; remoteSize: number | undefined; remoteMtimeMs: number | undefined } | undefined,
      archive: string | undefined,
    ): { issued: Promise<void>; done: Promise<void> } => {
      let markIssued = (): void => undefined;
      const issued = new Promise<void>((resolve) => {
        markIssued = resolve;
      });
      const done = (async (): Promise<void> => {
        const localPath = join(outDir, item.name);
        let status: FetchFileResult["status"] = "skipped";
        let reason = item.reason;
        if (download !== undefined && download.remoteSize === undefined) {
          // Gone by the end of the download: picked up or removed meanwhile, like a file gone
          // before its open.
          await unlink(download.temp).catch(() => undefined);
          vanish(item, remotePath);
          inFlight.delete(item.name);
          markIssued();
          return;
        }
        if (download !== undefined) {
          const { temp, remoteSize } = download;
          try {
            // On disk before it is renamed into place, and before the remote file may be deleted.
            const fh = await open(temp, "r+");
            let got: number;
            try {
              await fh.sync();
              got = (await fh.stat()).size;
            } finally {
              await fh.close();
            }
            if (remoteSize === undefined || got !== remoteSize) {
              throw new EngageError(
                "remote_unavailable",
                "transport.size_mismatch",
                `${remotePath}: downloaded ${got} bytes, but the server ${remoteSize === undefined ? "no longer has the file" : `says ${remoteSize}`}; it may still be being written`,
                { retryable: true },
              );
            }
            const had = await stat(localPath).then(
              (s) => s.isFile(),
              () => false,
            );
            if (had && !options.force && (await sameContent(temp, localPath))) {
              await unlink(temp);
              reason = "already downloaded (verified identical)";
            } else {
              if (had && !options.force)
                log.warn(`${localPath}: replaced by the remote file of that name, whose content differs`);
              await rename(temp, localPath);
              status = "fetched";
            }
          } catch (error) {
            await unlink(temp).catch(() => undefined);
            throw error;
          }
        }
        const result: FetchFileResult = {
          name: item.name,
          status,
          bytes: item.size,
          remotePath,
          localPath,
          reason,
          after: "kept",
        };
        results.set(item.name, result);
        // Only now, with a whole, size-checked local copy in place, is the remote file touched;
        // the rename is made durable first, so a crash cannot leave the copy under its temporary name.
        if (status === "fetched" && options.after.kind !== "keep") await fsyncFolder(outDir);
        if (options.after.kind !== "keep") {
          // A second look just before the delete or move: a file the server went on writing
          // after the download (size or time moved) keeps what was added, so it stays.
          const seen = download ?? { remoteSize: item.size, remoteMtimeMs: item.mtimeMs };
          const now = await session.stat(remotePath);
          const changed =
            now === undefined
              ? "it is no longer there"
              : now.size !== seen.remoteSize
                ? `its size went from ${seen.remoteSize} to ${now.size} bytes`
                : now.mtimeMs !== seen.remoteMtimeMs
                  ? "its modification time moved"
                  : undefined;
          if (changed !== undefined) {
            result.after = "changed";
            result.reason = `changed on the server after the download (${changed}); left there, fetched again on the next run`;
            if (now !== undefined)
              issues.push(
                makeIssue(
                  "transport.remote_changed",
                  `${remotePath}: ${changed} after it was downloaded; not ${options.after.kind === "delete" ? "deleted" : "moved"}, left on the server to be fetched again on the next run`,
                  { file: source.display },
                ),
              );
            markIssued();
            inFlight.delete(item.name);
            return;
          }
        }
        const after =
          options.after.kind === "delete"
            ? session.remove(remotePath).then(() => "deleted" as const)
            : archive !== undefined
              ? session
                  .replace(remotePath, session.resolve(`${archive}/${item.name}`))
                  .then(() => "moved" as const)
              : undefined;
        markIssued();
        if (after !== undefined) result.after = await after;
        inFlight.delete(item.name);
      })();
      done.finally(markIssued).catch(() => undefined);
      return { issued, done };
    };

    await withRetries(policy, log, `fetch from ${source.display}`, async (attempt) => {
      attempts = attempt;
      const pending = early ?? transport.connect();
      early = undefined;
      const session = await pending;
      try {
        const archive = await ensureArchive(session, options.after, options.transport.mkdir, source.display);
        // Planned again on each attempt: files fetched and deleted before a lost connection are
        // gone from the listing, and those fetched but not yet deleted are checked again.
        const plan: FetchPlan = planFetch(await session.list(session.dir), await localSizes(outDir), {
          ...options,
          source: source.display,
        });
        issues = [...plan.issues];
        const bytes = plan.items.filter((i) => i.action === "fetch").reduce((n, i) => n + i.size, 0);
        progress ??= hooks.progress?.({ label: `fetch from ${source.display}`, total: bytes, unit: "bytes" });
        let bytesDone = 0;
        // Two stages: file i+1 downloads while file i is fsynced, checked, renamed into place and
        // deleted or moved on the server. The second stage runs in name order, one file at a time.
        let finishing: ReturnType<typeof finishFile> = { issued: Promise.resolve(), done: Promise.resolve() };
        const downloads = plan.items.filter((i) => i.action === "fetch");
        const nextDownload = new Map(downloads.map((d, i) => [d, downloads[i + 1]]));
        for (const item of plan.items) {
          const remotePath = session.resolve(item.name);
          if (item.action === "refuse" || item.action === "wait") {
            // Neither downloaded nor touched on the server.
            results.set(item.name, {
              name: item.name,
              status: item.action === "refuse" ? "refused" : "skipped",
              bytes: item.size,
              remotePath,
              reason: item.reason,
            });
            continue;
          }
          inFlight.set(item.name, { size: item.size, remotePath });
          const temp = join(outDir, partialNameOf(item.name));
          // The previous file's delete or move goes out before this file's reads, so that its
          // answer does not wait behind them on a slow link.
          if (options.after.kind !== "keep") await finishing.issued;
          let downloading: Promise<TransferResult | "vanished" | undefined> = Promise.resolve(undefined);
          if (item.action === "fetch") {
            const base = bytesDone;
            let moved = 0;
            const following = nextDownload.get(item);
            downloading = session
              .get(remotePath, temp, {
                expectedBytes: item.size,
                ...(following && {
                  next: {
                    remotePath: session.resolve(following.name),
                    localPath: join(outDir, partialNameOf(following.name)),
                  },
                }),
                onBytes: (n) => {
                  moved += n;
                  progress?.set(base + moved);
                },
              })
              .catch(async (error: unknown) => {
                await unlink(temp).catch(() => undefined);
                // Listed, then gone before it was read: skipped, the rest fetched.
                if (error instanceof EngageError && error.code === "transport.not_found")
                  return "vanished" as const;
                throw error;
              });
            bytesDone += item.size;
          }
          // Both settle before anything is thrown, so a failure never cuts the other stage short.
          const [downloaded, finished] = await Promise.allSettled([downloading, finishing.done]);
          if (finished.status === "rejected") {
            if (item.action === "fetch") await unlink(temp).catch(() => undefined);
            throw finished.reason;
          }
          if (downloaded.status === "rejected") throw downloaded.reason;
          if (downloaded.value === "vanished") {
            vanish(item, remotePath);
            inFlight.delete(item.name);
            finishing = { issued: Promise.resolve(), done: Promise.resolve() };
            continue;
          }
          finishing = finishFile(
            session,
            item,
            remotePath,
            downloaded.value === undefined
              ? undefined
              : {
                  temp,
                  remoteSize: downloaded.value.remoteSize,
                  remoteMtimeMs: downloaded.value.remoteMtimeMs,
                },
            archive,
          );
        }
        await finishing.done;
      } finally {
        await session.close();
      }
    });
    progress?.done();
    return finish();
  } catch (error) {
    if (!(error instanceof EngageError)) throw error;
    progress?.done("stopped");
    for (const [name, f] of inFlight) {
      if (results.has(name)) continue;
      results.set(name, {
        name,
        status: "failed",
        bytes: f.size,
        remotePath: f.remotePath,
        reason: error.message,
      });
    }
    return finish(error);
  } finally {
    await release();
  }
}
