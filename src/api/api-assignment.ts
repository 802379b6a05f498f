import { parseExportInstant } from "../parse/export-timestamp.js";
import type { ExportInstant, ExportRecord } from "../schemas/export-record.js";

/** One assignment as `GET /api/v3/promotion-assignments` returns it (the fields a check reads). */
export interface ApiAssignment {
  id?: unknown;
  promotionId?: unknown;
  externalId?: unknown;
  validFrom?: unknown;
  expiresOn?: unknown;
  redeemed?: unknown;
  redeemedOn?: unknown;
  redemptionChannels?: unknown;
}

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : undefined;

/** A timestamp of the API's as the reconciler reads export timestamps; a shape it does not know keeps its date part. */
function instantOf(v: unknown): ExportInstant | undefined {
  const raw = text(v);
  if (raw === undefined) return undefined;
  const parsed = parseExportInstant(raw.trim());
  if (parsed !== undefined) return parsed;
  return /^\d{4}-\d{2}-\d{2}/.test(raw) ? { raw, day: raw.slice(0, 10) } : undefined;
}

/**
 * A channel's value as text: a number for PERCENT (compared as a number), the amount of a MONEY
 * value (`{ currency, amount }`), the text of an EXTERNALOFFER.
 */
function channelValue(v: unknown): { value?: string; currency?: string } {
  if (typeof v === "object" && v !== null) {
    const o = v as Record<string, unknown>;
    const out: { value?: string; currency?: string } = {};
    const amount = text(o.amount ?? o.Amount);
    const currency = text(o.currency ?? o.Currency);
    if (amount !== undefined) out.value = amount;
    if (currency !== undefined) out.currency = currency;
    return out;
  }
  const value = text(v);
  return value === undefined ? {} : { value };
}

/**
 * Turns one assignment the API returned for `contactId` into the record the reconciler takes,
 * located at the call and the assignment's place in its answer (1-based), as an export record
 * is at its file and line.
 */
export function recordOfApiAssignment(
  contactId: string,
  assignment: ApiAssignment,
  index: number,
  call: string,
): ExportRecord {
  const record: ExportRecord = {
    kind: assignment.redeemed === true ? "redeemed" : "assigned",
    contactId,
    redemptionChannels: [],
    extra: {},
    at: { file: call, line: index },
  };
  const id = text(assignment.id);
  if (id !== undefined) record.couponId = id;
  const promotionId = text(assignment.promotionId);
  if (promotionId !== undefined) record.promotionId = promotionId;
  const externalId = text(assignment.externalId);
  if (externalId !== undefined) record.externalPromotionId = externalId;
  const from = instantOf(assignment.validFrom);
  if (from !== undefined) record.validFromDate = from;
  const to = instantOf(assignment.expiresOn);
  if (to !== undefined) record.expireDateTime = to;
  const redeemedOn = instantOf(assignment.redeemedOn);
  if (redeemedOn !== undefined) record.redeemedDateTime = redeemedOn;
  if (Array.isArray(assignment.redemptionChannels))
    for (const c of assignment.redemptionChannels as unknown[]) {
      if (typeof c !== "object" || c === null) continue;
      const o = c as Record<string, unknown>;
      const channel: ExportRecord["redemptionChannels"][number] = {};
      const type = text(o.type);
      const valueType = text(o.valueType);
      const instruction = text(o.instruction);
      const { value, currency } = channelValue(o.value);
      if (type !== undefined) channel.type = type;
      if (valueType !== undefined) channel.valueType = valueType;
      if (value !== undefined) channel.value = value;
      if (instruction !== undefined) channel.instruction = instruction;
      if (currency !== undefined && record.currency === undefined) record.currency = currency;
      record.redemptionChannels.push(channel);
    }
  return record;
}
