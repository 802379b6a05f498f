import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { Issue } from "../core/issue.js";
import { formatLocation, type Location } from "../core/location.js";
import type { Manifest, ManifestFile, ManifestPromotion } from "../schemas/manifest.js";
import type { Profile } from "../schemas/profile.js";
import type { Assignment, Promotion } from "../schemas/promotion.js";
import type { InputEvent } from "../validate/validate-inputs.js";
import { ByteSink } from "./byte-sink.js";
import { AssignmentRowRenderer } from "./assignment-row.js";
import { renderImportHead, renderImportTail, renderPromotionXml } from "./import-xml.js";
import {
  buildManifest,
  KEYS_NAME,
  MANIFEST_NAME,
  REJECTS_NAME,
  renderManifestJson,
  toManifestPromotion,
} from "./manifest-entries.js";
import {
  checkEarlierRender,
  checkNamesFree,
  outDirNotEmpty,
  readEarlierRender,
  removeEarlierRender,
  sameFiles,
  type EarlierRender,
} from "./output-folder.js";
import { checkExpired, checkMaxPerFile } from "./campaign-warnings.js";
import { ChunkPlanner, type PlannedFile } from "./plan-chunks.js";
import { renderRejectsCsv } from "./rejects-csv.js";
import { RenderTally, type RenderCounts } from "./render-tally.js";
import { Staging, type StagedAppendFile } from "./staging.js";

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

export interface RenderResult {
  /** `written`: files and manifest are in place; `unchanged`: the folder already held this render; `rejected`: invalid rows, nothing written. */
  status: "written" | "unchanged" | "rejected";
  outDir: string;
  files: ManifestFile[];
  manifestPath?: string;
  rejectsPath?: string;
  counts: RenderCounts;
  /** Files with an error on no rejected row (an empty or unparseable file): why a render with no rejected row may still be refused. */
  filesWithErrors: string[];
  /** The issues reported (up to 100,000, then a `render.issues_omitted` note). */
  issues: Issue[];
  /** Issues beyond the ones listed, by severity. */
  issuesOmitted: { error: number; warning: number };
  /** Each input read, with how many records it held. */
  inputs: Manifest["inputs"];
}

/** Adds the row's location to an internal rendering error, so a bug report points at the input. */
function withLocation(error: unknown, at: Location): unknown {
  if (error instanceof EngageError && error.kind === "internal") {
    return new EngageError("internal", error.code, `${formatLocation(at)}: ${error.message}`, {
      cause: error,
    });
  }
  return error;
}

/** One render in progress: the chunk being filled, the files staged so far, the bookkeeping. */
class RenderRun {
  readonly tally: RenderTally;
  readonly inputs: Manifest["inputs"] = [];
  readonly files: ManifestFile[] = [];
  readonly promotions: ManifestPromotion[] = [];
  private readonly planner: ChunkPlanner;
  private readonly definitionXml = new Map<string, string>();
  private readonly rows: AssignmentRowRenderer;
  private chunkXml = new ByteSink();
  private chunkKeys = new ByteSink();
  /**
   * Buffers of chunks already written, for the next chunks: a few blocks of a few MB go round
   * instead of two fresh ones per file, which the allocator would not all give back.
   */
  private spare: Buffer[] = [];
  private stopped = false;

  constructor(
    private readonly options: RenderOptions,
    private readonly staging: Staging,
    private readonly keys: StagedAppendFile,
  ) {
    this.tally = new RenderTally(options.maxRejects);
    this.rows = new AssignmentRowRenderer(options.profile);
    this.planner = new ChunkPlanner({ timestamp: options.timestamp, maxPerFile: options.maxPerFile });
    const tooMany = checkMaxPerFile(options.maxPerFile, options.outDir);
    if (tooMany !== undefined) this.tally.issue(tooMany);
  }

  /** Handles one batch of events, staging each chunk as it fills; returns the rows handled. */
  async handle(batch: readonly InputEvent[]): Promise<number> {
    let rows = 0;
    for (const event of batch) {
      switch (event.type) {
        case "assignment": {
          let full: boolean;
          try {
            full = this.addAssignment(event.assignment, event.at);
          } catch (error) {
            throw withLocation(error, event.at);
          }
          // The only await per row is at a chunk's end: a promise per row would cost seconds per million.
          if (full) await this.flush(this.planner.close()!);
          rows += 1;
          break;
        }
        case "promotion":
          try {
            this.addPromotion(event.promotion, event.at);
          } catch (error) {
            throw withLocation(error, event.at);
          }
          rows += 1;
          break;
        case "rejected":
          if (this.tally.rejected(event)) await this.stop();
          rows += 1;
          break;
        case "issue":
          this.tally.issue(event.issue);
          break;
        case "input-done":
          this.tally.otherEvent();
          this.inputs.push({
            file: event.file,
            sha256: event.sha256,
            kind: event.kind,
            records: event.records,
          });
          break;
        default:
          // A file starting: errors reported before it belong to no row.
          this.tally.otherEvent();
          break;
      }
    }
    return rows;
  }

  /** Stages the last assignment file and the files of definitions alone. */
  async finish(): Promise<void> {
    for (const file of this.planner.finish()) await this.flush(file);
  }

  private addPromotion(promotion: Promotion, at: Location): void {
    // A second definition of an id is validation's to report; the first one is what is sent.
    const first = this.planner.define(promotion.externalPromotionId);
    this.tally.promotion(first);
    if (!first) return;
    const expired = checkExpired(promotion, at, this.options.timestamp);
    if (expired !== undefined) this.tally.issue(expired);
    this.promotions.push(toManifestPromotion(promotion, at));
    if (!this.stopped)
      this.definitionXml.set(
        promotion.externalPromotionId,
        renderPromotionXml(promotion, this.options.profile),
      );
  }

  /** Adds one assignment to the open chunk; true when the chunk is full. */
  private addAssignment(assignment: Assignment, at: Location): boolean {
    this.tally.assignment();
    if (this.stopped) return false;
    const { file } = this.planner.place(assignment.externalPromotionId);
    this.rows.setFile(file.name);
    this.rows.write(assignment, at, this.chunkXml, this.chunkKeys);
    return this.planner.full;
  }

  /** Writes one planned file (head with its promotions, the chunk's assignments, tail) and its key lines. */
  private async flush(file: PlannedFile): Promise<void> {
    const { profile } = this.options;
    const hasAssignments = file.assignments > 0;
    const promotionsXml = file.promotionIds.map((id) => this.definitionXml.get(id) ?? "").join("");
    const xml = this.chunkXml;
    const keys = this.chunkKeys;
    const body = xml.bytes();
    const lines = keys.bytes();
    // Other sinks (sized like these) for the next chunk: these bytes are still being written.
    this.chunkXml = this.sink(xml.nextSize);
    this.chunkKeys = this.sink(keys.nextSize);
    const head = Buffer.from(renderImportHead(promotionsXml, hasAssignments, profile), "utf8");
    const tail = Buffer.from(renderImportTail(hasAssignments, profile), "utf8");
    const staged = await this.staging.put(file.name, [head, body, tail], () => this.reuse(xml.storage));
    this.files.push({
      name: file.name,
      sha256: staged.sha256,
      bytes: staged.bytes,
      counts: { promotions: file.promotionIds.length, assignments: file.assignments },
      promotions: file.promotionIds,
      ...(file.keyLines !== undefined ? { keyLines: file.keyLines } : {}),
      deliveries: {},
    });
    if (lines.length > 0) await this.keys.append(lines, () => this.reuse(keys.storage));
    else this.reuse(keys.storage);
  }

  /** A sink for a chunk, in the smallest spare buffer of at least `bytes`, else in a new one. */
  private sink(bytes: number): ByteSink {
    let best = -1;
    for (let i = 0; i < this.spare.length; i++) {
      const length = this.spare[i]!.length;
      if (length >= bytes && (best < 0 || length < this.spare[best]!.length)) best = i;
    }
    if (best < 0) return new ByteSink(bytes);
    return new ByteSink(this.spare.splice(best, 1)[0]!);
  }

  private reuse(buffer: Buffer): void {
    // Two sinks are filled while at most two files and two appends are written: four spares do.
    if (!this.stopped && this.spare.length < 4) this.spare.push(buffer);
  }

  // Too many invalid rows: nothing will be written, so stop rendering and free the staging folder
  // now, but read on to report every issue and count every row.
  private async stop(): Promise<void> {
    this.stopped = true;
    this.chunkXml = new ByteSink(64);
    this.chunkKeys = new ByteSink(64);
    this.spare = [];
    this.definitionXml.clear();
    await this.staging.discard();
  }
}

/**
 * Consumes validated input events and writes the import XML files, `manifest.keys.ndjson`,
 * `rejects.csv` (when rows were left out) and, last, `manifest.json` into `outDir`: all or nothing.
 */
export async function writeRender(
  events: AsyncIterable<InputEvent[]>,
  options: RenderOptions,
): Promise<RenderResult> {
  const { outDir } = options;
  const overwrite = options.overwrite === true;
  const earlier = await readEarlierRender(outDir);
  // Fail before reading any input when the folder plainly holds another render.
  checkEarlierRender(outDir, earlier, options.timestamp.toISOString(), overwrite);

  const staging = await Staging.create(outDir);
  let keys: StagedAppendFile | undefined;
  try {
    keys = await staging.openAppend(KEYS_NAME);
    const run = new RenderRun(options, staging, keys);
    let rowsDone = 0;
    for await (const batch of events) {
      rowsDone += await run.handle(batch);
      options.onProgress?.(rowsDone);
    }
    const { tally } = run;
    const base = {
      outDir,
      counts: tally.counts,
      filesWithErrors: tally.filesWithErrors(),
      issues: tally.report(),
      issuesOmitted: tally.issuesOmitted,
      inputs: run.inputs,
    };
    if (tally.refused) {
      await keys.abandon();
      await staging.abandon();
      return { status: "rejected", files: [], ...base };
    }

    await run.finish();
    const keysFile = await keys.finish();
    const staged = [...run.files.map((f) => f.name), KEYS_NAME];
    if (tally.rejects.length > 0) {
      await staging.put(REJECTS_NAME, Buffer.from(renderRejectsCsv(tally.rejects), "utf8"));
      staged.push(REJECTS_NAME);
    }
    const manifest = buildManifest({
      tool: options.tool,
      timestamp: options.timestamp,
      profile: options.profile.name,
      inputs: run.inputs,
      rejected: tally.counts.rejected,
      files: run.files,
      promotions: run.promotions,
      keys: { file: KEYS_NAME, sha256: keysFile.sha256, lines: tally.counts.assignments },
    });
    await staging.settle();

    const manifestPath = join(outDir, MANIFEST_NAME);
    if (earlier.kind === "manifest" && sameFiles(earlier.manifest.files, manifest.files)) {
      // The folder already holds exactly this render (and perhaps its deliveries): leave it be.
      await staging.discard();
      return { status: "unchanged", files: earlier.manifest.files, manifestPath, ...base };
    }
    await makeRoom(outDir, earlier, [...staged, MANIFEST_NAME], overwrite);
    await staging.put(MANIFEST_NAME, Buffer.from(renderManifestJson(manifest), "utf8"));
    // The manifest goes last: a folder with a manifest.json holds every file it lists, and a
    // failed rename takes back the files already moved.
    await staging.commit([...staged, MANIFEST_NAME]);
    await staging.discard();
    const result: RenderResult = { status: "written", files: manifest.files, manifestPath, ...base };
    if (staged.includes(REJECTS_NAME)) result.rejectsPath = join(outDir, REJECTS_NAME);
    return result;
  } catch (error) {
    await keys?.abandon();
    await staging.abandon();
    throw error;
  }
}

/** Clears the way for the new files: removes an earlier render with `overwrite`, else refuses to replace anything. */
async function makeRoom(
  outDir: string,
  earlier: EarlierRender,
  names: readonly string[],
  overwrite: boolean,
): Promise<void> {
  if (overwrite) return removeEarlierRender(outDir, earlier);
  if (earlier.kind !== "none") throw outDirNotEmpty(outDir, "it holds a different render");
  await checkNamesFree(outDir, names);
}
