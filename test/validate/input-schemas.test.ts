import { z } from "zod";
import { describe, expect, it } from "vitest";
import { ASSIGNMENT_KEYS, DEFINITION_KEYS } from "../../src/read/field-names.js";
import { AssignmentInputSchema } from "../../src/schemas/assignment-input.js";
import { PromotionInputSchema, XML_INVALID_CHAR, XML_TEXT } from "../../src/schemas/promotion-input.js";

describe("input schemas", () => {
  it("give the JSON keys of each kind of record", () => {
    expect(DEFINITION_KEYS).toEqual([
      "externalPromotionId",
      "promotionName",
      "published",
      "validFromDate",
      "validToDate",
      "presentation",
      "redemptionChannels",
    ]);
    expect(ASSIGNMENT_KEYS).toEqual([
      "externalPromotionId",
      "promotionCodeId",
      "contactId",
      "externalContactId",
      "validFromDate",
    ]);
  });

  it("turn into JSON Schemas with lengths, patterns and formats", () => {
    for (const io of ["input", "output"] as const) {
      const promotion = z.toJSONSchema(PromotionInputSchema, { io }) as {
        properties: Record<string, Record<string, unknown>>;
        required: string[];
      };
      expect(promotion.required).toEqual(["externalPromotionId", "promotionName"]);
      expect(promotion.properties.externalPromotionId).toMatchObject({
        type: "string",
        minLength: 1,
        maxLength: 450,
        pattern: XML_TEXT.source,
      });
      const assignment = z.toJSONSchema(AssignmentInputSchema, { io }) as {
        properties: Record<string, Record<string, unknown>>;
        required: string[];
      };
      expect(assignment.required).toEqual(["externalPromotionId"]);
      expect(assignment.properties.contactId).toMatchObject({ type: "string", format: "uuid" });
      expect(JSON.stringify(assignment.properties.validFromDate)).toContain('"format":"date"');
    }
  });

  it("agree on which characters XML 1.0 cannot carry", () => {
    const disagree: number[] = [];
    const invalid: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      if (XML_TEXT.test(ch) === XML_INVALID_CHAR.test(ch)) disagree.push(c);
      if (XML_INVALID_CHAR.test(ch)) invalid.push(c);
    }
    expect(disagree).toEqual([]);
    // C0 controls but tab, LF and CR; the 2,048 surrogates alone; U+FFFE and U+FFFF
    expect(invalid.length).toBe(29 + 2048 + 2);
    expect(XML_TEXT.test("😀")).toBe(true);
    expect(XML_TEXT.test("\uD83D")).toBe(false);
  });
});
