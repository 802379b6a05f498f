import { describe, expect, it } from "vitest";
import { parse } from "csv-parse/sync";
import { quoteCsvField, renderRejectsCsv } from "../../src/render/rejects-csv.js";

describe("renderRejectsCsv", () => {
  const rows = [
    {
      at: { file: "assignments.csv", line: 3 },
      codes: ["validate.not_guid"],
      raw: { externalPromotionId: "SPRING-26", promotionCodeId: "0000123", contactId: "not-a-guid" },
    },
    {
      at: { file: "definitions.csv", line: 7 },
      codes: ["validate.required", "validate.invalid_percent"],
      raw: { externalPromotionId: "X;Y", promotionName: 'say "hi"\nthere', posValue: "" },
    },
    { at: { file: "promotions.json" }, codes: ["validate.invalid_value"], raw: {} },
  ];

  it("writes file, line, codes and the raw fields under the union of their column names", () => {
    expect(renderRejectsCsv(rows)).toBe(
      [
        "file;line;codes;externalPromotionId;promotionCodeId;contactId;promotionName;posValue",
        "assignments.csv;3;validate.not_guid;SPRING-26;0000123;not-a-guid;;",
        'definitions.csv;7;validate.required,validate.invalid_percent;"X;Y";;;"say ""hi""\nthere";',
        "promotions.json;;validate.invalid_value;;;;;",
        "",
      ].join("\n"),
    );
  });

  it("reads back with a CSV parser to exactly the values given", () => {
    const records = parse(renderRejectsCsv(rows), { delimiter: ";", columns: true }) as Record<
      string,
      string
    >[];
    expect(records).toHaveLength(3);
    expect(records[0]).toMatchObject({ file: "assignments.csv", line: "3", promotionCodeId: "0000123" });
    expect(records[1]).toMatchObject({ externalPromotionId: "X;Y", promotionName: 'say "hi"\nthere' });
  });

  it("quotes only fields that need it", () => {
    expect(quoteCsvField("plain text, with comma")).toBe("plain text, with comma");
    expect(quoteCsvField("a\rb")).toBe('"a\rb"');
  });
});
