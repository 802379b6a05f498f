/** Issue codes of row validation: one row against its schema. */
export const VALIDATE_CODES = {
  "validate.issues_omitted": {
    severity: "warning",
    summary: "More issues than `validate` lists (100,000); the rest are counted, not shown.",
  },
  "validate.required": { severity: "error", summary: "A required field is missing or empty." },
  "validate.too_long": {
    severity: "error",
    summary: "A text longer than Engage's maximum (450, 255 or 512).",
  },
  "validate.not_guid": { severity: "error", summary: "contactId is not a GUID (8-4-4-4-12 hex digits)." },
  "validate.invalid_date": {
    severity: "error",
    summary: "Not a real calendar date as YYYY-MM-DD or ISO 8601 with an offset.",
  },
  "validate.date_without_offset": {
    severity: "error",
    summary: "A date-time without an offset, and no --timezone given.",
  },
  "validate.invalid_boolean": { severity: "error", summary: "published is not true or false." },
  "validate.invalid_channel_type": {
    severity: "error",
    summary: "A redemption channel type other than POS or ECOM.",
  },
  "validate.invalid_value_type": {
    severity: "error",
    summary: "A value type other than EXTERNALOFFER, PERCENT, MONEY or MANUAL.",
  },
  "validate.value_type_not_allowed": {
    severity: "error",
    summary: "A value type the format profile does not allow.",
  },
  "validate.invalid_percent": {
    severity: "error",
    summary: "A PERCENT value that is not a whole number from 1 to 100.",
  },
  "validate.invalid_money": {
    severity: "error",
    summary: "A MONEY value that is not a non-negative decimal with '.'.",
  },
  "validate.manual_on_ecom": {
    severity: "error",
    summary: "MANUAL is a store instruction and never valid on an ECOM channel.",
  },
  "validate.duplicate_channel": {
    severity: "error",
    summary: "Two redemption channels of the same type in one promotion.",
  },
  "validate.channel_incomplete": {
    severity: "error",
    summary: "A channel value or instruction without its value type.",
  },
  "validate.xml_invalid_char": {
    severity: "error",
    summary: "A character XML 1.0 cannot carry (control characters, lone surrogates).",
  },
  "validate.valid_to_before_from": { severity: "error", summary: "validToDate is before validFromDate." },
  "validate.invalid_value": { severity: "error", summary: "A value of the wrong type or shape." },
  "validate.unknown_field": {
    severity: "warning",
    summary: "A field the tool does not know; it is ignored.",
  },
  "validate.external_contact_deprecated": {
    severity: "warning",
    summary: "externalContactId without contactId: deprecated in Engage.",
  },
} as const;
