import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { create } from "xmlbuilder2";
import { EngageError } from "../../src/core/errors.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { findInvalidXmlChar } from "../../src/render/escape-xml.js";
import { renderImportXml } from "../../src/render/import-xml.js";
import { planChunks } from "../../src/render/plan-chunks.js";
import { VALUE_TYPES } from "../../src/schemas/profile.js";
import type { Assignment, Promotion, RedemptionChannel } from "../../src/schemas/promotion.js";
import { leaves, parseXmlStrict, xmllintTexts } from "./support.js";

const NOT_XML_CHARS = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Any Unicode text (every plane, controls, lone surrogates), however odd. */
const oddText = (maxLength = 40) => fc.string({ unit: "binary", maxLength });

/** Text validation lets through: odd Unicode without the characters XML 1.0 cannot carry. */
const text = (minLength: number, maxLength: number) =>
  fc
    .string({ unit: "binary", maxLength })
    .map((s) => s.replace(NOT_XML_CHARS, ""))
    .filter((s) => s.length >= minLength && s.length <= maxLength);

const two = (n: number) => String(n).padStart(2, "0");
const dateText = fc
  .tuple(
    fc.date({
      min: new Date("1990-01-01T00:00:00Z"),
      max: new Date("2099-12-31T00:00:00Z"),
      noInvalidDate: true,
    }),
    fc.boolean(),
    fc.integer({ min: -12, max: 14 }),
  )
  .map(([d, withTime, offset]) => {
    const day = d.toISOString().slice(0, 10);
    if (!withTime) return day;
    const sign = offset < 0 ? "-" : "+";
    return `${day}T${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}${sign}${two(Math.abs(offset))}:00`;
  });

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const channel = (type: "POS" | "ECOM") =>
  fc
    .record({
      valueType: fc.constantFrom(...VALUE_TYPES.filter((v) => type === "POS" || v !== "MANUAL")),
      value: optional(text(0, 512)),
      instruction: optional(text(0, 80)),
    })
    .map((c) => withoutUndefined({ type, ...c }) as RedemptionChannel);

const promotionArb: fc.Arbitrary<Promotion> = fc
  .record({
    externalPromotionId: text(1, 450),
    promotionName: text(1, 60),
    published: optional(fc.boolean()),
    validFromDate: optional(dateText),
    validToDate: optional(dateText),
    heading: optional(text(0, 60)),
    description: optional(text(0, 200)),
    pos: optional(channel("POS")),
    ecom: optional(channel("ECOM")),
  })
  .map(
    ({ pos, ecom, ...p }) =>
      withoutUndefined({ ...p, redemptionChannels: [pos, ecom].filter((c) => c !== undefined) }) as Promotion,
  );

const assignmentArb: fc.Arbitrary<Assignment> = fc
  .record({
    externalPromotionId: text(1, 450),
    promotionCodeId: text(1, 450),
    contact: fc.oneof(
      fc.uuid().map((contactId) => ({ contactId })),
      text(1, 255).map((externalContactId) => ({ externalContactId })),
    ),
    validFromDate: optional(dateText),
  })
  .map(
    ({ contact, ...a }) => withoutUndefined({ ...a, ...contact, promotionCodeDerived: false }) as Assignment,
  );

describe("rendering any valid records", () => {
  it("yields XML that a strict parser reads back exactly and xmllint accepts against the XSD", () => {
    const documents: string[] = [];
    fc.assert(
      fc.property(
        fc.array(promotionArb, { maxLength: 6 }),
        fc.array(assignmentArb, { maxLength: 25 }),
        (promotions, assignments) => {
          const xml = renderImportXml({ promotions, assignments }, DEFAULT_PROFILE);
          const root = parseXmlStrict(xml);
          const defined = root.children.find((c) => c.name === "createOrUpdate")?.children ?? [];
          const assigned = root.children.find((c) => c.name === "assign")?.children ?? [];
          expect(defined.map((p) => leaves(p).externalPromotionId)).toEqual(
            promotions.map((p) => p.externalPromotionId),
          );
          expect(defined.map((p) => leaves(p).promotionName)).toEqual(promotions.map((p) => p.promotionName));
          expect(assigned.map((a) => leaves(a).externalId)).toEqual(
            assignments.map((a) => a.promotionCodeId),
          );
          documents.push(xml);
        },
      ),
      { numRuns: 150 },
    );
    // One xmllint call for every document, to keep the real validator in the loop and fast.
    const lint = xmllintTexts(documents);
    expect(lint.output.split("\n").filter((l) => l !== "" && !l.endsWith(" validates"))).toEqual([]);
    expect(lint.output.match(/ validates$/gm)).toHaveLength(documents.length);
    expect(lint.ok).toBe(true);
  });

  it("writes what xmlbuilder2 writes for the same text (CR aside, which it leaves for a parser to turn into LF)", () => {
    fc.assert(
      fc.property(text(1, 80), text(1, 80), (name, description) => {
        fc.pre(!name.includes("\r") && !description.includes("\r"));
        const ours = renderImportXml(
          {
            promotions: [
              { externalPromotionId: "P", promotionName: name, description, redemptionChannels: [] },
            ],
            assignments: [],
          },
          DEFAULT_PROFILE,
        );
        const doc = create({ version: "1.0", encoding: "UTF-8" })
          .ele("promotions")
          .ele("createOrUpdate")
          .ele("promotion");
        doc.ele("promotionName").txt(name);
        doc.ele("externalPromotionId").txt("P");
        doc.ele("presentation").ele("description").txt(description);
        expect(ours).toBe(`${doc.end({ prettyPrint: true, wellFormed: true })}\n`);
      }),
      { numRuns: 300 },
    );
  });
});

describe("rendering any text, however odd", () => {
  const fields = [
    "promotionName",
    "externalPromotionId",
    "heading",
    "description",
    "value",
    "instruction",
    "promotionCodeId",
    "contactId",
    "validFromDate",
  ] as const;

  it("yields well-formed XML that reads back exactly, or refuses with an internal error naming the character", () => {
    fc.assert(
      fc.property(fc.constantFrom(...fields), oddText(), (field, raw) => {
        const p: Promotion = {
          externalPromotionId: "P",
          promotionName: "N",
          redemptionChannels: [{ type: "POS", valueType: "EXTERNALOFFER", value: "V", instruction: "I" }],
        };
        const a: Assignment = {
          externalPromotionId: "P",
          promotionCodeId: "C",
          promotionCodeDerived: false,
          contactId: "G",
        };
        if (field === "value" || field === "instruction") p.redemptionChannels[0]![field] = raw;
        else if (field === "promotionCodeId" || field === "contactId" || field === "validFromDate")
          a[field] = raw;
        else p[field] = raw;
        let xml: string;
        try {
          xml = renderImportXml({ promotions: [p], assignments: [a] }, DEFAULT_PROFILE);
        } catch (error) {
          expect(error).toBeInstanceOf(EngageError);
          expect(error).toMatchObject({ kind: "internal", code: "render.invalid_xml_char" });
          expect(findInvalidXmlChar(raw)).toBeDefined();
          return;
        }
        expect(findInvalidXmlChar(raw)).toBeUndefined();
        const root = parseXmlStrict(xml);
        const promo = root.children[0]!.children[0]!;
        const code = leaves(root.children[1]!.children[0]!);
        const texts: Record<(typeof fields)[number], string | undefined> = {
          promotionName: leaves(promo).promotionName,
          externalPromotionId: leaves(promo).externalPromotionId,
          heading: leaves(promo.children.find((c) => c.name === "presentation") ?? promo).heading,
          description: leaves(promo.children.find((c) => c.name === "presentation") ?? promo).description,
          value: leaves(promo.children.find((c) => c.name === "redemptionChannels")!.children[0]!).value,
          instruction: leaves(promo.children.find((c) => c.name === "redemptionChannels")!.children[0]!)
            .instruction,
          promotionCodeId: code.externalId,
          contactId: code.contactId,
          validFromDate: code.validFromDate,
        };
        expect(texts[field]).toBe(raw);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("planning any batch into files", () => {
  it("keeps every assignment in order, within the limit, each file defining what it assigns", () => {
    const ids = fc.constantFrom("A", "B", "C", "D", "E");
    fc.assert(
      fc.property(
        fc.uniqueArray(ids, { maxLength: 5 }),
        fc.array(ids, { maxLength: 60 }),
        fc.integer({ min: 1, max: 12 }),
        (defined, assigned, maxPerFile) => {
          const files = planChunks(defined, assigned, {
            timestamp: new Date("2026-03-01T02:00:00Z"),
            maxPerFile,
          });
          const withAssignments = files.filter((f) => f.assignments > 0);
          expect(withAssignments.reduce((n, f) => n + f.assignments, 0)).toBe(assigned.length);
          expect(withAssignments).toHaveLength(Math.ceil(assigned.length / maxPerFile));
          let line = 1;
          for (const f of withAssignments) {
            expect(f.assignments).toBeLessThanOrEqual(maxPerFile);
            expect(f.keyLines).toEqual([line, line + f.assignments - 1]);
            const mine = new Set(assigned.slice(line - 1, line - 1 + f.assignments));
            expect(f.promotionIds).toEqual(defined.filter((id) => mine.has(id)));
            line += f.assignments;
          }
          const alone = files.filter((f) => f.assignments === 0).flatMap((f) => f.promotionIds);
          expect(alone).toEqual(defined.filter((id) => !assigned.includes(id)));
          expect(files.map((f) => f.seq)).toEqual(files.map((_, i) => i + 1));
          expect([...files.map((f) => f.name)].sort()).toEqual(files.map((f) => f.name));
        },
      ),
      { numRuns: 300 },
    );
  });
});
