import * as z from "zod";
import { LocationSchema } from "./location.js";

export const EXPORT_KINDS = ["assigned", "redeemed", "deleted"] as const;

/** A timestamp as Engage wrote it (`raw`, seven fractional digits and all) beside the parsed instant. */
export const ExportInstantSchema = z.object({
  raw: z.string(),
  /** ISO 8601 UTC instant (millisecond precision), or absent when `raw` is a plain date. */
  instant: z.string().optional(),
  /** The calendar day in the offset the export gave (`YYYY-MM-DD`): what diff compares. */
  day: z.string(),
});

export const ExportChannelSchema = z.object({
  type: z.string().optional(),
  valueType: z.string().optional(),
  value: z.string().optional(),
  instruction: z.string().optional(),
});

/** One per-contact promotion change from Engage's export. All identifiers stay text. */
export const ExportRecordSchema = z.object({
  kind: z.enum(EXPORT_KINDS),
  contactId: z.string().optional(),
  contactKey: z.string().optional(),
  contactType: z.string().optional(),
  couponId: z.string().optional(),
  promotionId: z.string().optional(),
  externalPromotionId: z.string().optional(),
  description: z.string().optional(),
  validFromDate: ExportInstantSchema.optional(),
  expireDateTime: ExportInstantSchema.optional(),
  redemptionChannels: z.array(ExportChannelSchema),
  currency: z.string().optional(),
  storeId: z.string().optional(),
  storeType: z.string().optional(),
  redeemedDateTime: ExportInstantSchema.optional(),
  /** Children the profile does not name, kept as text by element name. */
  extra: z.record(z.string(), z.string()),
  /** The export file and the line of the record's opening tag. */
  at: LocationSchema,
});

export type ExportKind = (typeof EXPORT_KINDS)[number];
export type ExportInstant = z.output<typeof ExportInstantSchema>;
export type ExportRecord = z.output<typeof ExportRecordSchema>;
