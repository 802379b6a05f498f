import { resolve } from "node:path";
import { parseDuration } from "../../core/duration.js";
import { EngageError } from "../../core/errors.js";
import { defineCommand } from "../command.js";
import {
  DEFAULT_FETCH_PATTERN,
  DEFAULT_MIN_AGE,
  fetchFolder,
  type FetchResult,
} from "../../transport/fetch.js";
import { parseAfterAction } from "../../transport/plan-fetch.js";
import { parseTarget } from "../../transport/target.js";
import { TRANSPORT_OPTIONS, transportOptionsFromArgs } from "../../transport/transport-options.js";
import { plural } from "../../core/format-amount.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";

/** The plan as text lines for `--dry-run`. */
export function formatFetchPlan(result: FetchResult, after: string): string {
  const lines = [
    `fetch plan for ${result.source} into ${result.outDir}: ${plural(result.totals.planned, "files")} to download, ${result.totals.skipped} already here, ${result.totals.refused} refused; then ${after}`,
  ];
  for (const f of result.files) {
    const verb = f.status === "planned" ? "get " : f.status === "refused" ? "refuse" : "skip";
    lines.push(`  ${verb}  ${JSON.stringify(f.name)} (${f.bytes} bytes): ${f.reason ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}

export const fetchCommand = defineCommand({
  command: "fetch",
  describe: "Download the export files of a remote folder, each verified, then keep, delete or move them",
  options: {
    ...PROGRESS_OPTIONS,
    from: {
      type: "string",
      demandOption: true,
      describe: "sftp://user@host[:port]/remote/dir, or a local folder",
    },
    out: {
      type: "string",
      demandOption: true,
      describe: "Local folder to write the files into (created when missing)",
    },
    after: {
      type: "string",
      default: "keep",
      describe:
        "What to do with each remote file once downloaded and size-checked: keep, delete, or move:<remote dir>",
    },
    pattern: {
      type: "string",
      default: DEFAULT_FETCH_PATTERN,
      describe: "Which remote names to take (* and ?)",
    },
    "min-age": {
      type: "string",
      default: DEFAULT_MIN_AGE,
      describe:
        "Leave remote files modified less than this long ago (by the server's clock) for a later run: 90s, 2m, 1h, 0 for none",
    },
    force: { type: "boolean", describe: "Download again files already here with the same name and size" },
    "dry-run": {
      type: "boolean",
      describe: "List the remote folder and print what would be downloaded; change nothing",
    },
    "fast-get": {
      type: "boolean",
      describe: "Parallel reads (fastGet): faster on some links, not supported well by every server",
    },
    ...TRANSPORT_OPTIONS,
  },
  examples: [
    [
      "engage-promo fetch --from sftp://acme@ftp.voyado.com/export --out exports/ --known-hosts known_hosts",
      "Download new export files, leave them on the server",
    ],
    [
      "engage-promo fetch --from sftp://acme@ftp.voyado.com/export --out exports/ --after move:/export/done",
      "Download, then move each file into /export/done",
    ],
  ],
  async run(args, ctx) {
    const source = parseTarget(String(args.from), ctx.cwd);
    const afterText = String(args.after ?? "keep");
    const after = parseAfterAction(afterText);
    if (after === undefined) {
      throw new EngageError(
        "usage",
        "cli.invalid_value",
        `--after: expected keep, delete or move:<remote dir>, got ${JSON.stringify(afterText)}`,
      );
    }
    const minAgeText = String(args.minAge ?? DEFAULT_MIN_AGE);
    const minAgeMs = parseDuration(minAgeText);
    if (minAgeMs === undefined) {
      throw new EngageError(
        "usage",
        "cli.invalid_value",
        `--min-age: expected a duration like 90s, 2m or 0, got ${JSON.stringify(minAgeText)}`,
      );
    }
    const outDir = resolve(ctx.cwd, String(args.out));
    const result = await fetchFolder(
      source,
      outDir,
      {
        transport: transportOptionsFromArgs(args, ctx.env, ctx.cwd, (m) => ctx.log.warn(m)),
        after,
        pattern: String(args.pattern ?? DEFAULT_FETCH_PATTERN),
        force: args.force === true,
        dryRun: args.dryRun === true,
        fastGet: args.fastGet === true,
        minAgeMs,
      },
      { log: ctx.log, progress: (o) => ctx.progress(o) },
    );
    const summary: Record<string, unknown> = {
      source: result.source,
      out: result.outDir,
      ...result.totals,
      attempts: result.attempts,
    };
    if (result.dryRun && !result.error) ctx.stdout(formatFetchPlan(result, afterText));
    if (result.error) {
      ctx.log.error(`${result.error.message} (${result.error.code})`);
      return {
        status: "failed",
        exit: result.error.kind,
        summary,
        error: { code: result.error.code, message: result.error.message },
        issues: result.issues,
      };
    }
    if (result.issues.some((i) => i.severity === "error")) {
      ctx.log.error(
        `${plural(result.totals.refused, "remote files")} refused for their names (see above); the others were handled`,
      );
      return { status: "invalid", exit: "invalid_data", summary, issues: result.issues };
    }
    if (!result.dryRun) {
      const { fetched, skipped, vanished, changed } = result.totals;
      const notes = [
        vanished > 0 ? `${vanished} gone from the server before download` : "",
        changed > 0 ? `${changed} changed after download and left on the server` : "",
      ].filter(Boolean);
      ctx.log.info(
        `${plural(fetched, "files")} downloaded, ${skipped} skipped, from ${result.source}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`,
      );
    }
    return { status: result.dryRun ? "dry-run" : "ok", exit: "ok", summary, issues: result.issues };
  },
});
