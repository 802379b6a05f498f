import { resolve } from "node:path";
import type { Options } from "yargs";
import { defineCommand, type CommandOutcome } from "../command.js";
import { parseTarget } from "../../transport/target.js";
import { TRANSPORT_OPTIONS, transportOptionsFromArgs } from "../../transport/transport-options.js";
import { uploadFolder, type UploadOptions, type UploadResult } from "../../transport/upload.js";
import { formatBytes, plural } from "../../core/format-amount.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";

/** The embedded default target: a local folder, so the first run needs no server. */
export const DEFAULT_TARGET = "./outbox";

/** Upload's own options (besides TRANSPORT_OPTIONS), shared with `run`. */
export const UPLOAD_OPTIONS = {
  force: { type: "boolean", describe: "Send again files already verified at this target" },
  "fast-put": {
    type: "boolean",
    describe: "Parallel writes (fastPut): faster on some links, but some servers corrupt files with it",
  },
} as const satisfies Record<string, Options>;

/** Builds UploadOptions from parsed arguments (UPLOAD_OPTIONS, TRANSPORT_OPTIONS, `dry-run`) and the environment. */
export function uploadOptionsFromArgs(
  args: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  cwd: string,
  warn?: (message: string) => void,
): UploadOptions {
  return {
    transport: transportOptionsFromArgs(args, env, cwd, warn),
    force: args.force === true,
    dryRun: args.dryRun === true || args["dry-run"] === true,
    fastPut: args.fastPut === true || args["fast-put"] === true,
  };
}

/** The plan as text lines for `--dry-run`. */
export function formatUploadPlan(result: UploadResult): string {
  const lines = [
    `upload plan for ${result.target}: ${plural(result.plan.send, "files")} to send (${formatBytes(result.plan.bytesToSend)}), ${result.plan.skip} already verified`,
  ];
  for (const item of result.plan.items) {
    const via = item.action === "send" ? ` (written as ${item.tempName}, then renamed)` : "";
    lines.push(
      `  ${item.action === "send" ? "send" : "skip"}  ${item.name} -> ${item.remotePath}${via}: ${item.reason}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** The summary fields of an upload, for `upload` and `run`. */
export function uploadSummary(result: UploadResult): Record<string, unknown> {
  const summary: Record<string, unknown> = {
    target: result.target,
    dir: result.dir,
    files: result.totals.files,
    sent: result.totals.sent,
    skipped: result.totals.skipped,
    failed: result.totals.failed,
    bytesSent: result.totals.bytesSent,
    attempts: result.attempts,
  };
  if (result.dryRun) summary.planned = result.totals.planned;
  const failed = result.files.filter((f) => f.status === "failed").map((f) => f.name);
  if (failed.length > 0) summary.notDelivered = failed;
  return summary;
}

/** Maps an upload result to the command outcome: a transfer failure keeps its exit code (69, 76, 77 …). */
export function uploadOutcome(
  result: UploadResult,
  log: { error(m: string): void; info(m: string): void },
): CommandOutcome {
  const summary = uploadSummary(result);
  if (result.error) {
    log.error(`${result.error.message} (${result.error.code})`);
    return {
      status: "failed",
      exit: result.error.kind,
      summary,
      counts: uploadCounts(result),
      error: { code: result.error.code, message: result.error.message },
    };
  }
  if (result.dryRun) return { status: "dry-run", exit: "ok", summary, counts: uploadCounts(result) };
  log.info(
    `${plural(result.totals.sent, "files")} sent and verified, ${result.totals.skipped} already there, at ${result.target}`,
  );
  return { status: "ok", exit: "ok", summary, counts: uploadCounts(result) };
}

/** The counts a scheduler reads at the summary's top level (`jq .sent`), for `upload` and `run`. */
export function uploadCounts(result: UploadResult): Record<string, number> {
  return {
    files: result.totals.files,
    sent: result.totals.sent,
    skipped: result.totals.skipped,
    failed: result.totals.failed,
  };
}

export const uploadCommand = defineCommand({
  command: "upload <dir>",
  describe:
    "Send a rendered folder's files (from its manifest.json) to an SFTP server or a local folder, each verified",
  positionals: { dir: { type: "string", describe: "Folder written by render (holds manifest.json)" } },
  options: {
    ...PROGRESS_OPTIONS,
    to: {
      type: "string",
      default: DEFAULT_TARGET,
      describe: "sftp://user@host[:port]/remote/dir (/~/dir: inside the login folder), or a local folder",
    },
    ...UPLOAD_OPTIONS,
    "dry-run": { type: "boolean", describe: "Print which files would be sent where, and change nothing" },
    ...TRANSPORT_OPTIONS,
  },
  examples: [
    ["engage-promo upload out/", "Deliver to ./outbox/ (no server needed)"],
    [
      "ENGAGE_PROMO_SFTP_PASSWORD=… engage-promo upload out/ --to sftp://acme@ftp.voyado.com/integration/promotions --known-hosts known_hosts",
      "Deliver to Engage's SFTP server, host key checked against known_hosts",
    ],
    [
      "engage-promo upload out/ --to sftp://acme@ftp.voyado.com/in --identity id_ed25519 --dry-run",
      "Show what would be sent",
    ],
  ],
  async run(args, ctx) {
    const target = parseTarget(String(args.to ?? DEFAULT_TARGET), ctx.cwd);
    const dir = resolve(ctx.cwd, String(args.dir));
    const options = uploadOptionsFromArgs(args, ctx.env, ctx.cwd, (m) => ctx.log.warn(m));
    const result = await uploadFolder(dir, target, options, {
      log: ctx.log,
      progress: (o) => ctx.progress(o),
    });
    if (result.dryRun) ctx.stdout(formatUploadPlan(result));
    return uploadOutcome(result, ctx.log);
  },
});
