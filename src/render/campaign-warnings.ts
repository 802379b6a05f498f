import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import type { Promotion } from "../schemas/promotion.js";
import { groupDigits } from "../core/format-amount.js";

/** Engage's own limit of assignments in one import file, whatever a profile says. */
export const ENGAGE_MAX_ASSIGNMENTS_PER_FILE = 20_000;

/** A warning when the files would hold more assignments than Engage imports from one file. */
export function checkMaxPerFile(maxPerFile: number, outDir: string): Issue | undefined {
  if (maxPerFile <= ENGAGE_MAX_ASSIGNMENTS_PER_FILE) return undefined;
  return makeIssue(
    "render.max_per_file_over_engage",
    `--max-per-file: expected at most ${groupDigits(ENGAGE_MAX_ASSIGNMENTS_PER_FILE)} assignments a file (Engage's limit), got ${groupDigits(maxPerFile)}; Engage may refuse the larger files`,
    { file: outDir },
  );
}

/**
 * The last instant a `validToDate` covers: an instant as written, a calendar day to its end in
 * the last time zone on earth (UTC-12), so no zone's customer still inside the day is warned about.
 */
function endOf(validToDate: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(validToDate)
    ? Date.parse(`${validToDate}T23:59:59.999-12:00`)
    : Date.parse(validToDate);
}

/** A warning when a promotion has already ended at the render's timestamp: no contact can redeem it. */
export function checkExpired(promotion: Promotion, at: Location, renderedAt: Date): Issue | undefined {
  const to = promotion.validToDate;
  if (to === undefined || to === "") return undefined;
  const end = endOf(to);
  if (Number.isNaN(end) || end >= renderedAt.getTime()) return undefined;
  return makeIssue(
    "render.promotion_expired",
    `validToDate: expected a date not yet past at render time (${renderedAt.toISOString()}), got ${quote(to)}; promotion ${quote(promotion.externalPromotionId)} has already ended`,
    { ...at, field: "validToDate" },
  );
}
