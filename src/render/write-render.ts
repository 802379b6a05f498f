import { readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import { makeIssue, type Issue } from "../core/issue.js";
import { formatLocation, type Location } from "../core/location.js";
import {
  ManifestSchema,
  type Manifest,
  type ManifestFile,
  type ManifestPromotion,
} from "../schemas/manifest.js";
import type { Profile } from "../schemas/profile.js";
import type { Assignment, Promotion } from "../schemas/promotion.js";
import type { InputEvent } from "../validate/validate-inputs.js";
import { renderAssignmentXml, renderPromotionXml, wrapImportXml } from "./import-xml.js";
import {
  buildManifest,
  KEYS_NAME,
  keyLinePrefix,
  MANIFEST_NAME,
  REJECTS_NAME,
  renderKeyLine,
  renderManifestJson,
  toManifestPromotion,
} from "./manifest-entries.js";
import { ChunkPlanner, type PlannedFile } from "./plan-chunks.js";
import { renderRejectsCsv, type RejectedRow } from "./rejects-csv.js";
import { outputFailure, Staging, type StagedAppendFile } from "./staging.js";

export interface RenderOptions {
  outDir: string;
  profile: Profile;
  /** The instant in file names and in the manifest. */
  timestamp: Date;
  /** At most this many assignments in one file. */
  maxPerFile: number;
  /** Up to this many invalid rows are left out (and written to rejects.csv); more, and nothing is written. */
  maxRejects: number;
  /** Who wrote the manifest, e.g. `engage-promo 0.1.0`. */
  tool: string;
  /** Replace an earlier, different render in `outDir`. */
  overwrite?: boolean;
  /** Called after each batch of events with the number of rows handled so far. */
  onProgress?: (rowsDone: number) => void;
}

interface KindCounts {
  read: number;
  valid: number;
  rejected: number;
}

export interface RenderCounts extends KindCounts {
  promotions: number;
  assignments: number;
  byKind: { definitions: KindCounts; assignments: KindCounts };
}

export interface RenderResult {
  /** `written`: files and manifest are in place; `unchanged`: the folder already held this render; `rejected`: invalid rows, nothing written. */
  status: "written" | "unchanged" | "rejected";
  outDir: string;
  files: ManifestFile[];
  manifestPath?: string;
  rejectsPath?: string;
  counts: RenderCounts;
  /** Every issue reported, up to {@link MAX_ISSUES_KEPT}; the rest are counted in `issuesOmitted`. */
  issues: Issue[];
  /** Issues beyond the ones kept, by severity. */
  issuesOmitted: { error: number; warning: number };
}

/** At most this many issues are kept in the result; the rest are counted. */
export const MAX_ISSUES_KEPT = 100_000;

type ExistingOutput = { kind: "none" } | { kind: "manifest"; manifest: Manifest } | { kind: "unreadable" };

/** Reads the manifest an earlier render left in `outDir`, if any. */
async function readExistingManifest(outDir: string): Promise<ExistingOutput> {
  const path = join(outDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "none" };
    throw outputFailure(path, "read", error);
  }
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? { kind: "manifest", manifest: parsed.data } : { kind: "unreadable" };
  } catch {
    return { kind: "unreadable" };
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function notEmpty(outDir: string, why: string): EngageError {
  return new EngageError(
    "output_failed",
    "render.out_dir_not_empty",
    `${outDir}: ${why}; choose another --out, or give --overwrite to replace it`,
  );
}

/** True when two manifests list the same files with the same checksums. */
function sameFiles(a: readonly ManifestFile[], b: readonly ManifestFile[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => f.name === b[i]?.name && f.sha256 === b[i]?.sha256 && f.bytes === b[i]?.bytes)
  );
}

/** Adds the location to an internal rendering error, so the bug report points at the row. */
function withLocation(error: unknown, at: Location): unknown {
  if (error instanceof EngageError && error.kind === "internal") {
    return new EngageError("internal", error.code, `${formatLocation(at)}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}

function newCounts(): RenderCounts {
  return {
    read: 0,
    valid: 0,
    rejected: 0,
    promotions: 0,
    assignments: 0,
    byKind: {
      definitions: { read: 0, valid: 0, rejected: 0 },
      assignments: { read: 0, valid: 0, rejected: 0 },
    },
  };
}

/**
 * Consumes validated input events and writes the import XML files, `manifest.keys.ndjson`,
 * `rejects.csv` (when rows were left out) and `manifest.json` into `outDir`, all or nothing.
 */
export async function writeRender(
  events: AsyncIterable<InputEvent[]>,
  options: RenderOptions,
): Promise<RenderResult> {
  const { outDir, profile, timestamp, maxRejects } = options;
  if (!Number.isInteger(maxRejects) || maxRejects < 0)
    throw new RangeError(`maxRejects must be a whole number, got ${maxRejects}`);
  const planner = new ChunkPlanner({ timestamp, maxPerFile: options.maxPerFile });
  const timestampText = timestamp.toISOString();

  const existing = await readExistingManifest(outDir);
  // Fail before reading any input when the folder plainly holds another render.
  if (!options.overwrite) {
    if (existing.kind === "unreadable")
      throw notEmpty(outDir, `${MANIFEST_NAME} is not a manifest this tool can read`);
    if (existing.kind === "manifest" && existing.manifest.timestamp !== timestampText) {
      throw notEmpty(outDir, `it holds the render of ${existing.manifest.timestamp}`);
    }
  }

  const staging = await Staging.create(outDir);
  let keys: StagedAppendFile | undefined;
  try {
    keys = await staging.openAppend(KEYS_NAME);
    const counts = newCounts();
    const inputs: Manifest["inputs"] = [];
    const definitions = new Map<string, { xml: string }>();
    const manifestPromotions: ManifestPromotion[] = [];
    const files: ManifestFile[] = [];
    const rejects: RejectedRow[] = [];
    const issues: Issue[] = [];
    const issuesOmitted = { error: 0, warning: 0 };
    // Where rejected rows were (by line and by record), to tell row errors from errors that no row carries.
    const rejectedAt = new Set<string>();
    const errorsAt: { keys: string[]; at: Location }[] = [];
    let firstOverLimit: Location | undefined;
    let dead = false;
    let rowsDone = 0;

    // The open chunk: its assignments' XML and key lines, and the shared prefix of its key lines.
    let chunkXml: string[] = [];
    let chunkKeys: string[] = [];
    let chunkFile = "";
    let chunkKeyPrefix = "";

    const flush = async (file: PlannedFile): Promise<void> => {
      const promotionsXml = file.promotionIds.map((id) => definitions.get(id)?.xml ?? "").join("");
      const data = Buffer.from(
        wrapImportXml({ promotions: promotionsXml, assignments: chunkXml.join("") }, profile),
        "utf8",
      );
      chunkXml = [];
      const staged = await staging.put(file.name, data);
      files.push({
        name: file.name,
        sha256: staged.sha256,
        bytes: staged.bytes,
        counts: { promotions: file.promotionIds.length, assignments: file.assignments },
        promotions: file.promotionIds,
        ...(file.keyLines !== undefined ? { keyLines: file.keyLines } : {}),
        deliveries: {},
      });
      if (chunkKeys.length > 0) {
        const lines = Buffer.from(chunkKeys.join(""), "utf8");
        chunkKeys = [];
        await keys!.append(lines);
      }
    };

    const onPromotion = (promotion: Promotion, at: Location): void => {
      counts.read += 1;
      counts.valid += 1;
      counts.byKind.definitions.read += 1;
      counts.byKind.definitions.valid += 1;
      // A second definition of an id is validation's to report; the first one is what is sent.
      if (!planner.define(promotion.externalPromotionId)) return;
      counts.promotions += 1;
      manifestPromotions.push(toManifestPromotion(promotion, at));
      if (!dead)
        definitions.set(promotion.externalPromotionId, { xml: renderPromotionXml(promotion, profile) });
    };

    const onAssignment = async (assignment: Assignment, at: Location): Promise<void> => {
      counts.read += 1;
      counts.valid += 1;
      counts.byKind.assignments.read += 1;
      counts.byKind.assignments.valid += 1;
      counts.assignments += 1;
      if (dead) return;
      const { file } = planner.place(assignment.externalPromotionId);
      if (file.name !== chunkFile) {
        chunkFile = file.name;
        chunkKeyPrefix = keyLinePrefix(file.name);
      }
      chunkXml.push(renderAssignmentXml(assignment, profile));
      chunkKeys.push(renderKeyLine(chunkKeyPrefix, assignment, at));
      if (planner.full) await flush(planner.close()!);
    };

    const onRejected = async (event: Extract<InputEvent, { type: "rejected" }>): Promise<void> => {
      counts.read += 1;
      counts.rejected += 1;
      const kind: string = event.kind;
      if (kind === "definitions" || kind === "assignments") {
        counts.byKind[kind].read += 1;
        counts.byKind[kind].rejected += 1;
      }
      if (event.at.line !== undefined) rejectedAt.add(`${event.at.file}\u0000L${event.at.line}`);
      if (event.at.record !== undefined) rejectedAt.add(`${event.at.file}\u0000R${event.at.record}`);
      if (counts.rejected <= maxRejects) {
        rejects.push({ at: event.at, codes: event.codes, raw: event.raw });
        return;
      }
      if (!dead) {
        // Too many invalid rows: nothing will be written, so stop rendering and free the staging
        // folder now, but read on to report every issue and count every row.
        dead = true;
        firstOverLimit = event.at;
        chunkXml = [];
        chunkKeys = [];
        definitions.clear();
        rejects.length = 0;
        await staging.discard();
      }
    };

    const onIssue = (issue: Issue): void => {
      if (issue.severity === "error") {
        const keys: string[] = [];
        if (issue.line !== undefined) keys.push(`${issue.file}\u0000L${issue.line}`);
        if (issue.record !== undefined) keys.push(`${issue.file}\u0000R${issue.record}`);
        errorsAt.push({ keys, at: issue });
      }
      if (issues.length < MAX_ISSUES_KEPT) issues.push(issue);
      else issuesOmitted[issue.severity] += 1;
    };

    for await (const batch of events) {
      for (const event of batch) {
        switch (event.type) {
          case "promotion":
            try {
              onPromotion(event.promotion, event.at);
            } catch (error) {
              throw withLocation(error, event.at);
            }
            rowsDone += 1;
            break;
          case "assignment":
            try {
              await onAssignment(event.assignment, event.at);
            } catch (error) {
              throw withLocation(error, event.at);
            }
            rowsDone += 1;
            break;
          case "rejected":
            await onRejected(event);
            rowsDone += 1;
            break;
          case "issue":
            onIssue(event.issue);
            break;
          case "input-done":
            inputs.push({ file: event.file, sha256: event.sha256, kind: event.kind, records: event.records });
            break;
          default:
            break;
        }
      }
      options.onProgress?.(rowsDone);
    }

    if (issuesOmitted.error + issuesOmitted.warning > 0) {
      const omitted = issuesOmitted.error + issuesOmitted.warning;
      issues.push(
        makeIssue(
          "render.issues_omitted",
          `${omitted} more issues (${issuesOmitted.error} errors, ${issuesOmitted.warning} warnings) are not listed; fix the ones listed and run again`,
          { file: issues[issues.length - 1]?.file ?? outDir },
        ),
      );
    }

    // An error that no rejected row carries (an unreadable file, a row kept despite an error)
    // cannot be left out row by row, so it stops the render whatever --max-rejects allows.
    const unaccounted = errorsAt.some((e) => !e.keys.some((k) => rejectedAt.has(k)));
    if (dead || unaccounted) {
      if (dead && maxRejects > 0 && firstOverLimit !== undefined) {
        issues.push(
          makeIssue(
            "rules.too_many_rejects",
            `${counts.rejected} rows are invalid, more than --max-rejects ${maxRejects} allows; nothing was written`,
            normalizeIssueLocation(firstOverLimit),
          ),
        );
      }
      await keys.abandon();
      await staging.discard();
      return { status: "rejected", outDir, files: [], counts, issues, issuesOmitted };
    }

    for (const file of planner.finish()) await flush(file);
    const keysFile = await keys.finish();
    const committed = files.map((f) => f.name);
    committed.push(KEYS_NAME);
    if (rejects.length > 0) {
      await staging.put(REJECTS_NAME, Buffer.from(renderRejectsCsv(rejects), "utf8"));
      committed.push(REJECTS_NAME);
    }
    const manifest = buildManifest({
      tool: options.tool,
      timestamp,
      profile: profile.name,
      inputs,
      rejected: counts.rejected,
      files,
      promotions: manifestPromotions,
      keys: { file: KEYS_NAME, sha256: keysFile.sha256, lines: counts.assignments },
    });
    await staging.settle();

    const result = (status: RenderResult["status"], listed: ManifestFile[]): RenderResult => {
      const out: RenderResult = {
        status,
        outDir,
        files: listed,
        manifestPath: join(outDir, MANIFEST_NAME),
        counts,
        issues,
        issuesOmitted,
      };
      if (status === "written" && rejects.length > 0) out.rejectsPath = join(outDir, REJECTS_NAME);
      return out;
    };

    if (existing.kind === "manifest" && sameFiles(existing.manifest.files, manifest.files)) {
      // The folder already holds exactly this render (and perhaps its deliveries): leave it be.
      await staging.discard();
      return result("unchanged", existing.manifest.files);
    }
    if (!options.overwrite) {
      if (existing.kind !== "none") throw notEmpty(outDir, "it holds a different render");
      for (const name of [...committed, MANIFEST_NAME]) {
        if (await exists(join(outDir, name))) throw notEmpty(outDir, `${name} already exists`);
      }
    } else {
      await removeEarlierRender(outDir, existing);
    }

    await staging.commit(committed);
    await staging.put(MANIFEST_NAME, Buffer.from(renderManifestJson(manifest), "utf8"));
    // The manifest goes last: a folder with a manifest.json always holds every file it lists.
    await staging.commit([MANIFEST_NAME]);
    await staging.discard();
    return result("written", manifest.files);
  } catch (error) {
    await keys?.abandon();
    await staging.discard();
    throw error;
  }
}

function normalizeIssueLocation(at: Location): Location {
  const out: Location = { file: at.file };
  if (at.line !== undefined) out.line = at.line;
  if (at.record !== undefined) out.record = at.record;
  return out;
}

/** Removes an earlier render's manifest (first, so the folder never lists missing files) and its files. */
async function removeEarlierRender(outDir: string, existing: ExistingOutput): Promise<void> {
  const names = [MANIFEST_NAME];
  if (existing.kind === "manifest")
    names.push(...existing.manifest.files.map((f) => f.name), existing.manifest.keys.file);
  names.push(KEYS_NAME, REJECTS_NAME);
  for (const name of new Set(names)) {
    // Only plain names inside the folder: a manifest is data, and must not steer deletes elsewhere.
    if (name.includes("/") || name.includes("\\") || name === "." || name === "..") continue;
    const path = join(outDir, name);
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw outputFailure(path, "remove the earlier render's", error);
    }
  }
}
