import { CHANNEL_TYPES, VALUE_TYPES } from "./channel-types.js";
import * as z from "zod/mini";
import "./english-messages.js";

const optionalText = () => z.optional(z.string());
/** An identifier Engage stores in at most `max` characters. */
const id = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));

/**
 * A redemption channel as validated (row checks live in `validate/`; this is the shape).
 * `value` and `instruction` are absent when the input left them empty.
 */
export const RedemptionChannelSchema = z.object({
  type: z.enum(CHANNEL_TYPES),
  valueType: z.enum(VALUE_TYPES),
  value: optionalText(),
  instruction: optionalText(),
});

/** A multichannel promotion definition, as the renderer writes it. Dates are kept as text. */
export const PromotionSchema = z.object({
  externalPromotionId: id(450),
  promotionName: z.string().check(z.minLength(1)),
  published: z.optional(z.boolean()),
  /** `YYYY-MM-DD`, or ISO 8601 with an offset. */
  validFromDate: optionalText(),
  validToDate: optionalText(),
  heading: optionalText(),
  description: optionalText(),
  /** Zero, one or two channels, at most one per type, POS before ECOM. */
  redemptionChannels: z.array(RedemptionChannelSchema).check(z.maxLength(2)),
});

/** One contact's promotion code, as the renderer writes it. */
export const AssignmentSchema = z.object({
  externalPromotionId: id(450),
  promotionCodeId: id(450),
  /** True when the input left promotionCodeId empty and the tool derived it. */
  promotionCodeDerived: z.boolean(),
  contactId: z.optional(z.string().check(z.maxLength(255))),
  externalContactId: z.optional(z.string().check(z.maxLength(255))),
  validFromDate: optionalText(),
});

export type RedemptionChannel = z.output<typeof RedemptionChannelSchema>;
export type Promotion = z.output<typeof PromotionSchema>;
export type Assignment = z.output<typeof AssignmentSchema>;
