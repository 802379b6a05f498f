import * as z from "zod";
import { CHANNEL_TYPES, VALUE_TYPES } from "./profile.js";

/**
 * A character XML 1.0 cannot carry: C0 controls other than tab, line feed and carriage return,
 * lone surrogates, U+FFFE and U+FFFF. With the `u` flag a surrogate pair is one code point
 * above U+FFFF, so only a lone surrogate falls in the range.
 */
export const XML_INVALID_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/u;

/** Text made only of characters XML 1.0 can carry: none of XML_INVALID_CHAR. */
export const XML_TEXT = /^[^\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]*$/u;

/**
 * Text that XML 1.0 can carry; every text field of an input record is one. Identifiers are
 * text: a JSON reader hands a number on as its source text (`1E5` stays `1E5`, 20 digits stay
 * exact), so numbers are accepted in JSON files, but text is the documented form. A regex (not
 * a refinement) so the JSON Schema shows it and zod checks it at regex speed.
 */
export const XmlTextSchema = z.string().regex(XML_TEXT);

/**
 * A calendar date `YYYY-MM-DD`, or an ISO 8601 date-time with seconds and an offset (`Z` or
 * `±HH:MM`). Both must be real calendar dates (no 2026-02-30). An offset-less date-time is
 * only accepted after the reader converted it with `--timezone`.
 */
export const DateTextSchema = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .describe("A date like 2026-03-01, or a date-time with an offset like 2026-03-01T08:00:00+01:00");

/** `true` or `false` in any letter case (spreadsheets write TRUE), or a JSON boolean. */
export const BooleanInputSchema = z.union([
  z.boolean(),
  z.string().regex(/^(?:[Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$/),
]);

/** A whole number from 1 to 100, as PERCENT values are written. */
export const PERCENT_TEXT = /^(?:[1-9][0-9]?|100)$/;
/** A non-negative decimal with `.` as the separator, as MONEY values are written. */
export const MONEY_TEXT = /^[0-9]+(?:\.[0-9]+)?$/;

/** A redemption channel as an input record writes it (`redemptionChannels[i]` in JSON). */
export const RedemptionChannelInputSchema = z
  .object({
    type: z.enum(CHANNEL_TYPES).describe("POS (in store) or ECOM (online); at most one channel per type"),
    valueType: z.enum(VALUE_TYPES).describe("MANUAL only on POS; a profile may allow fewer types"),
    value: XmlTextSchema.max(512)
      .optional()
      .describe("PERCENT: a whole number 1-100; MONEY: a decimal with '.'; otherwise free text (max 512)"),
    instruction: XmlTextSchema.optional().describe("Text for store staff"),
  })
  .superRefine((channel, ctx) => {
    const value = channel.value;
    if (channel.valueType === "PERCENT" && (value === undefined || !PERCENT_TEXT.test(value))) {
      ctx.addIssue({ code: "custom", path: ["value"], input: value, params: { code: "validate.invalid_percent" } });
    }
    if (channel.valueType === "MONEY" && (value === undefined || !MONEY_TEXT.test(value))) {
      ctx.addIssue({ code: "custom", path: ["value"], input: value, params: { code: "validate.invalid_money" } });
    }
    if (channel.valueType === "MANUAL" && channel.type === "ECOM") {
      ctx.addIssue({ code: "custom", path: ["valueType"], input: channel.valueType, params: { code: "validate.manual_on_ecom" } });
    }
  });

/** The presentation texts of a promotion; Engage defaults both to the promotion's name. */
export const PresentationInputSchema = z.object({
  heading: XmlTextSchema.optional(),
  description: XmlTextSchema.optional(),
});

/**
 * A promotion definition as a JSON input record writes it (a CSV row is shaped into the same
 * record before it is checked). Cross-field rules live here too: one channel per type, and
 * `validToDate` not before `validFromDate`.
 */
export const PromotionInputSchema = z
  .object({
    externalPromotionId: XmlTextSchema.min(1).max(450).describe("The promotion's key in Engage (max 450)"),
    promotionName: XmlTextSchema.min(1),
    published: BooleanInputSchema.optional().describe("Defaults to true in Engage"),
    validFromDate: DateTextSchema.optional(),
    validToDate: DateTextSchema.optional().describe("The last valid day; not before validFromDate"),
    presentation: PresentationInputSchema.optional(),
    redemptionChannels: z
      .array(RedemptionChannelInputSchema)
      .optional()
      .describe("Taken only when Engage first creates the promotion; none means one POS and one ECOM EXTERNALOFFER"),
  })
  .superRefine((promotion, ctx) => {
    const channels = promotion.redemptionChannels ?? [];
    channels.forEach((channel, index) => {
      const first = channels.findIndex((other) => other.type === channel.type);
      if (first < index) {
        ctx.addIssue({
          code: "custom",
          path: ["redemptionChannels", index, "type"],
          input: channel.type,
          params: { code: "validate.duplicate_channel", first },
        });
      }
    });
    const from = promotion.validFromDate;
    const to = promotion.validToDate;
    if (from !== undefined && to !== undefined && compareDateTexts(to, from) < 0) {
      ctx.addIssue({ code: "custom", path: ["validToDate"], input: to, params: { code: "validate.valid_to_before_from", from } });
    }
  });

/**
 * Orders two valid date texts: when either is a plain date, by calendar date as written (a
 * date-time counts as the day in its own offset); otherwise by instant.
 */
export function compareDateTexts(a: string, b: string): number {
  if (a.length === 10 || b.length === 10) {
    const da = a.slice(0, 10);
    const db = b.slice(0, 10);
    return da < db ? -1 : da > db ? 1 : 0;
  }
  return Math.sign(Date.parse(a) - Date.parse(b));
}

export type PromotionInput = z.output<typeof PromotionInputSchema>;
export type RedemptionChannelInput = z.output<typeof RedemptionChannelInputSchema>;
