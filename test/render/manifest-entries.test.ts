import { describe, expect, it } from "vitest";
import { toManifestPromotion } from "../../src/render/manifest-entries.js";
import { ManifestPromotionSchema } from "../../src/schemas/manifest.js";
import { promotion } from "./support.js";

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
