import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Issue } from "../../core/issue.js";
import { loadProfile } from "../../profile/load-profile.js";
import { parseTarget } from "../../transport/target.js";
import { TRANSPORT_OPTIONS } from "../../transport/transport-options.js";
import { uploadFolder } from "../../transport/upload.js";
import { defineCommand } from "../command.js";
import { INPUT_OPTIONS } from "../input-options.js";
import { RENDER_OPTIONS, renderJob, renderSummary } from "../render-job.js";
import { computeRunKey } from "../run-key.js";
import {
  DEFAULT_TARGET,
  UPLOAD_OPTIONS,
  formatUploadPlan,
  uploadOptionsFromArgs,
  uploadOutcome,
} from "./upload.js";
import { PROGRESS_OPTIONS } from "../progress-option.js";

/** Where `run` keeps one rendered folder per distinct set of inputs. */
export const DEFAULT_WORK_DIR = ".engage-promo/runs";

/** The newest earlier run folder with a manifest, to warn about channels that changed since. */
async function latestManifest(workDir: string, except: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(workDir);
  } catch {
    return undefined;
  }
  let best: { path: string; time: number } | undefined;
  for (const name of names) {
    const path = join(workDir, name, "manifest.json");
    if (join(workDir, name) === except) continue;
    try {
      const { mtimeMs } = await stat(path);
      if (best === undefined || mtimeMs > best.time) best = { path, time: mtimeMs };
    } catch {
      // not a finished run folder
    }
  }
  return best?.path;
}

export const runCommand = defineCommand({
  command: "run <inputs..>",
  describe:
    "The nightly job: validate, render and upload in one command; a re-run sends only what is not yet delivered",
  positionals: { inputs: { type: "string", array: true, describe: "Input files (CSV, JSON, NDJSON)" } },
  options: {
    ...PROGRESS_OPTIONS,
    ...INPUT_OPTIONS,
    ...RENDER_OPTIONS,
    to: {
      type: "string",
      default: DEFAULT_TARGET,
      describe: "sftp://user@host[:port]/remote/dir (/~/dir: inside the login folder), or a local folder",
    },
    "work-dir": {
      type: "string",
      default: DEFAULT_WORK_DIR,
      describe: "Where rendered folders are kept, one per distinct set of inputs",
    },
    ...UPLOAD_OPTIONS,
    "dry-run": {
      type: "boolean",
      describe: "Validate and render to a temporary folder, print the upload plan, change nothing",
    },
    ...TRANSPORT_OPTIONS,
  },
  issuesFormatOption: "format",
  examples: [
    ["engage-promo run defs.csv assignments.csv", "Validate, render and deliver to ./outbox/"],
    [
      "engage-promo run defs.csv assignments.csv --to sftp://acme@ftp.voyado.com/integration/promotions --known-hosts known_hosts --identity id_ed25519",
      "The nightly job against Engage's SFTP server",
    ],
  ],
  async run(args, ctx) {
    const inputs = (args.inputs as string[] | undefined) ?? [];
    // Flags that would fail the upload are checked before any work is done.
    const target = parseTarget(String(args.to ?? DEFAULT_TARGET), ctx.cwd);
    const uploadOptions = uploadOptionsFromArgs(args, ctx.env, ctx.cwd, (m) => ctx.log.warn(m));
    const profile = await loadProfile(args.profile, ctx.cwd);
    const settings = {
      kind: args.kind,
      columns: args.columns,
      timezone: args.timezone,
      requireDefinitions: args.requireDefinitions === true,
      // only when set, so the run key of earlier runs without it stays the same
      ...(args.allowEmpty === true ? { allowEmpty: true } : {}),
      encoding: args.encoding,
      maxFieldBytes: args.maxFieldBytes,
      maxPerFile: args.maxPerFile,
      maxRejects: args.maxRejects,
      timestamp: args.timestamp,
    };
    const key = await computeRunKey(inputs, profile, settings, ctx.cwd);
    const workDir = resolve(ctx.cwd, String(args.workDir ?? DEFAULT_WORK_DIR));
    const dryRun = uploadOptions.dryRun;
    let runDir = join(workDir, key.slice(0, 16));
    let scratch: string | undefined;
    const reused = existsSync(join(runDir, "manifest.json"));
    let render: Record<string, unknown> = { render: "reused", outDir: runDir };
    let issues: readonly Issue[] = [];
    try {
      if (reused) {
        ctx.log.info(
          `inputs unchanged since an earlier run: keeping ${runDir} and sending only what is not yet delivered`,
        );
      } else {
        if (dryRun) {
          scratch = await mkdtemp(join(tmpdir(), "engage-promo-dry-run-"));
          runDir = scratch;
        }
        const previous = await latestManifest(workDir, runDir);
        const result = await renderJob(
          { ...args, inputs, out: runDir, ...(previous !== undefined ? { previous } : {}) },
          ctx,
          profile,
        );
        render = renderSummary(result);
        issues = result.issues;
        if (result.status === "rejected") {
          ctx.log.error(
            "invalid rows: nothing rendered, nothing sent (--max-rejects N leaves up to N rows out)",
          );
          return {
            status: "invalid",
            exit: "invalid_data",
            counts: { files: 0, sent: 0, skipped: 0, failed: 0 },
            summary: { render },
            issues,
          };
        }
      }
      const upload = await uploadFolder(runDir, target, uploadOptions, {
        log: ctx.log,
        progress: (o) => ctx.progress(o),
      });
      if (upload.dryRun) ctx.stdout(formatUploadPlan(upload));
      const outcome = uploadOutcome(upload, ctx.log);
      return {
        ...outcome,
        summary: { runDir: dryRun && scratch !== undefined ? null : runDir, render, upload: outcome.summary },
        issues,
      };
    } finally {
      if (scratch !== undefined) await rm(scratch, { recursive: true, force: true });
    }
  },
});
