import { parseExportInstant } from "../../src/parse/export-timestamp.js";
import type { ExportKind, ExportRecord } from "../../src/schemas/export-record.js";
import type { ExpectedAssignment, ExpectedPromotion } from "../../src/diff/expected.js";

/** An export timestamp as the parse stage reads it. */
export function instant(raw: string): NonNullable<ExportRecord["validFromDate"]> {
  const parsed = parseExportInstant(raw);
  if (parsed === undefined) throw new Error(`not a timestamp: ${raw}`);
  return parsed;
}

/** An export record with the usual fields; `over` replaces any of them. */
export function exportRecord(
  kind: ExportKind,
  fields: {
    externalPromotionId?: string;
    contactId?: string;
    contactKey?: string;
    couponId?: string;
    validFrom?: string;
    expire?: string;
    file?: string;
    line?: number;
  },
  over: Partial<ExportRecord> = {},
): ExportRecord {
  const r: ExportRecord = {
    kind,
    redemptionChannels: [],
    extra: {},
    at: { file: fields.file ?? "exports/20260302080000_assigned.xml", line: fields.line ?? 3 },
  };
  if (fields.externalPromotionId !== undefined) r.externalPromotionId = fields.externalPromotionId;
  if (fields.contactId !== undefined) r.contactId = fields.contactId;
  if (fields.contactKey !== undefined) r.contactKey = fields.contactKey;
  if (fields.couponId !== undefined) r.couponId = fields.couponId;
  if (fields.validFrom !== undefined) r.validFromDate = instant(fields.validFrom);
  if (fields.expire !== undefined) r.expireDateTime = instant(fields.expire);
  return { ...r, ...over };
}

/** A promotion as the expected side knows it; a field given as `undefined` is left out (not known). */
export function promotion(
  id: string,
  over: { [K in keyof ExpectedPromotion]?: ExpectedPromotion[K] | undefined } = {},
): ExpectedPromotion {
  const p: Record<string, unknown> = {
    externalPromotionId: id,
    validFromDate: "2026-03-01",
    validToDate: "2026-03-31",
    channels: [
      { type: "POS", valueType: "PERCENT", value: "20" },
      { type: "ECOM", valueType: "PERCENT", value: "20" },
    ],
    at: { file: "definitions.csv", line: 2 },
    ...over,
  };
  for (const [k, v] of Object.entries(p)) if (v === undefined) delete p[k];
  return p as unknown as ExpectedPromotion;
}

/** An assignment as sent, from `assignments.csv` at `line`. */
export function assignment(
  id: string,
  contactId: string | undefined,
  line: number,
  over: Partial<ExpectedAssignment> = {},
): ExpectedAssignment {
  const a: ExpectedAssignment = {
    externalPromotionId: id,
    promotionCodeId: `${id}-${line}`,
    sent: { at: { file: "assignments.csv", line } },
    ...over,
  };
  if (contactId !== undefined) a.contactId = contactId;
  return a;
}

/** The channels Engage exports for a 20% promotion in store and online. */
export const PERCENT_20 = [
  { type: "POS", valueType: "PERCENT", value: "20.00" },
  { type: "ECOM", valueType: "PERCENT", value: "20.00" },
];
