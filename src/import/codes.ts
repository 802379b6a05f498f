/** Issue codes of the import stage (redemptions from another system turned into Engage's). */
export const IMPORT_CODES = {
  "import.not_a_redemption": {
    severity: "error",
    summary: "A Voucherify record whose object is neither redemption nor redemption_rollback.",
  },
  "import.not_promotion_tier": {
    severity: "error",
    summary: "A redemption whose related_object_type is not promotion_tier (a voucher redemption).",
  },
  "import.field_missing": {
    severity: "error",
    summary:
      "A redemption without its id, date, result, promotion tier or customer (or a rollback without its redemption).",
  },
  "import.invalid_value": {
    severity: "error",
    summary: "A redemption field of the wrong shape (a result, a status, a date, two different tier ids).",
  },
  "import.duplicate_redemption": {
    severity: "error",
    summary: "The same redemption id twice in the input; names both lines, the later is left out.",
  },
  "import.tier_unmapped": {
    severity: "error",
    summary: "A redemption's promotion tier has no externalPromotionId in the mapping.",
  },
  "import.customer_unmapped": {
    severity: "error",
    summary: "A redemption's customer (source_id or id) has no Engage contactId in the mapping.",
  },
  "import.csv_column_missing": {
    severity: "error",
    summary: "A Voucherify CSV export without an id, or a result or status, column; no row is read.",
  },
  "import.rollback_unmatched": {
    severity: "warning",
    summary: "A rollback whose redemption is not in the input; nothing to leave out.",
  },
  "import.too_many_rejects": {
    severity: "error",
    summary: "More rejected redemptions than --max-rejects allows; nothing was written.",
  },
} as const;
