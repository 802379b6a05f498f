import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Progress, ProgressOptions } from "../core/progress.js";
import { acquireFolderLock } from "./folder-lock.js";
import {
  createDeliveryRecorder,
  readManifestJson,
  validateManifest,
  type LoadedManifest,
} from "./manifest-file.js";
import { openTransport } from "./open-transport.js";
import { planUpload, type UploadPlan, type UploadPlanItem } from "./plan-upload.js";
import { withRetries } from "./retry.js";
import type { Manifest } from "../schemas/manifest.js";
import type { Target } from "./target.js";
import type { TransportOptions } from "./transport-options.js";
import type { Transport, TransportSession } from "./transport.js";
import { startLocalCheck, verifyLocalFiles, type LocalCheck } from "./verify-local.js";
import { unsafeNameReason } from "./safe-name.js";
import { plural } from "../core/format-amount.js";

/** The lock file upload keeps in the rendered folder while it runs. */
export const UPLOAD_LOCK = ".engage-promo-upload.lock";

/** How an upload runs. */
export interface UploadOptions {
  transport: TransportOptions;
  /** Send again files already verified at this target. */
  force: boolean;
  /** Plan and print, change nothing (no connection, no lock, no manifest write). */
  dryRun: boolean;
  /** Parallel fastPut instead of streamed put (opt-in: it corrupts files on some servers). */
  fastPut: boolean;
  /** The clock for uploadedAt/verifiedAt (tests). */
  now?: () => Date;
  /** The transport to use instead of the one the target names (tests). */
  transportFactory?: (target: Target) => Transport;
}

/** What upload reports to its caller besides its return value. */
export interface UploadHooks {
  log: Logger;
  progress?: (options: ProgressOptions) => Progress;
}

/** The outcome for one file of the manifest. */
export interface UploadFileResult {
  name: string;
  /** `planned`: a dry run would send it. */
  status: "sent" | "skipped" | "failed" | "planned";
  bytes: number;
  remotePath: string;
  reason?: string;
}

/** The outcome of an upload: one result per manifest file, in manifest order. */
export interface UploadResult {
  target: string;
  dir: string;
  dryRun: boolean;
  files: UploadFileResult[];
  totals: {
    files: number;
    sent: number;
    skipped: number;
    failed: number;
    planned: number;
    bytesSent: number;
  };
  /** Connections opened (1 when nothing had to be retried; 0 when nothing was to send). */
  attempts: number;
  plan: UploadPlan;
  /** Set when the transfer stopped on an environment failure; the files before it stay delivered. */
  error?: EngageError;
}

function totalsOf(files: UploadFileResult[]): UploadResult["totals"] {
  const count = (s: UploadFileResult["status"]) => files.filter((f) => f.status === s).length;
  return {
    files: files.length,
    sent: count("sent"),
    skipped: count("skipped"),
    failed: count("failed"),
    planned: count("planned"),
    bytesSent: files.filter((f) => f.status === "sent").reduce((n, f) => n + f.bytes, 0),
  };
}

async function ensureRemoteDir(
  session: TransportSession,
  target: Target,
  mkdir: boolean,
  log: Logger,
): Promise<void> {
  const st = await session.stat(session.dir);
  if (st?.isDirectory) return;
  if (st)
    throw new EngageError(
      "remote_refused",
      "transport.remote_not_a_folder",
      `${target.display}: ${session.dir} exists but is not a folder`,
    );
  if (!mkdir) {
    throw new EngageError(
      "remote_refused",
      "transport.remote_dir_missing",
      `${target.display}: the remote folder ${session.dir} does not exist; create it, or pass --mkdir to create it`,
    );
  }
  await session.mkdir(session.dir);
  // a local target's display is its folder: naming it twice reads as a mistake
  log.info(
    target.display === session.dir
      ? `created the folder ${session.dir}`
      : `created the folder ${session.dir} on ${target.display}`,
  );
}

/**
 * What manifest.json's JSON says before the schema has checked it: the files to check (when every
 * name is a plain one) and whether anything is likely to be sent. Only a head start: the checked
 * manifest decides, and anything started on a wrong guess is stopped or redone.
 */
function glance(
  raw: unknown,
  target: Target,
  force: boolean,
): { files?: { name: string; bytes: number }[]; send: boolean } {
  const listed = (raw as { files?: unknown } | null)?.files;
  if (!Array.isArray(listed)) return { send: false };
  const files: { name: string; bytes: number; deliveries: Record<string, unknown> }[] = [];
  for (const f of listed as unknown[]) {
    const { name, bytes, deliveries } = (f ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || typeof bytes !== "number" || unsafeNameReason(name) !== undefined)
      return { send: false };
    files.push({
      name,
      bytes,
      deliveries:
        typeof deliveries === "object" && deliveries !== null ? (deliveries as Record<string, unknown>) : {},
    });
  }
  try {
    return { files, send: planUpload({ files } as unknown as Manifest, target, { force }).send > 0 };
  } catch {
    return { files, send: false };
  }
}

/**
 * Sends the files of a rendered folder's manifest to a target, in manifest order: each as
 * `<name>.part`, size-checked on the remote, then renamed to its final name, and recorded in
 * manifest.json right away so a re-run (or a retry after a lost connection) sends only what is
 * not yet verified. Precondition failures throw EngageError (manifest missing 66 or invalid 65,
 * files changed since render 65, folder locked 73); failures during the transfer are returned
 * in `error` with the per-file results, so a caller can still report what was delivered.
 */
export async function uploadFolder(
  dir: string,
  target: Target,
  options: UploadOptions,
  hooks: UploadHooks,
): Promise<UploadResult> {
  const { log } = hooks;
  const now = options.now ?? (() => new Date());
  const json = readManifestJson(dir);

  // Started before the manifest is validated, from what its JSON says, so that both make
  // progress while this thread loads the schema and then the SSH library: the checksums on a
  // worker thread, and the connection, whose server side takes as long to start as the hashing.
  // An invalid manifest stops both again; a dry run starts neither.
  const stopCheck = new AbortController();
  let started: LocalCheck | undefined;
  let opened: Transport | undefined;
  let openError: unknown;
  let early: Promise<TransportSession> | undefined;
  if (!options.dryRun) {
    const first = glance(json.raw, target, options.force);
    if (first.files) started = startLocalCheck(dir, first.files, stopCheck.signal);
    try {
      opened =
        options.transportFactory?.(target) ??
        openTransport(target, options.transport, log, { fastPut: options.fastPut });
    } catch (error) {
      openError = error;
    }
    if (first.send) early = opened?.connect();
    early?.catch(() => undefined);
  }
  const dropEarly = async (): Promise<void> => {
    const pending = early;
    early = undefined;
    await pending?.then((s) => s.close()).catch(() => undefined);
  };
  const abandon = async (): Promise<void> => {
    stopCheck.abort();
    await dropEarly();
  };

  let loaded: LoadedManifest;
  try {
    loaded = await validateManifest(json);
  } catch (error) {
    await abandon();
    throw error;
  }
  const plan = planUpload(loaded.manifest, target, { force: options.force });
  const results = new Map<string, UploadFileResult>();
  for (const item of plan.items) {
    if (item.action === "skip")
      results.set(item.name, {
        name: item.name,
        status: "skipped",
        bytes: item.bytes,
        remotePath: item.remotePath,
        reason: item.reason,
      });
  }
  const finish = (attempts: number, error?: EngageError): UploadResult => {
    const files = plan.items.map(
      (item): UploadFileResult =>
        results.get(item.name) ?? {
          name: item.name,
          status: options.dryRun ? "planned" : "failed",
          bytes: item.bytes,
          remotePath: item.remotePath,
          reason: options.dryRun ? item.reason : "not sent: the upload stopped before this file",
        },
    );
    const result: UploadResult = {
      target: target.display,
      dir,
      dryRun: options.dryRun,
      files,
      totals: totalsOf(files),
      attempts,
      plan,
    };
    if (error) result.error = error;
    return result;
  };

  if (options.dryRun) {
    await verifyLocalFiles(dir, loaded.manifest.files);
    return finish(0);
  }
  // A manifest error comes first, as it did when nothing was started before the validation.
  if (opened === undefined) {
    stopCheck.abort();
    throw openError;
  }
  const transport = opened;
  if (plan.send === 0) await dropEarly();
  else early ??= transport.connect();
  early?.catch(() => undefined);
  const checked = verifyLocalFiles(dir, loaded.manifest.files, stopCheck.signal, started);
  checked.catch(() => undefined);

  let release: () => Promise<void>;
  try {
    release = await acquireFolderLock(dir, UPLOAD_LOCK, "upload", log);
  } catch (error) {
    await abandon();
    throw error;
  }
  const recorder = createDeliveryRecorder(loaded);
  let attempts = 0;
  let transferring = false;
  /** Files being written or finished: the ones a failure leaves undelivered. */
  const inFlight = new Set<UploadPlanItem>();
  const progress =
    plan.send > 0
      ? hooks.progress?.({ label: `upload to ${target.display}`, total: plan.bytesToSend, unit: "bytes" })
      : undefined;
  try {
    try {
      await checked;
    } catch (error) {
      await abandon();
      throw error;
    }
    transferring = true;
    if (plan.send === 0) {
      log.info(
        plan.items.length === 1
          ? `nothing to send: the one file is already verified at ${target.display}`
          : `nothing to send: all ${plural(plan.items.length, "files")} are already verified at ${target.display}`,
      );
      return finish(0);
    }

    const mkdir = options.transport.mkdir || target.kind === "local";
    let bytesPut = 0;
    const finishFile = async (
      session: TransportSession,
      item: UploadPlanItem,
      size: number | undefined,
      uploadedAt: string,
    ): Promise<void> => {
      const remotePath = session.resolve(item.name);
      const tempPath = session.resolve(item.tempName);
      if (size !== item.bytes) {
        throw new EngageError(
          "remote_unavailable",
          "transport.size_mismatch",
          `${tempPath}: the server holds ${size === undefined ? "no file" : `${size} bytes`} after the upload, expected ${item.bytes}`,
          { retryable: true },
        );
      }
      await session.replace(tempPath, remotePath);
      recorder.record(item.index, target.display, {
        remotePath,
        uploadedAt,
        verifiedAt: now().toISOString(),
        bytes: item.bytes,
      });
      if (recorder.error) throw recorder.error;
      results.set(item.name, { name: item.name, status: "sent", bytes: item.bytes, remotePath });
      inFlight.delete(item);
      log.debug(`sent ${item.name} (${item.bytes} bytes) to ${remotePath}`);
    };
    await withRetries(
      { retries: options.transport.retries, baseDelayMs: options.transport.retryDelayMs },
      log,
      `upload to ${target.display}`,
      async (attempt) => {
        attempts = attempt;
        // Progress restarts from what is delivered: a file cut off by a lost connection goes again.
        bytesPut = [...results.values()].filter((r) => r.status === "sent").reduce((n, r) => n + r.bytes, 0);
        const pending = early ?? transport.connect();
        early = undefined;
        const session = await pending;
        try {
          await ensureRemoteDir(session, target, mkdir, log);
          // Two stages: file i+1 is written while file i is renamed and recorded (its size is
          // checked as its upload ends), and opened while file i's last writes are acknowledged.
          // Renames stay in manifest order, so a file never appears before one listed above it.
          let finishing: Promise<void> = Promise.resolve();
          const queue = plan.items.filter((i) => i.action === "send" && !results.has(i.name));
          for (const [k, item] of queue.entries()) {
            const tempPath = session.resolve(item.tempName);
            const following = queue[k + 1];
            inFlight.add(item);
            progress?.set(bytesPut, `${results.size - plan.skip + 1}/${plan.send} ${item.name}`);
            let moved = 0;
            const base = bytesPut;
            // Both settle before anything is thrown, so a failure never cuts the other stage short.
            const [written, finished] = await Promise.allSettled([
              session.put(join(dir, item.name), tempPath, {
                onBytes: (n) => {
                  moved += n;
                  progress?.set(base + moved);
                },
                ...(following && {
                  next: {
                    localPath: join(dir, following.name),
                    remotePath: session.resolve(following.tempName),
                  },
                }),
              }),
              finishing,
            ]);
            if (finished.status === "rejected") throw finished.reason;
            if (written.status === "rejected") throw written.reason;
            bytesPut = base + item.bytes;
            finishing = finishFile(session, item, written.value.remoteSize, now().toISOString());
          }
          await finishing;
        } finally {
          await session.close();
        }
      },
    );
    await recorder.flush();
    progress?.done(`${plural(plan.send, "files")} sent`);
    return finish(attempts);
  } catch (error) {
    // Before the first byte moves, a failure is the folder's or the options' fault: thrown.
    if (!(error instanceof EngageError) || !transferring) throw error;
    // What was verified before the failure must reach the manifest, or the next run resends it.
    const unrecorded = await recorder.flush().then(
      () => undefined,
      (e: unknown) => e as EngageError,
    );
    progress?.done("stopped");
    for (const item of inFlight) {
      if (results.has(item.name)) continue;
      results.set(item.name, {
        name: item.name,
        status: "failed",
        bytes: item.bytes,
        remotePath: item.remotePath,
        reason: error.message,
      });
    }
    return finish(attempts, unrecorded ?? error);
  } finally {
    await release();
  }
}
