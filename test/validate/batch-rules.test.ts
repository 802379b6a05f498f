import { describe, expect, it } from "vitest";
import { derivePromotionCodeId } from "../../src/validate/promotion-code.js";
import {
  assignment,
  ASSIGNMENTS_HEADER,
  definition,
  GUID_1,
  GUID_2,
  GUID_3,
  positions,
  validateCsv,
  validateFiles,
} from "./support.js";

describe("rules across the rows of a batch", () => {
  it("rejects a second definition of the same promotion, naming both lines", async () => {
    const result = await validateCsv([definition(), definition({ promotionName: "Again" })], []);
    expect(positions(result)).toEqual([
      ["rules.duplicate_promotion", "definitions.csv", 3, 1, "externalPromotionId"],
    ]);
    const issue = result.issues[0]!;
    expect(issue.related).toEqual([{ file: result.path("definitions.csv"), line: 2, record: 1 }]);
    expect(issue.message).toBe(
      `externalPromotionId: expected each promotion defined once, got "SPRING-26" again (first at ${result.path("definitions.csv")}:2)`,
    );
    expect(result.promotions.map((p) => p.promotion.promotionName)).toEqual(["Spring"]);
    expect(result.rejected.map((r) => [r.at.line, r.codes])).toEqual([[3, ["rules.duplicate_promotion"]]]);
  });

  it("rejects a promotion code used twice anywhere in the batch, naming both lines", async () => {
    const result = await validateFiles({
      "definitions.csv": `${["externalPromotionId;promotionName", "SPRING-26;Spring", "SHOES;Shoes"].join("\n")}\n`,
      "a.csv": `${ASSIGNMENTS_HEADER}\n${assignment({ promotionCodeId: "CODE-1" })}\n`,
      "b.csv": `${ASSIGNMENTS_HEADER}\n${assignment({ promotionCodeId: "CODE-2", contactId: GUID_2 })}\n${assignment({ externalPromotionId: "SHOES", promotionCodeId: "CODE-1", contactId: GUID_3 })}\n`,
    });
    expect(positions(result)).toEqual([["rules.duplicate_code", "b.csv", 3, 2, "promotionCodeId"]]);
    expect(result.issues[0]!.related).toEqual([{ file: result.path("a.csv"), line: 2 }]);
    expect(result.issues[0]!.message).toBe(
      `promotionCodeId: expected each code once in the batch, got "CODE-1" again (first at ${result.path("a.csv")}:2)`,
    );
    expect(result.assignments.map((a) => a.assignment.promotionCodeId)).toEqual(["CODE-1", "CODE-2"]);
  });

  it("counts a code from a rejected row as unused", async () => {
    const result = await validateCsv(
      [definition()],
      [assignment({ promotionCodeId: "C", contactId: "bad" }), assignment({ promotionCodeId: "C" })],
    );
    expect(positions(result)).toEqual([["validate.not_guid", "assignments.csv", 2, 3, "contactId"]]);
    expect(result.assignments.map((a) => a.at.line)).toEqual([3]);
  });

  it("warns about the same contact assigned the same promotion twice, naming both lines", async () => {
    const upper = GUID_1.toUpperCase();
    const result = await validateCsv(
      [definition()],
      [assignment({ promotionCodeId: "A" }), assignment({ promotionCodeId: "B", contactId: upper })],
    );
    expect(positions(result)).toEqual([["rules.duplicate_assignment", "assignments.csv", 3, 3, "contactId"]]);
    const issue = result.issues[0]!;
    expect(issue.severity).toBe("warning");
    expect(issue.related).toEqual([{ file: result.path("assignments.csv"), line: 2 }]);
    expect(result.assignments).toHaveLength(2);
  });

  it("tells contacts by externalContactId apart from contacts by contactId", async () => {
    const result = await validateCsv(
      [definition()],
      [
        assignment({ promotionCodeId: "A", contactId: "", externalContactId: GUID_1 }),
        assignment({ promotionCodeId: "B", contactId: GUID_1 }),
      ],
    );
    expect(result.issues.map((i) => i.code)).toEqual(["validate.external_contact_deprecated"]);
  });

  it("derives an empty promotionCodeId, and a derived duplicate is a duplicate code", async () => {
    const result = await validateCsv(
      [definition()],
      [
        assignment({ promotionCodeId: "" }),
        assignment({ promotionCodeId: "", contactId: GUID_2 }),
        assignment({ promotionCodeId: "" }),
      ],
    );
    const derived = derivePromotionCodeId("SPRING-26", GUID_1, undefined);
    expect(
      result.assignments.map((a) => [a.assignment.promotionCodeId, a.assignment.promotionCodeDerived]),
    ).toEqual([
      [derived, true],
      [derivePromotionCodeId("SPRING-26", GUID_2, undefined), true],
    ]);
    expect(positions(result)).toEqual([
      ["rules.duplicate_assignment", "assignments.csv", 4, 3, "contactId"],
      ["rules.duplicate_code", "assignments.csv", 4, 2, "promotionCodeId"],
    ]);
    expect(result.issues[1]!.message).toContain("(derived from the same promotion and contact)");
    expect(result.issues[1]!.related).toEqual([{ file: result.path("assignments.csv"), line: 2 }]);
  });

  it("warns once per promotion about assignments to a promotion the batch does not define", async () => {
    const result = await validateCsv(
      [],
      [
        assignment({ promotionCodeId: "A" }),
        assignment({ promotionCodeId: "B", contactId: GUID_2 }),
        assignment({ externalPromotionId: "OTHER", promotionCodeId: "C" }),
      ],
    );
    expect(positions(result)).toEqual([
      ["rules.undefined_promotion", "assignments.csv", 2, 1, "externalPromotionId"],
      ["rules.undefined_promotion", "assignments.csv", 4, 1, "externalPromotionId"],
    ]);
    expect(result.issues.every((i) => i.severity === "warning")).toBe(true);
    expect(result.issues[0]!.message).toBe(
      'externalPromotionId: expected a promotion defined in the batch, got "SPRING-26"; Engage must already have it (reported at its first assignment only)',
    );
    expect(result.assignments).toHaveLength(3);
  });

  it("makes an undefined promotion an error for every row with requireDefinitions", async () => {
    const result = await validateCsv(
      [],
      [assignment({ promotionCodeId: "A" }), assignment({ promotionCodeId: "B", contactId: GUID_2 })],
      { requireDefinitions: true },
    );
    expect(positions(result)).toEqual([
      ["rules.undefined_promotion", "assignments.csv", 2, 1, "externalPromotionId"],
      ["rules.undefined_promotion", "assignments.csv", 3, 1, "externalPromotionId"],
    ]);
    expect(result.issues.every((i) => i.severity === "error")).toBe(true);
    expect(result.rejected.map((r) => r.codes)).toEqual([
      ["rules.undefined_promotion"],
      ["rules.undefined_promotion"],
    ]);
  });

  it("says when the promotion's definition was rejected", async () => {
    const result = await validateCsv([definition({ promotionName: "" })], [assignment()]);
    expect(result.issues.map((i) => i.code)).toEqual(["validate.required", "rules.undefined_promotion"]);
    expect(result.issues[1]!.message).toContain(
      `its definition at ${result.path("definitions.csv")}:2 was rejected`,
    );
  });

  it("rejects an assignment that starts before its promotion, naming the promotion's line", async () => {
    const result = await validateCsv(
      [definition({ validFromDate: "2026-03-01T00:00:00+01:00" })],
      [
        assignment({ promotionCodeId: "A", validFromDate: "2026-03-01" }),
        assignment({ promotionCodeId: "B", contactId: GUID_2, validFromDate: "2026-02-28" }),
        assignment({ promotionCodeId: "C", contactId: GUID_3, validFromDate: "2026-02-28T23:30:00Z" }),
      ],
    );
    expect(positions(result)).toEqual([
      ["rules.assignment_before_promotion", "assignments.csv", 3, 5, "validFromDate"],
    ]);
    expect(result.issues[0]!.related).toEqual([{ file: result.path("definitions.csv"), line: 2, record: 1 }]);
    expect(result.issues[0]!.message).toBe(
      `validFromDate: expected a date not before the promotion's validFromDate 2026-03-01T00:00:00+01:00 (${result.path("definitions.csv")}:2), got "2026-02-28"`,
    );
    expect(result.assignments.map((a) => a.assignment.promotionCodeId)).toEqual(["A", "C"]);
  });

  it("warns when a definition's channels differ from what an earlier run sent", async () => {
    const earlier = { file: "out/manifest.json", field: "promotions[0]" };
    const previousPromotions = new Map([
      [
        "SPRING-26",
        {
          redemptionChannels: [{ type: "POS" as const, valueType: "PERCENT" as const, value: "25" }],
          at: earlier,
        },
      ],
      [
        "SHOES",
        { redemptionChannels: [{ type: "POS" as const, valueType: "EXTERNALOFFER" as const }], at: earlier },
      ],
    ]);
    const result = await validateCsv(
      [
        definition(),
        definition({ externalPromotionId: "SHOES", posValueType: "EXTERNALOFFER", posValue: "" }),
      ],
      [],
      { previousPromotions },
    );
    expect(positions(result)).toEqual([["rules.channels_changed", "definitions.csv", 2, 8, "posValueType"]]);
    const issue = result.issues[0]!;
    expect(issue.severity).toBe("warning");
    expect(issue.related).toEqual([earlier]);
    expect(issue.message).toBe(
      'redemptionChannels: expected the channels sent before (POS PERCENT "25", at out/manifest.json), got POS PERCENT "20"; Engage keeps the channels a promotion was created with',
    );
    expect(result.promotions).toHaveLength(2);
  });
});
