/** Issue codes of the rules across rows of a batch. */
export const RULES_CODES = {
  "rules.duplicate_promotion": {
    severity: "error",
    summary: "The same externalPromotionId defined twice; names both lines.",
  },
  "rules.duplicate_code": {
    severity: "error",
    summary: "The same promotionCodeId twice in the batch; names both lines.",
  },
  "rules.duplicate_assignment": {
    severity: "warning",
    summary: "The same contact assigned the same promotion twice; names both lines.",
  },
  "rules.undefined_promotion": {
    severity: "warning",
    summary: "An assignment's promotion is not defined in the batch (an error with --require-definitions).",
  },
  "rules.assignment_before_promotion": {
    severity: "error",
    summary: "An assignment's validFromDate is before its promotion's validFromDate.",
  },
  "rules.channels_changed": {
    severity: "warning",
    summary: "A definition's channels differ from what an earlier run sent; Engage keeps the first ones.",
  },
  "rules.too_many_rejects": { severity: "error", summary: "More invalid rows than --max-rejects allows." },
} as const;
