/** The value types a redemption channel may carry. */
export const VALUE_TYPES = ["EXTERNALOFFER", "PERCENT", "MONEY", "MANUAL"] as const;
/** The redemption channels a promotion may have. */
export const CHANNEL_TYPES = ["POS", "ECOM"] as const;
