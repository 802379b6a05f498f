import { EngageError } from "../core/errors.js";
import { importFileName } from "./file-name.js";

/** One import file as planned: its name, which promotions it creates or updates, how many assignments. */
export interface PlannedFile {
  seq: number;
  name: string;
  /** The externalPromotionId of every promotion the file creates or updates, in definition order. */
  promotionIds: string[];
  assignments: number;
  /** Positions (1-based, in assignment order across the render) of its first and last assignment. */
  keyLines?: [number, number];
}

export interface ChunkPlannerOptions {
  timestamp: Date;
  /** At most this many assignments in one file; files of definitions alone hold at most this many promotions. */
  maxPerFile: number;
}

/**
 * Plans import files as assignments stream past, holding only promotion ids: each file takes at
 * most `maxPerFile` assignments and carries the definition of every defined promotion they refer
 * to; definitions no assignment refers to go in files of their own after the assignment files.
 * Definitions must all come before the first assignment.
 */
export class ChunkPlanner {
  private readonly definitionOrder = new Map<string, number>();
  private readonly referenced = new Set<string>();
  private readonly timestamp: Date;
  private readonly maxPerFile: number;
  private seq = 0;
  private placed = 0;
  private open: { file: PlannedFile; promotions: Set<string>; firstKeyLine: number } | undefined;
  private finished = false;

  constructor(options: ChunkPlannerOptions) {
    if (!Number.isInteger(options.maxPerFile) || options.maxPerFile < 1) {
      throw new RangeError(`maxPerFile must be a whole number of at least 1, got ${options.maxPerFile}`);
    }
    this.timestamp = options.timestamp;
    this.maxPerFile = options.maxPerFile;
  }

  /** Records a promotion definition; returns false when the id was already defined (the first one is kept). */
  define(externalPromotionId: string): boolean {
    if (this.placed > 0 || this.finished) {
      throw new EngageError(
        "internal",
        "render.definition_after_assignment",
        `promotion ${JSON.stringify(externalPromotionId)} arrived after assignments; definitions must come first`,
      );
    }
    if (this.definitionOrder.has(externalPromotionId)) return false;
    this.definitionOrder.set(externalPromotionId, this.definitionOrder.size);
    return true;
  }

  /** True when the promotion is defined in this batch. */
  isDefined(externalPromotionId: string): boolean {
    return this.definitionOrder.has(externalPromotionId);
  }

  /** Places the next assignment in the open file (opening one when none is); returns that file and the assignment's key line. */
  place(externalPromotionId: string): { file: PlannedFile; keyLine: number } {
    if (this.finished)
      throw new EngageError(
        "internal",
        "render.planner_finished",
        "an assignment arrived after the plan was finished",
      );
    if (this.open === undefined) {
      this.seq += 1;
      const file: PlannedFile = {
        seq: this.seq,
        name: importFileName(this.timestamp, this.seq),
        promotionIds: [],
        assignments: 0,
      };
      this.open = { file, promotions: new Set(), firstKeyLine: this.placed + 1 };
    }
    const { file, promotions } = this.open;
    this.placed += 1;
    file.assignments += 1;
    if (this.definitionOrder.has(externalPromotionId) && !promotions.has(externalPromotionId)) {
      promotions.add(externalPromotionId);
      this.referenced.add(externalPromotionId);
    }
    return { file, keyLine: this.placed };
  }

  /** True when the open file holds `maxPerFile` assignments and must be closed before the next one. */
  get full(): boolean {
    return this.open !== undefined && this.open.file.assignments >= this.maxPerFile;
  }

  /** Closes the open file, if any, and returns it with its promotions in definition order. */
  close(): PlannedFile | undefined {
    if (this.open === undefined) return undefined;
    const { file, promotions, firstKeyLine } = this.open;
    this.open = undefined;
    file.keyLines = [firstKeyLine, firstKeyLine + file.assignments - 1];
    file.promotionIds = this.inDefinitionOrder(promotions);
    return file;
  }

  /** Ends the plan: returns the last assignment file (if open) followed by the files of definitions no assignment referred to. */
  finish(): PlannedFile[] {
    const out: PlannedFile[] = [];
    const last = this.close();
    if (last !== undefined) out.push(last);
    this.finished = true;
    const alone = [...this.definitionOrder.keys()].filter((id) => !this.referenced.has(id));
    for (let i = 0; i < alone.length; i += this.maxPerFile) {
      this.seq += 1;
      const promotionIds = alone.slice(i, i + this.maxPerFile);
      out.push({
        seq: this.seq,
        name: importFileName(this.timestamp, this.seq),
        promotionIds,
        assignments: 0,
      });
    }
    return out;
  }

  private inDefinitionOrder(ids: Set<string>): string[] {
    return [...ids].sort((a, b) => (this.definitionOrder.get(a) ?? 0) - (this.definitionOrder.get(b) ?? 0));
  }
}

/** Plans every file of a whole batch at once: the same plan the streaming writer follows. */
export function planChunks(
  definitionIds: readonly string[],
  assignmentPromotionIds: readonly string[],
  options: ChunkPlannerOptions,
): PlannedFile[] {
  const planner = new ChunkPlanner(options);
  for (const id of definitionIds) planner.define(id);
  const files: PlannedFile[] = [];
  for (const id of assignmentPromotionIds) {
    planner.place(id);
    if (planner.full) files.push(planner.close()!);
  }
  return [...files, ...planner.finish()];
}
