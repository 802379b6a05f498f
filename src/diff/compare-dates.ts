import type { ExportInstant } from "../schemas/export-record.js";

const DAY = /^(\d{4})-(\d{2})-(\d{2})/;
// The export timestamp shapes the parse stage accepts: `T` or a space, `.` or `,` before fractions.
const MIDNIGHT = /^\d{4}-\d{2}-\d{2}[T ]00:00(?::00(?:[.,]0+)?)?(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * The calendar day a sent date names: a plain `YYYY-MM-DD`, or the date part of an ISO 8601
 * date-time, which is the day in that value's own offset.
 */
export function sentDay(text: string): string | undefined {
  if (text.length === 10 && text[4] === "-" && text[7] === "-") return DAY.test(text) ? text : undefined;
  const m = DAY.exec(text.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

// Few distinct days occur in one reconciliation and each is asked for once per record: remember them.
const nextDays = new Map<string, string>();

/** The day after `day` (`YYYY-MM-DD`), on the proleptic Gregorian calendar. */
export function nextDay(day: string): string {
  const known = nextDays.get(day);
  if (known !== undefined) return known;
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
  if (nextDays.size >= 10_000) nextDays.clear();
  nextDays.set(day, next);
  return next;
}

/** True when an exported timestamp is exactly midnight (the start of its day) in its own offset. */
export function isMidnight(raw: string): boolean {
  return MIDNIGHT.test(raw.trim());
}

/** A sent valid-from day matches an exported `validFromDate` on the same calendar day in the export's offset. */
export function validFromMatches(sent: string, exported: ExportInstant): boolean {
  const day = sentDay(sent);
  return day === undefined ? sent.trim() === exported.raw.trim() : day === exported.day;
}

/**
 * A sent `validToDate` is the last valid day; Engage's `expireDateTime` is an instant. Both
 * readings are accepted: any time on that same day (`23:59:59`), or midnight at the start of the
 * following day (the exclusive end). A plain date in the export must be the same day.
 */
export function validToMatches(sent: string, exported: ExportInstant): boolean {
  const day = sentDay(sent);
  if (day === undefined) return sent.trim() === exported.raw.trim();
  if (exported.day === day) return true;
  return isMidnight(exported.raw) && exported.day === nextDay(day);
}
