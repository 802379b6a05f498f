import * as z from "zod";

/** The channels Engage redeems on: `api redeem` sends one of them with every redemption. */
export const EngageRedemptionChannelSchema = z.enum(["POS", "ECOM", "OTHER"]);

export type EngageRedemptionChannel = z.output<typeof EngageRedemptionChannelSchema>;

/**
 * How Voucherify's redemption channel becomes Engage's: by the channel's id first, then by its
 * type (`USER`, `API`, `CLIENT_API`, `AUTO_REDEEM`), else the default.
 */
export const VoucherifyChannelMappingSchema = z.strictObject({
  byId: z
    .record(z.string().min(1), EngageRedemptionChannelSchema)
    .optional()
    .describe("Voucherify channel.channel_id → POS, ECOM or OTHER"),
  byType: z
    .record(z.string().min(1), EngageRedemptionChannelSchema)
    .optional()
    .describe("Voucherify channel.channel_type → POS, ECOM or OTHER"),
  default: EngageRedemptionChannelSchema.default("OTHER").describe(
    "The channel of a redemption neither byId nor byType names (default OTHER)",
  ),
});

/**
 * The mapping `import voucherify --map` reads: promotion tiers to Engage promotions, customers
 * to Engage contacts (inline, or in a CSV file for large customer bases), channels to Engage's.
 */
export const VoucherifyMappingSchema = z.strictObject({
  $schema: z.string().optional().describe("The JSON Schema of this file, for editors"),
  tiers: z
    .record(z.string().min(1), z.string().min(1).max(450))
    .describe("Voucherify promotion tier id (promo_…) → Engage externalPromotionId (max 450)"),
  customers: z
    .record(z.string().min(1), z.guid())
    .optional()
    .describe("Voucherify customer source_id (or cust_… id) → Engage contact GUID"),
  customersFile: z
    .string()
    .min(1)
    .optional()
    .describe("A CSV file with the columns sourceId and contactId, relative to this mapping file"),
  channels: VoucherifyChannelMappingSchema.optional().describe("Channel mapping; without it every redemption is OTHER"),
});

export type VoucherifyMapping = z.output<typeof VoucherifyMappingSchema>;

/** One line of the redemptions file that `import voucherify` writes and `api redeem` reads. */
export const RedemptionRowSchema = z.strictObject({
  id: z.string().optional().describe("Engage assignment id; empty when contactId and externalPromotionId name it"),
  contactId: z.guid().describe("Engage contact GUID"),
  externalPromotionId: z.string().min(1).max(450).describe("The promotion redeemed"),
  redemptionChannel: EngageRedemptionChannelSchema.describe("Where it was redeemed"),
  sourceRedemptionId: z.string().min(1).optional().describe("The redemption's id in the system it came from (r_…)"),
  redeemedAt: z.string().optional().describe("When it was redeemed, as the source wrote it (ISO 8601)"),
});

export type RedemptionRow = z.output<typeof RedemptionRowSchema>;

/** The columns of a redemptions file, in the order they are written. */
export const REDEMPTION_COLUMNS = [
  "id",
  "contactId",
  "externalPromotionId",
  "redemptionChannel",
  "sourceRedemptionId",
  "redeemedAt",
] as const satisfies readonly (keyof RedemptionRow)[];
