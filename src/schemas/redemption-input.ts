import * as z from "zod";

/** The channels a redemption can name; v3 documents POS and ECOM, v2 also OTHER. */
export const RedemptionChannelSchema = z.enum(["POS", "ECOM", "OTHER"]);

/**
 * One row of a redemptions file for `api redeem`: the assignment to redeem (its own `id`, or the
 * promotion's `externalPromotionId` with the `contactId`) and the channel it was used in. The
 * rule "needs `id`, or `externalPromotionId` with `contactId`" is checked after this schema, as
 * for assignments.
 */
export const RedemptionInputSchema = z.object({
  id: z.string().min(1).max(255).optional().describe("The assignment id: one contact's instance of a promotion"),
  contactId: z.guid().optional().describe("Engage's contact GUID; used to resolve and read back the assignment"),
  externalPromotionId: z.string().min(1).max(450).optional().describe("The promotion's external id (with contactId)"),
  redemptionChannel: RedemptionChannelSchema.describe("Where the promotion was used: POS, ECOM or OTHER"),
  sourceRedemptionId: z
    .string()
    .max(255)
    .optional()
    .describe("The old system's redemption id, carried into the journal and the report"),
  redeemedAt: z.string().max(64).optional().describe("When it was redeemed in the old system (ISO 8601; informational)"),
});

export type RedemptionInput = z.output<typeof RedemptionInputSchema>;
