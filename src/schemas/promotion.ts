import * as z from "zod";
import { CHANNEL_TYPES, VALUE_TYPES } from "./profile.js";

/**
 * A redemption channel as validated (row checks live in `validate/`; this is the shape).
 * `value` and `instruction` are absent when the input left them empty.
 */
export const RedemptionChannelSchema = z.object({
  type: z.enum(CHANNEL_TYPES),
  valueType: z.enum(VALUE_TYPES),
  value: z.string().optional(),
  instruction: z.string().optional(),
});

/** A multichannel promotion definition, as the renderer writes it. Dates are kept as text. */
export const PromotionSchema = z.object({
  externalPromotionId: z.string().min(1).max(450),
  promotionName: z.string().min(1),
  published: z.boolean().optional(),
  /** `YYYY-MM-DD`, or ISO 8601 with an offset. */
  validFromDate: z.string().optional(),
  validToDate: z.string().optional(),
  heading: z.string().optional(),
  description: z.string().optional(),
  /** Zero, one or two channels, at most one per type, POS before ECOM. */
  redemptionChannels: z.array(RedemptionChannelSchema).max(2),
});

/** One contact's promotion code, as the renderer writes it. */
export const AssignmentSchema = z.object({
  externalPromotionId: z.string().min(1).max(450),
  promotionCodeId: z.string().min(1).max(450),
  /** True when the input left promotionCodeId empty and the tool derived it. */
  promotionCodeDerived: z.boolean(),
  contactId: z.string().max(255).optional(),
  externalContactId: z.string().max(255).optional(),
  validFromDate: z.string().optional(),
});

export type RedemptionChannel = z.output<typeof RedemptionChannelSchema>;
export type Promotion = z.output<typeof PromotionSchema>;
export type Assignment = z.output<typeof AssignmentSchema>;
