import type { Location } from "../core/location.js";
import type { ExportKind } from "../schemas/export-record.js";

/**
 * The categories of a reconciliation, in the order every report lists them: problems first.
 * `redeemed` is not a difference: the assignment arrived and was used. `not_checkable` (from
 * `api check` only) is not one either: sent, but not yet started or already ended at the check
 * time, so Engage's API cannot show it.
 */
export const DIFF_CATEGORIES = [
  "missing",
  "mismatched",
  "unexpected",
  "deleted",
  "not_checkable",
  "redeemed",
  "assigned",
] as const;

export type DiffCategory = (typeof DIFF_CATEGORIES)[number];

/** The categories that make `--fail-on-diff` fail. */
export const DIFFERENCE_CATEGORIES: ReadonlySet<DiffCategory> = new Set([
  "missing",
  "mismatched",
  "unexpected",
  "deleted",
]);

/** The contact field that pairs expected assignments with export records. */
export type MatchField = "contactId" | "contactKey";

/** One field that differs between what was sent and what Engage exported, with both values as text. */
export interface FieldDifference {
  /** In the import's vocabulary: `validFromDate`, `validToDate`, `redemptionChannels.POS.value`. */
  field: string;
  expected: string;
  actual: string;
}

/** Where an expected assignment came from. */
export interface SentSource {
  /** The input file and line, or the keys file (`manifest.keys.ndjson`) and line. */
  at: Location;
  /** For a manifest: the input row the render read it from. */
  origin?: Location;
  /** For a manifest: the import file that carried it. */
  importFile?: string;
}

/** The export record that decided an entry's state. */
export interface ExportedSource {
  at: Location;
  kind: ExportKind;
}

/** One line of a reconciliation report: an expected assignment, or export records nothing expected. */
export interface DiffEntry {
  category: DiffCategory;
  /** Empty when the export record had none. */
  externalPromotionId: string;
  /** The contact the entry was matched on; absent when the record or assignment lacked it. */
  contact?: { field: MatchField; value: string };
  promotionCodeId?: string;
  sent?: SentSource;
  exported?: ExportedSource;
  /** For `mismatched`: each differing field with both values. */
  differences: FieldDifference[];
  /** Why an entry could not be matched, when that is the reason for its category. */
  note?: string;
}

/** Counts per category. */
export type DiffCounts = Record<DiffCategory, number>;

/** Zero for every category. */
export function emptyCounts(): DiffCounts {
  return {
    missing: 0,
    mismatched: 0,
    unexpected: 0,
    deleted: 0,
    not_checkable: 0,
    redeemed: 0,
    assigned: 0,
  };
}

/** True when any category that counts as a difference is non-zero. */
export function hasDifferences(counts: DiffCounts): boolean {
  for (const c of DIFFERENCE_CATEGORIES) if (counts[c] > 0) return true;
  return false;
}
