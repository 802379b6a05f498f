import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import type { EngageRedemptionChannel, RedemptionRow } from "../schemas/voucherify-mapping.js";
import type { VoucherifyRecord, VoucherifyRedemption } from "./voucherify-record.js";

/** The mapping with its customers from every source merged: what planning looks things up in. */
export interface ResolvedMapping {
  tiers: ReadonlyMap<string, string>;
  customers: ReadonlyMap<string, string>;
  channels: {
    byId: ReadonlyMap<string, EngageRedemptionChannel>;
    byType: ReadonlyMap<string, EngageRedemptionChannel>;
    default: EngageRedemptionChannel;
  };
}

/** What an import counts; `read` = redemptions + rollbacks + rejected records that were neither. */
export interface ImportCounts {
  read: number;
  redemptions: number;
  rollbacks: number;
  written: number;
  skippedFailure: number;
  skippedRolledBack: number;
  /** Redemptions left out because their tier or customer has no mapping. */
  unmapped: number;
  /** Records left out with an error (unmapped ones included). */
  rejected: number;
}

/** A record left out with its error codes and its fields, for the rejects file. */
export interface ImportReject {
  at: Location;
  codes: string[];
  raw: Record<string, string>;
}

/** One row to write, with the input line it came from. */
export interface PlannedRedemption {
  row: RedemptionRow;
  at: Location;
}

export interface ImportPlan {
  rows: PlannedRedemption[];
  rejects: ImportReject[];
  issues: Issue[];
  counts: ImportCounts;
}

/**
 * A successful redemption as the planner keeps it until every record is in: the row to write
 * when its tier and customer are mapped, otherwise why not, with the record's fields for the
 * rejects file.
 */
type KeptRedemption = { id: string; at: Location; rolledBack: boolean } & (
  | { row: RedemptionRow; unmapped?: undefined }
  | { unmapped: { issues: Issue[]; raw: Record<string, string> } }
);

/**
 * A copy of a string read from the input that does not hold on to the text around it: the
 * engine keeps a longer string's slices as views of it, so an id kept until the last record
 * would keep its whole read chunk in memory.
 */
function own(text: string): string {
  return JSON.parse(JSON.stringify(text)) as string;
}

/** Picks Engage's channel for a redemption: by channel id, then by type, then the default. */
export function channelOf(r: VoucherifyRedemption, mapping: ResolvedMapping): EngageRedemptionChannel {
  const byId = r.channelId === undefined ? undefined : mapping.channels.byId.get(r.channelId);
  const byType = r.channelType === undefined ? undefined : mapping.channels.byType.get(r.channelType);
  return byId ?? byType ?? mapping.channels.default;
}

/**
 * Collects Voucherify records and, once all are in (a rollback may come after its
 * redemption), plans the redemptions to write: successful, not rolled back, mapped, each id
 * once, in input order. Everything left out is counted; every error left out is a reject.
 */
export class RedemptionPlanner {
  private readonly counts: ImportCounts = {
    read: 0,
    redemptions: 0,
    rollbacks: 0,
    written: 0,
    skippedFailure: 0,
    skippedRolledBack: 0,
    unmapped: 0,
    rejected: 0,
  };
  private readonly issues: Issue[] = [];
  private readonly rejects: ImportReject[] = [];
  private readonly firstAt = new Map<string, Location>();
  /**
   * The successful redemptions in input order, each already mapped: a row to write, or the
   * mapping's issues with the record's fields for the rejects file. Only what the plan needs is
   * kept until the last record (a rollback may come after its redemption): the fields of a
   * mapped record are dropped at once, which took most of an import's memory.
   */
  private readonly kept: KeptRedemption[] = [];
  /** Rolled-back redemption id → the rollback's place. */
  private readonly rollbacks = new Map<string, Location>();

  constructor(private readonly mapping: ResolvedMapping) {}

  /** Adds one record (in input order). */
  add(record: VoucherifyRecord): void {
    this.counts.read += 1;
    if (record.type === "rollback") {
      this.counts.rollbacks += 1;
      if (record.succeeded && !this.rollbacks.has(record.redemptionId))
        this.rollbacks.set(own(record.redemptionId), record.at);
      return;
    }
    if (record.type === "rejected") {
      if (record.id !== undefined && !this.firstAt.has(record.id))
        this.firstAt.set(own(record.id), record.at);
      this.reject(record.at, record.issues, record.raw);
      return;
    }
    this.counts.redemptions += 1;
    const first = this.firstAt.get(record.id);
    if (first !== undefined) {
      this.reject(
        record.at,
        [
          makeIssue(
            "import.duplicate_redemption",
            `id: expected each redemption once, got ${quote(record.id)} again (first at line ${first.line ?? "?"}); this one is left out`,
            { ...record.at, field: "id" },
            { related: [first] },
          ),
        ],
        record.raw,
      );
      return;
    }
    const id = own(record.id);
    this.firstAt.set(id, record.at);
    if (!record.succeeded) {
      this.counts.skippedFailure += 1;
      return;
    }
    this.kept.push(this.mapped(record, id));
  }

  /** Plans the rows once every record is in. */
  finish(): ImportPlan {
    const rows: PlannedRedemption[] = [];
    for (const k of this.kept) {
      if (k.rolledBack || this.rollbacks.has(k.id)) {
        this.counts.skippedRolledBack += 1;
        continue;
      }
      if (k.unmapped !== undefined) {
        this.counts.unmapped += 1;
        this.reject(k.at, k.unmapped.issues, k.unmapped.raw);
        continue;
      }
      rows.push({ at: k.at, row: k.row });
    }
    for (const [id, at] of this.rollbacks) {
      if (!this.firstAt.has(id))
        this.issues.push(
          makeIssue(
            "import.rollback_unmatched",
            `redemption: expected a redemption in the input with the id ${quote(id)}, got none; the rollback changes nothing`,
            { ...at, field: "redemption" },
          ),
        );
    }
    this.counts.written = rows.length;
    return { rows, rejects: this.rejects, issues: this.issues, counts: this.counts };
  }

  /** A successful redemption mapped to its row, or to the mapping's issues with its fields. */
  private mapped(r: VoucherifyRedemption, id: string): KeptRedemption {
    const issues: Issue[] = [];
    const externalPromotionId = this.mapping.tiers.get(r.tierId);
    if (externalPromotionId === undefined)
      issues.push(
        makeIssue(
          "import.tier_unmapped",
          `promotion_tier.id: expected a tier the mapping's "tiers" names, got ${quote(r.tierId)}`,
          { ...r.at, field: "promotion_tier.id" },
        ),
      );
    let contactId: string | undefined;
    for (const key of r.customerKeys) {
      contactId = this.mapping.customers.get(key);
      if (contactId !== undefined) break;
    }
    if (contactId === undefined)
      issues.push(
        makeIssue(
          "import.customer_unmapped",
          `customer.source_id: expected a customer the mapping names, got ${r.customerKeys.map((k) => quote(k)).join(" / ")}`,
          { ...r.at, field: "customer.source_id" },
        ),
      );
    const kept = { id, at: r.at, rolledBack: r.rolledBack };
    if (issues.length > 0) return { ...kept, unmapped: { issues, raw: r.raw } };
    return {
      ...kept,
      row: {
        contactId: contactId!,
        externalPromotionId: externalPromotionId!,
        redemptionChannel: channelOf(r, this.mapping),
        sourceRedemptionId: id,
        redeemedAt: own(r.date),
      },
    };
  }

  private reject(at: Location, issues: Issue[], raw: Record<string, string>): void {
    this.counts.rejected += 1;
    for (const i of issues) this.issues.push(i);
    this.rejects.push({ at, codes: [...new Set(issues.map((i) => i.code))], raw });
  }
}

/** Whether an import may write, and the issues to report with it. */
export interface ImportDecision {
  write: boolean;
  issues: Issue[];
}

/**
 * Decides as `render` does with `--max-rejects`: an error outside any record (a file that
 * cannot be read as a whole), or more rejected records than allowed, means nothing is written;
 * otherwise the valid rows are written and the rejected ones go to the rejects file.
 */
export function decideImport(
  plan: ImportPlan,
  fileIssues: readonly Issue[],
  maxRejects: number,
): ImportDecision {
  const issues = [...fileIssues, ...plan.issues];
  const fileErrors = fileIssues.some((i) => i.severity === "error");
  const over = plan.counts.rejected > maxRejects;
  // with the default of 0 the record errors speak for themselves; with a limit, say it was exceeded
  if (over && maxRejects > 0) {
    const first = plan.rejects[maxRejects];
    issues.push(
      makeIssue(
        "import.too_many_rejects",
        `${plan.counts.rejected} redemptions were rejected, more than --max-rejects ${maxRejects} allows; nothing was written`,
        first?.at ?? { file: issues[0]?.file ?? "" },
      ),
    );
  }
  return { write: !fileErrors && !over, issues };
}
