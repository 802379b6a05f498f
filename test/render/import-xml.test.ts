import { describe, expect, it } from "vitest";
import { create } from "xmlbuilder2";
import { EngageError } from "../../src/core/errors.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { renderAssignmentXml, renderImportXml, renderPromotionXml } from "../../src/render/import-xml.js";
import { ProfileSchema } from "../../src/schemas/profile.js";
import type { Assignment, Promotion } from "../../src/schemas/promotion.js";
import { assignment, GUID, guid, leaves, parseXmlStrict, promotion, xmllintTexts } from "./support.js";

const golden = (name: string, file: string) => `../golden/render/${name}/${file}`;

const FULL: Promotion = {
  externalPromotionId: "SPRING-26",
  promotionName: "Spring 20%",
  published: true,
  validFromDate: "2026-03-01",
  validToDate: "2026-03-31T23:59:59+01:00",
  heading: "Spring sale",
  description: "20% off everything, in store and online",
  redemptionChannels: [
    { type: "POS", valueType: "PERCENT", value: "20", instruction: "Scan the member card" },
    { type: "ECOM", valueType: "PERCENT", value: "20" },
  ],
};

const CASES: Record<string, { promotions: Promotion[]; assignments: Assignment[] }> = {
  minimal: {
    promotions: [promotion("SPRING-26")],
    assignments: [assignment("SPRING-26", "SPRING-26-000001")],
  },
  full: {
    promotions: [FULL, { ...promotion("UNPUBLISHED"), published: false, description: "Only a description" }],
    assignments: [
      assignment("SPRING-26", "SPRING-26-000001", { validFromDate: "2026-03-05" }),
      assignment("SPRING-26", "SPRING-26-000002", { contactId: guid(2), externalContactId: "MEMBER-2" }),
      assignment("SPRING-26", "SPRING-26-000003", {
        contactId: undefined,
        externalContactId: "MEMBER-3",
        validFromDate: "2026-03-05T08:00:00+01:00",
      }),
    ].map(dropUndefined),
  },
  "value-types": {
    promotions: [
      promotion("EXT", {
        redemptionChannels: [
          { type: "POS", valueType: "EXTERNALOFFER", value: "10OFFSHOES" },
          { type: "ECOM", valueType: "EXTERNALOFFER", value: "SHOES10" },
        ],
      }),
      promotion("PCT", {
        redemptionChannels: [
          { type: "POS", valueType: "PERCENT", value: "100" },
          { type: "ECOM", valueType: "PERCENT", value: "1" },
        ],
      }),
      promotion("MONEY", {
        redemptionChannels: [
          { type: "POS", valueType: "MONEY", value: "20.5" },
          { type: "ECOM", valueType: "MONEY", value: "0" },
        ],
      }),
      promotion("MANUAL", {
        redemptionChannels: [{ type: "POS", valueType: "MANUAL", instruction: "Hand over the gift bag" }],
      }),
      promotion("ECOM-ONLY", { redemptionChannels: [{ type: "ECOM", valueType: "EXTERNALOFFER" }] }),
    ],
    assignments: [],
  },
  "unicode-and-markup": {
    promotions: [
      promotion("A&B<C>", {
        promotionName: `Tom & Jerry's "best" <deal> ]]> 50% 😀`,
        heading: "خصم الربيع — מבצע אביב",
        description:
          "Cafe\u0301 and caf\u00e9 · tab\there · line\nbreak · CRLF\r\nend · nbsp\u00a0· zwj 👩‍👩‍👧 · U+2028\u2028· BOM\ufeff· max \u{10FFFD}",
        redemptionChannels: [
          {
            type: "POS",
            valueType: "EXTERNALOFFER",
            value: "<b>bold</b> & 'quoted'",
            instruction: "  leading and trailing spaces  ",
          },
        ],
      }),
    ],
    assignments: [assignment("A&B<C>", "code&<>\"'", { validFromDate: "2026-03-05" })],
  },
  identifiers: {
    promotions: [promotion("0000123"), promotion("1E5"), promotion("12345678901234567890")],
    assignments: [
      assignment("0000123", "000000000000000000001"),
      assignment("1E5", "1e5", { contactId: undefined, externalContactId: "0042" }),
      assignment("12345678901234567890", "99999999999999999999"),
    ].map(dropUndefined),
  },
};

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

describe("renderImportXml", () => {
  for (const [name, content] of Object.entries(CASES)) {
    it(`renders the ${name} case as its golden file, valid against the XSD`, async () => {
      const xml = renderImportXml(content, DEFAULT_PROFILE);
      await expect(xml).toMatchFileSnapshot(golden(name, "promotions.xml"));
      const lint = xmllintTexts([xml]);
      expect(lint.output).toContain("validates");
      expect(lint.ok).toBe(true);
    });
  }

  it("starts with the XML declaration, indents with two spaces and ends lines with LF only", () => {
    const xml = renderImportXml(CASES.full!, DEFAULT_PROFILE);
    expect(
      xml.startsWith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<promotions>\n  <createOrUpdate>\n    <promotion>\n      <promotionName>',
      ),
    ).toBe(true);
    expect(xml.endsWith("  </assign>\n</promotions>\n")).toBe(true);
    expect(xml).not.toContain("\r");
    expect(xml).not.toContain("\t");
  });

  it("writes the promotion's elements in the documented order", () => {
    const root = parseXmlStrict(renderImportXml({ promotions: [FULL], assignments: [] }, DEFAULT_PROFILE));
    const promo = root.children[0]!.children[0]!;
    expect(promo.children.map((c) => c.name)).toEqual([
      "promotionName",
      "externalPromotionId",
      "published",
      "validFromDate",
      "validToDate",
      "presentation",
      "redemptionChannels",
    ]);
    expect(promo.children[5]!.children.map((c) => c.name)).toEqual(["heading", "description"]);
    expect(promo.children[6]!.children[0]!.children.map((c) => c.name)).toEqual([
      "type",
      "valueType",
      "value",
      "instruction",
    ]);
  });

  it("puts createOrUpdate before assign", () => {
    const root = parseXmlStrict(renderImportXml(CASES.minimal!, DEFAULT_PROFILE));
    expect(root.children.map((c) => c.name)).toEqual(["createOrUpdate", "assign"]);
  });

  it("leaves redemptionChannels out entirely when there are none", () => {
    const xml = renderPromotionXml(promotion("P"), DEFAULT_PROFILE);
    expect(xml).not.toContain("redemptionChannel");
    expect(xml).not.toContain("presentation");
    expect(xml).not.toContain("published");
  });

  it("writes presentation when only a heading or only a description is present", () => {
    expect(renderPromotionXml(promotion("P", { heading: "H" }), DEFAULT_PROFILE)).toContain(
      "      <presentation>\n        <heading>H</heading>\n      </presentation>\n",
    );
    expect(renderPromotionXml(promotion("P", { description: "D" }), DEFAULT_PROFILE)).toContain(
      "      <presentation>\n        <description>D</description>\n      </presentation>\n",
    );
  });

  it("writes published false as false, not as an omission", () => {
    expect(renderPromotionXml(promotion("P", { published: false }), DEFAULT_PROFILE)).toContain(
      "<published>false</published>",
    );
  });

  it("writes externalContactId only when there is no contactId", () => {
    const both = renderAssignmentXml(assignment("P", "C", { externalContactId: "M-1" }), DEFAULT_PROFILE);
    expect(both).toContain(`<contactId>${GUID}</contactId>`);
    expect(both).not.toContain("externalContactId");
    const { contactId: _, ...withoutContact } = assignment("P", "C", { externalContactId: "M-1" });
    const only = renderAssignmentXml(withoutContact, DEFAULT_PROFILE);
    expect(only).toContain("<externalContactId>M-1</externalContactId>");
    expect(only).not.toContain("<contactId>");
  });

  it("refuses an assignment with neither contactId nor externalContactId", () => {
    const { contactId: _, ...noContact } = assignment("P", "C");
    expect(() => renderAssignmentXml(noContact, DEFAULT_PROFILE)).toThrow(
      expect.objectContaining({ kind: "internal", code: "render.assignment_without_contact" }),
    );
  });

  it("keeps identifiers exactly as given: leading zeros, exponents, 20 digits", () => {
    const root = parseXmlStrict(renderImportXml(CASES.identifiers!, DEFAULT_PROFILE));
    const ids = root.children[0]!.children.map((p) => leaves(p).externalPromotionId);
    expect(ids).toEqual(["0000123", "1E5", "12345678901234567890"]);
    const codes = root.children[1]!.children.map((c) => leaves(c));
    expect(codes.map((c) => c.externalId)).toEqual(["000000000000000000001", "1e5", "99999999999999999999"]);
    expect(codes[1]!.externalContactId).toBe("0042");
  });

  it("round-trips Unicode and markup text through a strict parser, CR included", () => {
    const content = CASES["unicode-and-markup"]!;
    const root = parseXmlStrict(renderImportXml(content, DEFAULT_PROFILE));
    const promo = root.children[0]!.children[0]!;
    const p = content.promotions[0]!;
    expect(leaves(promo).promotionName).toBe(p.promotionName);
    expect(leaves(promo).externalPromotionId).toBe(p.externalPromotionId);
    const presentation = promo.children.find((c) => c.name === "presentation")!;
    expect(leaves(presentation)).toEqual({ heading: p.heading, description: p.description });
    const channel = leaves(promo.children.find((c) => c.name === "redemptionChannels")!.children[0]!);
    expect(channel.value).toBe(p.redemptionChannels[0]!.value);
    expect(channel.instruction).toBe(p.redemptionChannels[0]!.instruction);
    expect(leaves(root.children[1]!.children[0]!).externalId).toBe("code&<>\"'");
  });

  it("refuses a character XML 1.0 cannot carry, naming the field, rather than write it", () => {
    const bad = promotion("P", {
      redemptionChannels: [{ type: "POS", valueType: "MANUAL", instruction: "ok\u0001" }],
    });
    expect(() => renderPromotionXml(bad, DEFAULT_PROFILE)).toThrow(EngageError);
    expect(() => renderPromotionXml(bad, DEFAULT_PROFILE)).toThrow(
      /redemptionChannels\[0\]\.instruction: character U\+0001 at position 3/,
    );
  });

  it("writes what xmlbuilder2 writes for the same document (text without CR)", () => {
    const content = CASES.full!;
    const doc = create({ version: "1.0", encoding: "UTF-8" }).ele("promotions");
    const cou = doc.ele("createOrUpdate");
    for (const p of content.promotions) {
      const e = cou.ele("promotion");
      e.ele("promotionName").txt(p.promotionName);
      e.ele("externalPromotionId").txt(p.externalPromotionId);
      if (p.published !== undefined) e.ele("published").txt(String(p.published));
      if (p.validFromDate !== undefined) e.ele("validFromDate").txt(p.validFromDate);
      if (p.validToDate !== undefined) e.ele("validToDate").txt(p.validToDate);
      if (p.heading !== undefined || p.description !== undefined) {
        const pr = e.ele("presentation");
        if (p.heading !== undefined) pr.ele("heading").txt(p.heading);
        if (p.description !== undefined) pr.ele("description").txt(p.description);
      }
      if (p.redemptionChannels.length > 0) {
        const rc = e.ele("redemptionChannels");
        for (const c of p.redemptionChannels) {
          const ce = rc.ele("redemptionChannel");
          ce.ele("type").txt(c.type);
          ce.ele("valueType").txt(c.valueType);
          if (c.value !== undefined) ce.ele("value").txt(c.value);
          if (c.instruction !== undefined) ce.ele("instruction").txt(c.instruction);
        }
      }
    }
    const assign = doc.ele("assign");
    for (const a of content.assignments) {
      const e = assign.ele("promotionCode");
      e.ele("externalPromotionId").txt(a.externalPromotionId);
      e.ele("externalId").txt(a.promotionCodeId);
      if (a.contactId !== undefined) e.ele("contactId").txt(a.contactId);
      else if (a.externalContactId !== undefined) e.ele("externalContactId").txt(a.externalContactId);
      if (a.validFromDate !== undefined) e.ele("validFromDate").txt(a.validFromDate);
    }
    const theirs = doc.end({ prettyPrint: true, wellFormed: true });
    expect(renderImportXml(content, DEFAULT_PROFILE)).toBe(`${theirs}\n`);
  });

  it("takes every element name from the profile", async () => {
    const names = {
      root: "Promotions",
      createOrUpdate: "CreateOrUpdate",
      promotion: "Promotion",
      promotionName: "Name",
      externalPromotionId: "ExternalId",
      published: "IsPublished",
      validFromDate: "ValidFrom",
      validToDate: "ValidTo",
      presentation: "Presentation",
      heading: "Heading",
      description: "Description",
      redemptionChannels: "Channels",
      redemptionChannel: "Channel",
      channelType: "ChannelType",
      channelValueType: "ValueType",
      channelValue: "Value",
      channelInstruction: "Instruction",
      assign: "Assign",
      promotionCode: "Code",
      codeExternalPromotionId: "PromotionExternalId",
      codeExternalId: "CodeId",
      codeContactId: "ContactGuid",
      codeExternalContactId: "MemberNumber",
      codeValidFromDate: "StartDate",
    };
    const profile = ProfileSchema.parse({ name: "renamed", import: names });
    const content = { promotions: [FULL], assignments: CASES.full!.assignments };
    const xml = renderImportXml(content, profile);
    await expect(xml).toMatchFileSnapshot(golden("renamed-elements", "promotions.xml"));
    const defaultNames = new Set(Object.values(DEFAULT_PROFILE.import));
    const written = new Set([...xml.matchAll(/<\/?([A-Za-z_][\w.-]*)>/g)].map((m) => m[1]));
    for (const name of written)
      expect(defaultNames.has(name!) && !Object.values(names).includes(name!)).toBe(false);
    expect(written).toEqual(new Set(Object.values(names)));
    const lint = xmllintTexts([xml], profile);
    expect(lint.ok).toBe(true);
  });
});
