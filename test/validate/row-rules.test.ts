import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { ProfileSchema } from "../../src/schemas/profile.js";
import { assignment, definition, GUID_1, positions, validateCsv, validateFiles } from "./support.js";

/** Validates one definition row (line 2 of definitions.csv). */
const oneDefinition = (fields: Parameters<typeof definition>[0], options = {}) =>
  validateCsv([definition(fields)], [], options);
/** Validates one assignment row (line 2 of assignments.csv), its promotion defined. */
const oneAssignment = (fields: Parameters<typeof assignment>[0], options = {}) =>
  validateCsv([definition()], [assignment(fields)], options);

describe("row rules of definitions", () => {
  it("accepts a valid definition", async () => {
    const result = await oneDefinition({
      published: "TRUE",
      heading: "Head",
      description: "Desc",
      ecomValueType: "MONEY",
      ecomValue: "20.5",
    });
    expect(result.issues).toEqual([]);
    expect(result.promotions[0]!.promotion).toEqual({
      externalPromotionId: "SPRING-26",
      promotionName: "Spring",
      published: true,
      validFromDate: "2026-03-01",
      validToDate: "2026-03-31",
      heading: "Head",
      description: "Desc",
      redemptionChannels: [
        { type: "POS", valueType: "PERCENT", value: "20" },
        { type: "ECOM", valueType: "MONEY", value: "20.5" },
      ],
    });
  });

  it("requires the promotion's id and name", async () => {
    const result = await oneDefinition({ externalPromotionId: "", promotionName: "" });
    expect(positions(result)).toEqual([
      ["validate.required", "definitions.csv", 2, 1, "externalPromotionId"],
      ["validate.required", "definitions.csv", 2, 2, "promotionName"],
    ]);
    expect(result.issues[1]!.message).toBe("promotionName: expected a value, got nothing");
    expect(result.rejected.map((r) => [r.at.line, r.kind, r.codes])).toEqual([
      [2, "definitions", ["validate.required"]],
    ]);
    expect(result.promotions).toEqual([]);
  });

  it("limits externalPromotionId to 450 characters and a channel value to 512", async () => {
    expect(
      (
        await oneDefinition({
          externalPromotionId: "x".repeat(450),
          posValueType: "EXTERNALOFFER",
          posValue: "v".repeat(512),
        })
      ).issues,
    ).toEqual([]);
    const result = await oneDefinition({
      externalPromotionId: "x".repeat(451),
      posValueType: "EXTERNALOFFER",
      posValue: "v".repeat(513),
    });
    expect(positions(result)).toEqual([
      ["validate.too_long", "definitions.csv", 2, 1, "externalPromotionId"],
      ["validate.too_long", "definitions.csv", 2, 9, "posValue"],
    ]);
    expect(result.issues[0]!.message).toBe("externalPromotionId: expected at most 450 characters, got 451");
  });

  it("accepts only true or false as published, in any letter case", async () => {
    expect((await oneDefinition({ published: "False" })).promotions[0]!.promotion.published).toBe(false);
    const result = await oneDefinition({ published: "yes" });
    expect(positions(result)).toEqual([["validate.invalid_boolean", "definitions.csv", 2, 3, "published"]]);
    expect(result.issues[0]!.message).toBe('published: expected true or false, got "yes"');
  });

  it("rejects a value type other than the four", async () => {
    const result = await oneDefinition({ posValueType: "PERCENTAGE" });
    expect(positions(result)).toEqual([
      ["validate.invalid_value_type", "definitions.csv", 2, 8, "posValueType"],
    ]);
    expect(result.issues[0]!.message).toBe(
      'posValueType: expected one of EXTERNALOFFER, PERCENT, MONEY, MANUAL, got "PERCENTAGE"',
    );
  });

  it("wants a value type when a channel has a value or an instruction", async () => {
    const result = await oneDefinition({ posValueType: "", posValue: "", ecomInstruction: "Online only" });
    expect(positions(result)).toEqual([
      ["validate.channel_incomplete", "definitions.csv", 2, 11, "ecomValueType"],
    ]);
  });

  it("never allows MANUAL on ECOM", async () => {
    expect((await oneDefinition({ posValueType: "MANUAL", posValue: "Hand over the bag" })).issues).toEqual(
      [],
    );
    const result = await oneDefinition({ ecomValueType: "MANUAL", ecomValue: "x" });
    expect(positions(result)).toEqual([
      ["validate.manual_on_ecom", "definitions.csv", 2, 11, "ecomValueType"],
    ]);
  });

  it.each(["1", "20", "100"])("accepts PERCENT %s", async (value) => {
    expect((await oneDefinition({ posValue: value })).issues).toEqual([]);
  });

  it.each(["0", "101", "20.5", "020", "-5", "abc", ""])("rejects PERCENT %j", async (value) => {
    const result = await oneDefinition({ posValue: value });
    expect(positions(result)).toEqual([["validate.invalid_percent", "definitions.csv", 2, 9, "posValue"]]);
    expect(result.issues[0]!.message).toContain("expected a whole number from 1 to 100 for PERCENT, got");
  });

  it.each(["0", "20.5", "100", "0.99"])("accepts MONEY %s", async (value) => {
    expect((await oneDefinition({ ecomValueType: "MONEY", ecomValue: value })).issues).toEqual([]);
  });

  it.each(["20,50", "-1", ".5", "5.", "1e3", ""])("rejects MONEY %j", async (value) => {
    const result = await oneDefinition({ ecomValueType: "MONEY", ecomValue: value });
    expect(positions(result)).toEqual([["validate.invalid_money", "definitions.csv", 2, 12, "ecomValue"]]);
  });

  it("restricts value types to those the profile allows", async () => {
    const profile = ProfileSchema.parse({ name: "old-tenant", valueTypes: ["EXTERNALOFFER"] });
    const result = await oneDefinition({}, { profile });
    expect(positions(result)).toEqual([
      ["validate.value_type_not_allowed", "definitions.csv", 2, 8, "posValueType"],
    ]);
    expect(result.issues[0]!.message).toBe(
      'posValueType: expected one of EXTERNALOFFER (allowed by the profile "old-tenant"), got "PERCENT"',
    );
    expect(
      (await oneDefinition({ posValueType: "EXTERNALOFFER", posValue: "CODE" }, { profile })).issues,
    ).toEqual([]);
  });

  it.each([
    ["31/02/2026", 'validFromDate: expected a date like 2026-03-01, got "31/02/2026"'],
    ["2026-02-30", 'validFromDate: expected a date like 2026-03-01, got "2026-02-30"'],
    ["2026-13-01", 'validFromDate: expected a date like 2026-03-01, got "2026-13-01"'],
    [
      "2026-03-01T25:00:00+01:00",
      'validFromDate: expected a real date-time with seconds and an offset like 2026-03-01T08:00:00+01:00, got "2026-03-01T25:00:00+01:00"',
    ],
  ])("rejects the date %j", async (value, message) => {
    const result = await oneDefinition({ validFromDate: value });
    expect(positions(result)).toEqual([["validate.invalid_date", "definitions.csv", 2, 4, "validFromDate"]]);
    expect(result.issues[0]!.message).toBe(message);
  });

  it("accepts real dates and date-times with an offset", async () => {
    for (const value of [
      "2024-02-29",
      "2026-03-01T00:00:00+01:00",
      "2026-03-01T00:00:00Z",
      "2026-03-01T00:00:00.1234567-05:00",
    ]) {
      expect((await oneDefinition({ validFromDate: value, validToDate: "" })).issues).toEqual([]);
    }
  });

  it("rejects a date-time without an offset unless a time zone is given", async () => {
    const result = await oneDefinition({ validFromDate: "2026-03-01T08:00:00" });
    expect(positions(result)).toEqual([
      ["validate.date_without_offset", "definitions.csv", 2, 4, "validFromDate"],
    ]);
    expect(result.issues[0]!.message).toContain("(or name the zone with --timezone)");
    const zoned = await oneDefinition(
      { validFromDate: "2026-03-01T08:00:00", validToDate: "2026-07-01T08:00" },
      { timezone: "Europe/Stockholm" },
    );
    expect(zoned.issues).toEqual([]);
    expect(zoned.promotions[0]!.promotion).toMatchObject({
      validFromDate: "2026-03-01T08:00:00+01:00",
      validToDate: "2026-07-01T08:00:00+02:00",
    });
  });

  it("rejects a validToDate before the validFromDate", async () => {
    expect(
      (await oneDefinition({ validFromDate: "2026-03-01", validToDate: "2026-03-01T00:00:00+01:00" })).issues,
    ).toEqual([]);
    const result = await oneDefinition({ validFromDate: "2026-03-10", validToDate: "2026-03-09" });
    expect(positions(result)).toEqual([
      ["validate.valid_to_before_from", "definitions.csv", 2, 5, "validToDate"],
    ]);
    expect(result.issues[0]!.message).toBe(
      'validToDate: expected a date not before validFromDate 2026-03-10, got "2026-03-09"',
    );
  });

  it("names a character XML 1.0 cannot carry with its offset", async () => {
    const result = await oneDefinition({ description: "Nice\u0001 deal" });
    expect(positions(result)).toEqual([
      ["validate.xml_invalid_char", "definitions.csv", 2, 7, "description"],
    ]);
    expect(result.issues[0]!.message).toBe(
      "description: expected text XML 1.0 can carry, got U+0001 at character 5",
    );
  });

  it("accepts any character XML 1.0 can carry, astral ones included", async () => {
    expect((await oneDefinition({ heading: "Tab\there <&> 😀 \uFFFD é" })).issues).toEqual([]);
  });
});

describe("row rules of JSON definitions", () => {
  const json = (records: unknown[]) => validateFiles({ "promotions.json": JSON.stringify(records, null, 2) });

  it("rejects a channel type other than POS or ECOM, at the value's line and column", async () => {
    const result = await json([
      {
        externalPromotionId: "A",
        promotionName: "A",
        redemptionChannels: [{ type: "WEB", valueType: "EXTERNALOFFER" }],
      },
    ]);
    expect(positions(result)).toEqual([
      ["validate.invalid_channel_type", "promotions.json", 7, 17, "redemptionChannels[0].type"],
    ]);
    expect(result.issues[0]!.message).toBe('redemptionChannels[0].type: expected POS or ECOM, got "WEB"');
  });

  it("allows at most one channel per type, naming the first", async () => {
    const result = await json([
      {
        externalPromotionId: "A",
        promotionName: "A",
        redemptionChannels: [
          { type: "POS", valueType: "EXTERNALOFFER" },
          { type: "POS", valueType: "PERCENT", value: "10" },
        ],
      },
    ]);
    expect(positions(result)).toEqual([
      ["validate.duplicate_channel", "promotions.json", 11, 17, "redemptionChannels[1].type"],
    ]);
    expect(result.issues[0]!.related).toEqual([
      { file: result.issues[0]!.file, line: 7, column: 17, field: "redemptionChannels[0].type" },
    ]);
  });

  it("reports a value of the wrong type", async () => {
    const result = await json([{ externalPromotionId: "A", promotionName: { text: "A" } }]);
    expect(positions(result)).toEqual([
      ["validate.invalid_value", "promotions.json", 4, 22, "promotionName"],
    ]);
    expect(result.issues[0]!.message).toBe("promotionName: expected text, got an object");
  });

  it("warns once per file about a key the tool does not know, and keeps the record", async () => {
    const result = await json([
      { externalPromotionId: "A", promotionName: "A", color: "red" },
      { externalPromotionId: "B", promotionName: "B", color: "blue" },
    ]);
    expect(positions(result)).toEqual([["validate.unknown_field", "promotions.json", 5, 5, "color"]]);
    expect(result.promotions).toHaveLength(2);
  });

  it("orders channels POS first and keeps numbers as written", async () => {
    const result = await validateFiles({
      "p.json":
        '[{"externalPromotionId": 1E5, "promotionName": "N", "redemptionChannels": [{"type": "ECOM", "valueType": "MONEY", "value": 20.50}, {"type": "POS", "valueType": "PERCENT", "value": 20}]}]',
    });
    expect(result.issues).toEqual([]);
    expect(result.promotions[0]!.promotion).toEqual({
      externalPromotionId: "1E5",
      promotionName: "N",
      redemptionChannels: [
        { type: "POS", valueType: "PERCENT", value: "20" },
        { type: "ECOM", valueType: "MONEY", value: "20.50" },
      ],
    });
  });
});

describe("row rules of assignments", () => {
  it("accepts a valid assignment", async () => {
    const result = await oneAssignment({ validFromDate: "2026-03-05" });
    expect(result.issues).toEqual([]);
    expect(result.assignments[0]!.assignment).toEqual({
      externalPromotionId: "SPRING-26",
      promotionCodeId: "SPRING-26-1",
      promotionCodeDerived: false,
      contactId: GUID_1,
      validFromDate: "2026-03-05",
    });
  });

  it("requires the promotion's id", async () => {
    const result = await oneAssignment({ externalPromotionId: "" });
    expect(positions(result)).toEqual([
      ["validate.required", "assignments.csv", 2, 1, "externalPromotionId"],
    ]);
  });

  it("requires contactId or externalContactId", async () => {
    const result = await oneAssignment({ contactId: "" });
    expect(positions(result)).toEqual([["validate.required", "assignments.csv", 2, 3, "contactId"]]);
    expect(result.issues[0]!.message).toBe(
      "contactId: expected a contact GUID (or the deprecated externalContactId), got neither",
    );
    expect(result.rejected.map((r) => r.codes)).toEqual([["validate.required"]]);
  });

  it("accepts any 8-4-4-4-12 hex GUID as contactId, in any letter case", async () => {
    for (const id of [
      "00000000-0000-0000-0000-000000000000",
      "7B89B95E-6347-4D66-8B02-A10A9C830119",
      "7b89b95e-6347-0d66-0b02-a10a9c830119",
    ]) {
      expect((await oneAssignment({ contactId: id })).issues).toEqual([]);
    }
  });

  it.each([
    "abc",
    "7b89b95e63474d668b02a10a9c830119",
    "{7b89b95e-6347-4d66-8b02-a10a9c830119}",
    "7b89b95e-6347-4d66-8b02-a10a9c83011g",
  ])("rejects the contactId %j", async (id) => {
    const result = await oneAssignment({ contactId: id });
    expect(positions(result)).toEqual([["validate.not_guid", "assignments.csv", 2, 3, "contactId"]]);
    expect(result.issues[0]!.message).toBe(
      `contactId: expected a GUID like 7b89b95e-6347-4d66-8b02-a10a9c830119, got ${JSON.stringify(id)}`,
    );
  });

  it("limits promotionCodeId to 450 characters and externalContactId to 255", async () => {
    expect(
      (await oneAssignment({ promotionCodeId: "c".repeat(450), externalContactId: "e".repeat(255) })).issues,
    ).toEqual([]);
    const result = await oneAssignment({
      promotionCodeId: "c".repeat(451),
      externalContactId: "e".repeat(256),
    });
    expect(positions(result)).toEqual([
      ["validate.too_long", "assignments.csv", 2, 2, "promotionCodeId"],
      ["validate.too_long", "assignments.csv", 2, 4, "externalContactId"],
    ]);
  });

  it("checks the assignment's own validFromDate", async () => {
    const result = await oneAssignment({ validFromDate: "2026-03-05T10:00:00" });
    expect(positions(result)).toEqual([
      ["validate.date_without_offset", "assignments.csv", 2, 5, "validFromDate"],
    ]);
    const zoned = await oneAssignment(
      { validFromDate: "2026-03-05T10:00:00" },
      { timezone: "America/New_York" },
    );
    expect(zoned.assignments[0]!.assignment.validFromDate).toBe("2026-03-05T10:00:00-05:00");
  });

  it("warns once per file about externalContactId without contactId, and keeps the rows", async () => {
    const result = await validateCsv(
      [definition()],
      [
        assignment({ contactId: "", externalContactId: "ext-1", promotionCodeId: "a" }),
        assignment({ contactId: "", externalContactId: "ext-2", promotionCodeId: "b" }),
      ],
    );
    expect(positions(result)).toEqual([
      ["validate.external_contact_deprecated", "assignments.csv", 2, 4, "externalContactId"],
    ]);
    expect(result.issues[0]!.severity).toBe("warning");
    expect(result.assignments).toHaveLength(2);
  });

  it("names a character XML 1.0 cannot carry in a code", async () => {
    const result = await oneAssignment({ promotionCodeId: "ab\uFFFEcd" });
    expect(positions(result)).toEqual([
      ["validate.xml_invalid_char", "assignments.csv", 2, 2, "promotionCodeId"],
    ]);
    expect(result.issues[0]!.message).toContain("U+FFFE at character 3");
  });

  it("names a lone surrogate from a JSON escape", async () => {
    const result = await validateFiles({
      "a.ndjson": `{"externalPromotionId": "P\\ud800", "contactId": "${GUID_1}"}\n`,
    });
    expect(positions(result)).toEqual([
      ["validate.xml_invalid_char", "a.ndjson", 1, 25, "externalPromotionId"],
    ]);
    expect(result.issues[0]!.message).toContain("U+D800 at character 2");
  });
});

describe("rows the reader could not read", () => {
  it("are rejected with their read codes and their raw values", async () => {
    const result = await validateCsv([], ["SPRING-26;A1", assignment({ promotionCodeId: "A2" })]);
    expect(result.rejected).toEqual([
      {
        type: "rejected",
        at: { file: result.path("assignments.csv"), line: 2, record: 1 },
        kind: "assignments",
        raw: { externalPromotionId: "SPRING-26", promotionCodeId: "A1" },
        codes: ["read.csv_column_count"],
      },
    ]);
    expect(result.assignments).toHaveLength(1);
  });

  it("are rejected as of unknown kind when nothing tells the file's kind", async () => {
    const result = await validateFiles({ "x.csv": "id;name\n1;a\n2;b\n" });
    expect(result.rejected.map((r) => [r.kind, r.at.line, r.codes])).toEqual([
      ["unknown", 2, ["read.kind_unknown"]],
      ["unknown", 3, ["read.kind_unknown"]],
    ]);
    expect(positions(result)).toEqual([["read.kind_unknown", "x.csv", 1, undefined, undefined]]);
    expect(result.inputs.map((i) => [i.kind, i.records])).toEqual([["assignments", 2]]);
  });

  it("are all rejected when a column is given twice", async () => {
    const result = await validateFiles({
      "a.csv": `externalPromotionId;contactId;contact_id\nA;${GUID_1};${GUID_1}\n`,
    });
    expect(result.rejected.map((r) => r.codes)).toEqual([["read.csv_header_duplicate"]]);
    expect(positions(result)).toEqual([["read.csv_header_duplicate", "a.csv", 1, 3, "contact_id"]]);
  });

  it("report a JSON record that is not an object and a key given twice", async () => {
    const result = await validateFiles({
      "a.json": `[1, {"externalPromotionId": "A", "contactId": "${GUID_1}", "contactId": "${GUID_1}"}]`,
    });
    expect(result.rejected.map((r) => [r.codes, r.raw])).toEqual([
      [["read.json_not_object"], { "#value": "1" }],
      [["read.json_key_duplicate"], { externalPromotionId: "A", contactId: GUID_1 }],
    ]);
  });

  it("report an NDJSON line that does not parse, with its text", async () => {
    const result = await validateFiles({
      "a.ndjson": `{"externalPromotionId": "A", "contactId": "${GUID_1}"}\n{"externalPromotionId": "B", \n`,
    });
    expect(positions(result)).toEqual([
      ["rules.undefined_promotion", "a.ndjson", 1, 25, "externalPromotionId"],
      ["read.json_syntax", "a.ndjson", 2, 30, undefined],
    ]);
    expect(result.rejected[0]!.raw).toEqual({ "#text": '{"externalPromotionId": "B", ' });
  });

  it("reports a JSON syntax error at the offending token and reads nothing of that file", async () => {
    const result = await validateFiles({
      "a.json": '[\n  {"externalPromotionId": "A", "contactId": "x"}\n  {"externalPromotionId": "B"}\n]',
    });
    expect(positions(result)).toEqual([["read.json_syntax", "a.json", 3, 3, undefined]]);
    expect(result.counts).toMatchObject({ records: 0, errors: 1 });
  });
});

describe("the profile", () => {
  it("defaults to every value type", () => {
    expect(DEFAULT_PROFILE.valueTypes).toEqual(["EXTERNALOFFER", "PERCENT", "MONEY", "MANUAL"]);
  });
});
