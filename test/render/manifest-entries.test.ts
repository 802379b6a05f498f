import { describe, expect, it } from "vitest";
import { KeyLineRenderer, keyLinePrefix, toManifestPromotion } from "../../src/render/manifest-entries.js";
import { ManifestKeySchema, ManifestPromotionSchema } from "../../src/schemas/manifest.js";
import { assignment, GUID, promotion } from "./support.js";

describe("key lines", () => {
  const render = (
    a: Parameters<KeyLineRenderer["render"]>[1],
    at: Parameters<KeyLineRenderer["render"]>[2],
  ) => new KeyLineRenderer().render(keyLinePrefix("20260301020000_000001_promotions.xml"), a, at);

  it("are one ManifestKey JSON object per line, in a fixed key order", () => {
    const line = render(assignment("SPRING-26", "0000123", { validFromDate: "2026-03-05" }), {
      record: 1,
      line: 2,
      file: "a.csv",
    });
    expect(line).toBe(
      `{"file":"20260301020000_000001_promotions.xml","externalPromotionId":"SPRING-26","promotionCodeId":"0000123","contactId":"${GUID}","validFromDate":"2026-03-05","at":{"file":"a.csv","line":2,"record":1}}\n`,
    );
    expect(ManifestKeySchema.parse(JSON.parse(line))).toBeTruthy();
  });

  it("carry externalContactId only without contactId, and escape what JSON needs", () => {
    const { contactId: _, ...noGuid } = assignment('A"B\\C', "line\nbreak\u0001", {
      externalContactId: "M-1",
    });
    const line = render(noGuid, { file: 'dir\\"x".csv', column: 3, field: "promotionCodeId" });
    const parsed = JSON.parse(line) as Record<string, unknown>;
    expect(parsed).toEqual({
      file: "20260301020000_000001_promotions.xml",
      externalPromotionId: 'A"B\\C',
      promotionCodeId: "line\nbreak\u0001",
      externalContactId: "M-1",
      at: { file: 'dir\\"x".csv', column: 3, field: "promotionCodeId" },
    });
    expect(line.indexOf("\n")).toBe(line.length - 1);
  });
});

describe("toManifestPromotion", () => {
  it("keeps every field as sent and puts the location last", () => {
    const p = toManifestPromotion(
      promotion("P", {
        published: false,
        heading: "H",
        redemptionChannels: [{ type: "POS", valueType: "MANUAL", instruction: "I" }],
      }),
      { record: 2, file: "d.csv", line: 3 },
    );
    expect(Object.keys(p)).toEqual([
      "externalPromotionId",
      "promotionName",
      "published",
      "heading",
      "redemptionChannels",
      "at",
    ]);
    expect(p.at).toEqual({ file: "d.csv", line: 3, record: 2 });
    expect(ManifestPromotionSchema.parse(p)).toEqual(p);
  });
});
