import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Options } from "yargs";
import { EngageError } from "../core/errors.js";
import type { Location } from "../core/location.js";
import { loadProfile } from "../profile/load-profile.js";
import { writeRender, type RenderResult } from "../render/write-render.js";
import { ManifestSchema } from "../schemas/manifest.js";
import type { Profile } from "../schemas/profile.js";
import type { RedemptionChannel } from "../schemas/promotion.js";
import { validateInputs } from "../validate/validate-inputs.js";
import type { CommandContext } from "./command.js";
import { inputPaths, parseCount, parseTimestamp, validateOptionsFromArgs } from "./input-options.js";
import { inputBytes } from "./input-bytes.js";
import { formatCount } from "../core/format-amount.js";
import { TOOL_VERSION } from "./version.js";

/** Options of the commands that render (`render`, `run`). */
export const RENDER_OPTIONS = {
  "max-per-file": {
    type: "number",
    requiresArg: true,
    describe: "At most this many assignments in one file (default: the profile's, 20000)",
  },
  "max-rejects": {
    type: "number",
    requiresArg: true,
    describe: "Leave out up to N invalid rows (written to rejects.csv) instead of failing (default 0)",
  },
  timestamp: {
    type: "string",
    describe: "The instant in file names, ISO 8601 (2026-03-01T02:00:00Z); default: now",
  },
  previous: {
    type: "string",
    describe: "An earlier run's manifest.json: warn when a definition's channels differ from it",
  },
} as const satisfies Record<string, Options>;

export interface RenderJobArgs {
  inputs: string[];
  out: string;
  kind?: string | undefined;
  columns?: string | undefined;
  timezone?: string | undefined;
  requireDefinitions?: boolean | undefined;
  allowEmpty?: boolean | undefined;
  encoding?: string | undefined;
  maxFieldBytes?: string | undefined;
  profile?: string | undefined;
  maxPerFile?: number | string | undefined;
  maxRejects?: number | string | undefined;
  timestamp?: string | undefined;
  previous?: string | undefined;
  overwrite?: boolean | undefined;
}

/** Reads the channels an earlier run sent, by externalPromotionId, from its manifest. */
export async function readPreviousChannels(
  path: string,
  cwd: string,
): Promise<Map<string, { redemptionChannels: RedemptionChannel[]; at: Location }>> {
  const full = resolve(cwd, path);
  const file = full.endsWith(".json") ? full : join(full, "manifest.json");
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new EngageError(
      "input_missing",
      "cli.previous_unreadable",
      `--previous ${path}: cannot be read (${why})`,
    );
  }
  const parsed = ManifestSchema.safeParse(data);
  if (!parsed.success) {
    throw new EngageError(
      "invalid_data",
      "cli.previous_invalid",
      `--previous ${path}: not a manifest.json written by engage-promo`,
    );
  }
  return new Map(
    parsed.data.promotions.map((p) => [
      p.externalPromotionId,
      { redemptionChannels: p.redemptionChannels, at: { file: path } },
    ]),
  );
}

/** Validates the inputs and renders them into `out`: the work shared by `render` and `run`. */
export async function renderJob(
  args: RenderJobArgs,
  ctx: CommandContext,
  loaded?: Profile,
): Promise<RenderResult> {
  const profile = loaded ?? (await loadProfile(args.profile, ctx.cwd));
  const options = validateOptionsFromArgs(args, profile);
  if (args.previous !== undefined && args.previous !== "")
    options.previousPromotions = await readPreviousChannels(args.previous, ctx.cwd);
  const maxPerFile = parseCount("max-per-file", args.maxPerFile, profile.maxAssignmentsPerFile, 1);
  const maxRejects = parseCount("max-rejects", args.maxRejects, 0);
  const timestamp = parseTimestamp(args.timestamp, ctx.startedAt);
  const inputs = inputPaths(args.inputs, ctx.cwd);
  const progress = ctx.progress({ label: "render", unit: "bytes", total: await inputBytes(inputs) });
  let bytes = 0;
  options.onBytes = (n) => (bytes = n);
  const result = await writeRender(validateInputs(inputs, options), {
    outDir: resolve(ctx.cwd, args.out),
    profile,
    timestamp,
    maxPerFile,
    maxRejects,
    tool: `engage-promo ${TOOL_VERSION}`,
    overwrite: args.overwrite === true,
    onProgress: (rows) => progress.set(bytes, formatCount(rows, "rows")),
  });
  progress.done();
  return result;
}

/** The summary fields of a render. */
export function renderSummary(result: RenderResult): Record<string, unknown> {
  return {
    render: result.status,
    outDir: result.outDir,
    counts: result.counts,
    inputs: result.inputs.map((i) => ({ file: i.file, kind: i.kind, records: i.records })),
    filesWithErrors: result.filesWithErrors.length,
    files: result.files.map((f) => ({
      name: f.name,
      bytes: f.bytes,
      sha256: f.sha256,
      promotions: f.counts.promotions,
      assignments: f.counts.assignments,
    })),
    ...(result.manifestPath !== undefined ? { manifest: result.manifestPath } : {}),
    ...(result.rejectsPath !== undefined ? { rejects: result.rejectsPath } : {}),
  };
}
