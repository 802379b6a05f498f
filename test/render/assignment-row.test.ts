import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { AssignmentRowRenderer } from "../../src/render/assignment-row.js";
import { ManifestKeySchema } from "../../src/schemas/manifest.js";
import { ProfileSchema } from "../../src/schemas/profile.js";
import { assignment, GUID } from "./support.js";

const FILE = "20260301020000_000001_promotions.xml";

function renderer(file = FILE): AssignmentRowRenderer {
  const rows = new AssignmentRowRenderer(DEFAULT_PROFILE);
  rows.setFile(file);
  return rows;
}

describe("AssignmentRowRenderer", () => {
  it("renders the element and one ManifestKey JSON line with keys in a fixed order", () => {
    const row = renderer().render(assignment("SPRING-26", "0000123", { validFromDate: "2026-03-05" }), {
      record: 1,
      line: 2,
      file: "a.csv",
    });
    expect(row.xml).toBe(
      [
        "    <promotionCode>",
        "      <externalPromotionId>SPRING-26</externalPromotionId>",
        "      <externalId>0000123</externalId>",
        `      <contactId>${GUID}</contactId>`,
        "      <validFromDate>2026-03-05</validFromDate>",
        "    </promotionCode>",
        "",
      ].join("\n"),
    );
    expect(row.key).toBe(
      `{"file":"${FILE}","externalPromotionId":"SPRING-26","promotionCodeId":"0000123","contactId":"${GUID}","validFromDate":"2026-03-05","at":{"file":"a.csv","line":2,"record":1}}\n`,
    );
    expect(ManifestKeySchema.parse(JSON.parse(row.key))).toBeTruthy();
  });

  it("carries externalContactId only without contactId, and escapes what XML and JSON each need", () => {
    const { contactId: _, ...noGuid } = assignment('A"B\\C&<', "tab\there\r\n>", {
      externalContactId: "M-1",
    });
    const row = renderer().render(noGuid, { file: 'dir\\"x".csv', column: 3, field: "promotionCodeId" });
    expect(JSON.parse(row.key)).toEqual({
      file: FILE,
      externalPromotionId: 'A"B\\C&<',
      promotionCodeId: "tab\there\r\n>",
      externalContactId: "M-1",
      at: { file: 'dir\\"x".csv', column: 3, field: "promotionCodeId" },
    });
    expect(row.key.indexOf("\n")).toBe(row.key.length - 1);
    expect(row.xml).toContain('<externalPromotionId>A"B\\C&amp;&lt;</externalPromotionId>');
    expect(row.xml).toContain("<externalId>tab\there&#13;\n&gt;</externalId>");
    expect(row.xml).toContain("<externalContactId>M-1</externalContactId>");
    expect(row.xml).not.toContain("<contactId>");
  });

  it("names the file it is told, also for a promotion it saw in the previous file", () => {
    const rows = renderer("first.xml");
    const a = assignment("P", "C-1");
    expect(JSON.parse(rows.render(a, { file: "a.csv" }).key).file).toBe("first.xml");
    rows.setFile("second.xml");
    expect(JSON.parse(rows.render(a, { file: "a.csv" }).key).file).toBe("second.xml");
  });

  it("refuses a character XML 1.0 cannot carry, naming the field", () => {
    expect(() =>
      renderer().render(assignment("P", "C", { validFromDate: "2026\u0000" }), { file: "a.csv" }),
    ).toThrow(/validFromDate: character U\+0000 at position 5/);
  });

  it("renders the next row right after refusing a promotion id", () => {
    const rows = renderer();
    rows.render(assignment("OK", "C-0"), { file: "a.csv" });
    expect(() => rows.render(assignment("BAD\u0001", "C-1"), { file: "a.csv" })).toThrow(
      /externalPromotionId: character U\+0001/,
    );
    expect(() => rows.render(assignment("BAD\u0001", "C-2"), { file: "a.csv" })).toThrow(
      /externalPromotionId/,
    );
    expect(rows.render(assignment("OK", "C-3"), { file: "a.csv" }).xml).toContain(
      "<externalPromotionId>OK</externalPromotionId>",
    );
  });

  it("takes the element names from the profile", () => {
    const profile = ProfileSchema.parse({
      import: { promotionCode: "Code", codeExternalId: "CodeId", codeContactId: "Guid" },
    });
    const xml = new AssignmentRowRenderer(profile).xml(assignment("P", "C"));
    expect(xml).toContain(
      "    <Code>\n      <externalPromotionId>P</externalPromotionId>\n      <CodeId>C</CodeId>\n      <Guid>",
    );
  });
});
