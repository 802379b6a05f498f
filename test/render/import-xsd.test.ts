import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { renderImportXml } from "../../src/render/import-xml.js";
import { renderImportXsd } from "../../src/render/import-xsd.js";
import { ProfileSchema } from "../../src/schemas/profile.js";
import { assignment, promotion, XSD, xmllintTexts } from "./support.js";

const valid = renderImportXml(
  {
    promotions: [
      promotion("P", { redemptionChannels: [{ type: "POS", valueType: "PERCENT", value: "20" }] }),
    ],
    assignments: [assignment("P", "C-1")],
  },
  DEFAULT_PROFILE,
);

describe("schemas/promotion-import.xsd", () => {
  it("is the XSD generated from the default profile (regenerate it when this fails)", () => {
    expect(readFileSync(XSD, "utf8")).toBe(renderImportXsd(DEFAULT_PROFILE));
  });

  it("accepts a rendered file and documents with only createOrUpdate or only assign", () => {
    const onlyAssign = renderImportXml(
      { promotions: [], assignments: [assignment("P", "C-1")] },
      DEFAULT_PROFILE,
    );
    const onlyDefine = renderImportXml({ promotions: [promotion("P")], assignments: [] }, DEFAULT_PROFILE);
    expect(xmllintTexts([valid, onlyAssign, onlyDefine]).ok).toBe(true);
  });

  it.each([
    [
      "elements out of order",
      valid.replace(
        /(<promotionName>P name<\/promotionName>\n)(\s*<externalPromotionId>P<\/externalPromotionId>\n)/,
        "$2$1",
      ),
    ],
    [
      "an empty redemptionChannels",
      valid.replace(
        /<redemptionChannels>[\s\S]*<\/redemptionChannels>/,
        "<redemptionChannels></redemptionChannels>",
      ),
    ],
    ["a channel type other than POS or ECOM", valid.replace("<type>POS</type>", "<type>WEB</type>")],
    [
      "an unknown value type",
      valid.replace("<valueType>PERCENT</valueType>", "<valueType>POINTS</valueType>"),
    ],
    [
      "an externalPromotionId of 451 characters",
      valid.replace(
        "<externalPromotionId>P</externalPromotionId>",
        `<externalPromotionId>${"x".repeat(451)}</externalPromotionId>`,
      ),
    ],
    [
      "a contactId of 256 characters",
      valid.replace(/<contactId>[^<]*<\/contactId>/, `<contactId>${"é".repeat(256)}</contactId>`),
    ],
    ["a value of 513 characters", valid.replace("<value>20</value>", `<value>${"9".repeat(513)}</value>`)],
    [
      "both contactId and externalContactId",
      valid.replace(/(<contactId>[^<]*<\/contactId>)/, "$1<externalContactId>M</externalContactId>"),
    ],
    [
      "a date that is not a date",
      valid.replace("</contactId>", "</contactId><validFromDate>31/02/2026</validFromDate>"),
    ],
  ])("rejects %s", (_, doc) => {
    expect(doc).not.toBe(valid);
    const lint = xmllintTexts([doc]);
    expect(lint.ok).toBe(false);
    expect(lint.output).toContain("fails to validate");
  });

  it("accepts 450, 255 and 512 characters exactly (counted as characters, emoji included)", () => {
    const doc = valid
      .replace(
        "<externalPromotionId>P</externalPromotionId>",
        `<externalPromotionId>${"😀".repeat(450)}</externalPromotionId>`,
      )
      .replace(/<contactId>[^<]*<\/contactId>/, `<contactId>${"x".repeat(255)}</contactId>`)
      .replace("<value>20</value>", `<value>${"9".repeat(512)}</value>`);
    expect(xmllintTexts([doc]).ok).toBe(true);
  });

  it("follows a profile's value types", () => {
    const older = ProfileSchema.parse({ name: "older-tenant", valueTypes: ["EXTERNALOFFER"] });
    const percent = renderImportXml(
      {
        promotions: [
          promotion("P", { redemptionChannels: [{ type: "POS", valueType: "PERCENT", value: "5" }] }),
        ],
        assignments: [],
      },
      older,
    );
    const external = renderImportXml(
      {
        promotions: [promotion("P", { redemptionChannels: [{ type: "POS", valueType: "EXTERNALOFFER" }] })],
        assignments: [],
      },
      older,
    );
    expect(xmllintTexts([percent], older).ok).toBe(false);
    expect(xmllintTexts([external], older).ok).toBe(true);
  });
});
