import { formatLocation, type Location } from "../core/location.js";
import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { Assignment, Promotion, RedemptionChannel } from "../schemas/promotion.js";
import { compareDateTexts } from "../schemas/promotion-input.js";
import { HashIndex } from "./hash-index.js";
import type { SpillFile } from "./key-log.js";

/** What an earlier run sent for a promotion: its channels and where that is recorded. */
export interface PreviousPromotion {
  redemptionChannels: RedemptionChannel[];
  at: Location;
}

export interface BatchRulesOptions {
  /** An assignment whose promotion the batch does not define is an error, not a warning. */
  requireDefinitions?: boolean | undefined;
  previousPromotions?: ReadonlyMap<string, PreviousPromotion> | undefined;
  /** Opens a file for the keys of the duplicate rules, so that memory stays flat; without it they stay in memory. */
  spill?: (() => SpillFile) | undefined;
}

interface DefinedPromotion {
  validFromDate: string | undefined;
  at: Location;
}

/** The outcome of the rules for one row: its issues, and whether it is rejected (any error). */
export interface RuleOutcome {
  issues: Issue[];
  rejected: boolean;
}

const NONE: RuleOutcome = { issues: [], rejected: false };

function describeChannels(channels: readonly RedemptionChannel[]): string {
  if (channels.length === 0) return "no channels (Engage's default POS and ECOM EXTERNALOFFER)";
  return channels
    .map((c) =>
      [c.type, c.valueType, c.value === undefined ? "" : quote(c.value)].filter((s) => s !== "").join(" "),
    )
    .join(", ");
}

function channelKey(channels: readonly RedemptionChannel[]): string {
  return [...channels]
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0))
    .map((c) => JSON.stringify([c.type, c.valueType, c.value ?? "", c.instruction ?? ""]))
    .join("|");
}

/**
 * The rules across the rows of a batch: duplicates, references from assignments to their
 * promotion, and channels that differ from an earlier run. Feed every definition before any
 * assignment; only rows that pass their own checks come here, and only kept rows are
 * remembered, so a duplicate always points at the row that is sent.
 */
export class BatchRules {
  private readonly promotions = new Map<string, DefinedPromotion>();
  private readonly rejectedPromotions = new Map<string, Location>();
  private readonly codes: HashIndex;
  private readonly pairs: HashIndex;
  private readonly undefinedReported: HashIndex;
  /**
   * The indexes store one number per key: a position that is the line plus the base of the
   * file's stretch, each file (as read) taking the positions after the previous one's lines.
   */
  private readonly stretches: { file: string; base: number }[] = [];
  private maxLine = 0;

  constructor(private readonly options: BatchRulesOptions = {}) {
    const indexOptions = { spill: options.spill };
    this.codes = new HashIndex(indexOptions);
    this.pairs = new HashIndex(indexOptions);
    this.undefinedReported = new HashIndex(indexOptions);
  }

  /** Announces about how many assignments will come, so the duplicate checks size their tables once. */
  expectAssignments(count: number): void {
    this.codes.reserve(count);
    this.pairs.reserve(count);
  }

  /** Releases the files of the duplicate checks; no row is checked after. */
  close(): void {
    this.codes.close();
    this.pairs.close();
    this.undefinedReported.close();
  }

  private position(at: Location): number {
    const line = at.line ?? 0;
    const current = this.stretches[this.stretches.length - 1];
    if (current === undefined || current.file !== at.file) {
      const base = current === undefined ? 0 : current.base + this.maxLine + 1;
      this.stretches.push({ file: at.file, base });
      this.maxLine = line;
      return base + line;
    }
    if (line > this.maxLine) this.maxLine = line;
    return current.base + line;
  }

  private where(position: number): Location {
    for (let i = this.stretches.length - 1; i >= 0; i--) {
      const stretch = this.stretches[i]!;
      if (stretch.base <= position) return { file: stretch.file, line: position - stretch.base };
    }
    return { file: "", line: position };
  }

  /** Notes that a definition was rejected, so assignments to it can say so. */
  definitionRejected(externalPromotionId: string | undefined, at: Location): void {
    if (
      externalPromotionId !== undefined &&
      !this.promotions.has(externalPromotionId) &&
      !this.rejectedPromotions.has(externalPromotionId)
    ) {
      this.rejectedPromotions.set(externalPromotionId, at);
    }
  }

  /** Checks a valid definition against the batch; remembers it when it is kept. */
  promotion(
    promotion: Promotion,
    at: Location,
    locate: (field: string) => Location = (field) => ({ ...at, field }),
  ): RuleOutcome {
    const id = promotion.externalPromotionId;
    const first = this.promotions.get(id);
    if (first !== undefined) {
      const issue = makeIssue(
        "rules.duplicate_promotion",
        `externalPromotionId: expected each promotion defined once, got ${quote(id)} again (first at ${formatLocation(first.at)})`,
        locate("externalPromotionId"),
        { related: [first.at] },
      );
      return { issues: [issue], rejected: true };
    }
    this.promotions.set(id, { validFromDate: promotion.validFromDate, at });
    this.rejectedPromotions.delete(id);
    const previous = this.options.previousPromotions?.get(id);
    if (
      previous !== undefined &&
      channelKey(previous.redemptionChannels) !== channelKey(promotion.redemptionChannels)
    ) {
      const issue = makeIssue(
        "rules.channels_changed",
        `redemptionChannels: expected the channels sent before (${describeChannels(previous.redemptionChannels)}, at ${formatLocation(previous.at)}), got ${describeChannels(promotion.redemptionChannels)}; Engage keeps the channels a promotion was created with`,
        locate("redemptionChannels"),
        { related: [previous.at] },
      );
      return { issues: [issue], rejected: false };
    }
    return NONE;
  }

  /** Checks a valid assignment against the batch; remembers its keys when it is kept. */
  assignment(
    assignment: Assignment,
    at: Location,
    locate: (field: string) => Location = (field) => ({ ...at, field }),
  ): RuleOutcome {
    const issues: Issue[] = [];
    let rejected = false;
    const position = this.position(at);
    const promotionId = assignment.externalPromotionId;

    const promotion = this.promotions.get(promotionId);
    if (promotion === undefined) {
      const rejectedAt = this.rejectedPromotions.get(promotionId);
      const why =
        rejectedAt === undefined ? "" : `; its definition at ${formatLocation(rejectedAt)} was rejected`;
      if (this.options.requireDefinitions) {
        rejected = true;
        issues.push(
          makeIssue(
            "rules.undefined_promotion",
            `externalPromotionId: expected a promotion defined in the batch (--require-definitions), got ${quote(promotionId)}${why}`,
            locate("externalPromotionId"),
            { severity: "error" },
          ),
        );
      } else if (this.undefinedReported.find(promotionId) === undefined) {
        this.undefinedReported.add(position);
        issues.push(
          makeIssue(
            "rules.undefined_promotion",
            `externalPromotionId: expected a promotion defined in the batch, got ${quote(promotionId)}${why}; Engage must already have it (reported at its first assignment only)`,
            locate("externalPromotionId"),
          ),
        );
      }
    } else if (
      assignment.validFromDate !== undefined &&
      promotion.validFromDate !== undefined &&
      compareDateTexts(assignment.validFromDate, promotion.validFromDate) < 0
    ) {
      rejected = true;
      issues.push(
        makeIssue(
          "rules.assignment_before_promotion",
          `validFromDate: expected a date not before the promotion's validFromDate ${promotion.validFromDate} (${formatLocation(promotion.at)}), got ${quote(assignment.validFromDate)}`,
          locate("validFromDate"),
          { related: [promotion.at] },
        ),
      );
    }

    const contactField = assignment.contactId !== undefined ? "contactId" : "externalContactId";
    // A GUID's letter case does not change the contact; an externalContactId is marked apart.
    const samePair =
      assignment.contactId !== undefined
        ? this.pairs.find(promotionId, assignment.contactId, true)
        : this.pairs.find(promotionId, `\u0001${assignment.externalContactId ?? ""}`);
    if (samePair !== undefined) {
      const first = this.where(samePair);
      issues.push(
        makeIssue(
          "rules.duplicate_assignment",
          `${contactField}: expected each contact once per promotion, got ${quote(assignment.contactId ?? assignment.externalContactId ?? "")} with ${quote(promotionId)} again (first at ${formatLocation(first)})`,
          locate(contactField),
          { related: [first] },
        ),
      );
    }

    const sameCode = this.codes.find(assignment.promotionCodeId);
    if (sameCode !== undefined) {
      const first = this.where(sameCode);
      rejected = true;
      const derived = assignment.promotionCodeDerived ? " (derived from the same promotion and contact)" : "";
      issues.push(
        makeIssue(
          "rules.duplicate_code",
          `promotionCodeId: expected each code once in the batch, got ${quote(assignment.promotionCodeId)}${derived} again (first at ${formatLocation(first)})`,
          locate("promotionCodeId"),
          { related: [first] },
        ),
      );
    }

    if (!rejected) {
      // each find above left its slot ready: remember the keys of the row that is kept
      this.codes.add(position);
      if (samePair === undefined) this.pairs.add(position);
    }
    return issues.length === 0 ? NONE : { issues, rejected };
  }

  /** The promotions the batch defines (kept rows), by id. */
  definedPromotion(id: string): { validFromDate: string | undefined; at: Location } | undefined {
    return this.promotions.get(id);
  }
}
