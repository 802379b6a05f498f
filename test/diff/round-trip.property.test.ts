import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextDay, sentDay } from "../../src/diff/compare-dates.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { writeRender } from "../../src/render/write-render.js";
import { ManifestKeySchema, ManifestSchema, type ManifestPromotion } from "../../src/schemas/manifest.js";
import type { Assignment, Promotion, RedemptionChannel } from "../../src/schemas/promotion.js";
import type { InputEvent } from "../../src/validate/validate-inputs.js";
import { toExportXml, type ExportFixtureRecord } from "../support/export-fixtures.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Text validation lets through (any plane, XML specials), without edge whitespace. */
const text = (max: number) =>
  fc
    .string({ unit: "binary", minLength: 1, maxLength: max })
    .map((s) => s.replace(NOT_XML, "").trim())
    .filter((s) => s.length > 0);

const DAY0 = Date.UTC(2025, 0, 1);
const dayOf = (n: number) => new Date(DAY0 + n * 86_400_000).toISOString().slice(0, 10);
const OFFSETS = ["+01:00", "+02:00", "-05:00", "Z", "+05:30", "-10:00"] as const;

const channelArb = (type: "POS" | "ECOM"): fc.Arbitrary<RedemptionChannel> =>
  fc
    .record({
      valueType: fc.constantFrom(
        ...(type === "POS"
          ? (["PERCENT", "MONEY", "EXTERNALOFFER", "MANUAL"] as const)
          : (["PERCENT", "MONEY", "EXTERNALOFFER"] as const)),
      ),
      percent: fc.integer({ min: 1, max: 100 }),
      cents: fc.integer({ min: 0, max: 10_000_000 }),
      centsStyle: fc.constantFrom("short", "two"),
      offer: text(30),
      withValue: fc.boolean(),
      instruction: fc.option(text(40), { nil: undefined }),
    })
    .map((c) => {
      const value =
        c.valueType === "PERCENT"
          ? String(c.percent)
          : c.valueType === "MONEY"
            ? c.centsStyle === "two"
              ? (c.cents / 100).toFixed(2)
              : String(c.cents / 100)
            : c.offer;
      const out: RedemptionChannel = { type, valueType: c.valueType };
      if (c.withValue || c.valueType === "PERCENT" || c.valueType === "MONEY") out.value = value;
      if (c.instruction !== undefined) out.instruction = c.instruction;
      return out;
    });

const promotionArb = fc
  .record({
    name: text(30),
    from: fc.option(fc.integer({ min: 0, max: 700 }), { nil: undefined }),
    length: fc.option(fc.integer({ min: 0, max: 120 }), { nil: undefined }),
    fromWithTime: fc.boolean(),
    pos: fc.option(channelArb("POS"), { nil: undefined }),
    ecom: fc.option(channelArb("ECOM"), { nil: undefined }),
  })
  .map((p) => ({ ...p, channels: [p.pos, p.ecom].filter((c): c is RedemptionChannel => c !== undefined) }));

const caseArb = fc
  .record({
    ids: fc.uniqueArray(text(40), { minLength: 1, maxLength: 3 }),
    promotions: fc.array(promotionArb, { minLength: 3, maxLength: 3 }),
    assignments: fc.uniqueArray(
      fc.record({
        promotion: fc.nat(2),
        contactId: fc.uuid(),
        override: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
      }),
      { minLength: 1, maxLength: 30, selector: (a) => `${a.promotion}|${a.contactId}` },
    ),
    maxPerFile: fc.integer({ min: 1, max: 12 }),
    exportFiles: fc.integer({ min: 1, max: 3 }),
    offsets: fc.array(fc.constantFrom(...OFFSETS), { minLength: 1, maxLength: 5 }),
    expireAtNextMidnight: fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
  })
  .map((c) => {
    const promotions: Promotion[] = c.ids.map((id, i) => {
      const p = c.promotions[i]!;
      const out: Promotion = {
        externalPromotionId: id,
        promotionName: p.name,
        redemptionChannels: p.channels,
      };
      if (p.from !== undefined)
        out.validFromDate = p.fromWithTime ? `${dayOf(p.from)}T08:30:00+01:00` : dayOf(p.from);
      if (p.length !== undefined) out.validToDate = dayOf((p.from ?? 0) + p.length);
      return out;
    });
    const assignments: Assignment[] = c.assignments.map((a, i) => {
      const promotion = promotions[a.promotion % promotions.length]!;
      const out: Assignment = {
        externalPromotionId: promotion.externalPromotionId,
        promotionCodeId: `CODE-${i + 1}`,
        promotionCodeDerived: false,
        contactId: a.contactId,
      };
      if (a.override !== undefined) out.validFromDate = dayOf(a.override + 700);
      return out;
    });
    return { ...c, promotions, assignments };
  });

async function* eventsOf(
  promotions: readonly Promotion[],
  assignments: readonly Assignment[],
): AsyncGenerator<InputEvent[]> {
  yield promotions.map(
    (promotion, i) =>
      ({ type: "promotion", promotion, at: { file: "definitions.csv", line: i + 2 } }) as const,
  );
  yield assignments.map(
    (assignment, i) =>
      ({ type: "assignment", assignment, at: { file: "assignments.csv", line: i + 2 } }) as const,
  );
}

/** The channels Engage exports for a promotion as rendered: values as Engage writes them (`20.00`). */
function exportedChannels(p: ManifestPromotion): NonNullable<ExportFixtureRecord["redemptionChannels"]> {
  if (p.redemptionChannels.length === 0) {
    return [
      { type: "POS", valueType: "EXTERNALOFFER", value: p.promotionName },
      { type: "ECOM", valueType: "EXTERNALOFFER", value: p.promotionName },
    ];
  }
  return p.redemptionChannels.map((c) => {
    const value =
      c.value === undefined
        ? p.promotionName
        : c.valueType === "PERCENT" || c.valueType === "MONEY"
          ? Number(c.value).toFixed(2)
          : c.value;
    const out: NonNullable<ExportFixtureRecord["redemptionChannels"]>[number] = {
      type: c.type,
      valueType: c.valueType.toLowerCase(),
      value,
    };
    if (c.instruction !== undefined) out.instruction = c.instruction;
    return out;
  });
}

describe("the round trip", () => {
  it("diffs what the tool rendered, as Engage exports it, to all assigned", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const dir = makeTempDir("engage-diff-roundtrip-");
        const out = join(dir, "out");
        const render = await writeRender(eventsOf(c.promotions, c.assignments), {
          outDir: out,
          profile: DEFAULT_PROFILE,
          timestamp: new Date("2026-03-01T02:00:00Z"),
          maxPerFile: c.maxPerFile,
          maxRejects: 0,
          tool: "engage-promo test",
        });
        expect(render.status).toBe("written");

        // From what the render wrote (manifest and keys), the records Engage would export.
        const manifest = ManifestSchema.parse(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")));
        const byId = new Map(manifest.promotions.map((p) => [p.externalPromotionId, p]));
        const keys = readFileSync(join(out, "manifest.keys.ndjson"), "utf8")
          .split("\n")
          .filter(Boolean)
          .map((l) => ManifestKeySchema.parse(JSON.parse(l)));
        const records: ExportFixtureRecord[] = keys.map((k, i) => {
          const p = byId.get(k.externalPromotionId)!;
          const offset = c.offsets[i % c.offsets.length]!;
          const from = sentDay(k.validFromDate ?? p.validFromDate ?? "2024-12-31")!;
          const to = p.validToDate === undefined ? "2030-01-01" : sentDay(p.validToDate)!;
          const expire = c.expireAtNextMidnight[i % c.expireAtNextMidnight.length]
            ? `${nextDay(to)}T00:00:00${offset}`
            : `${to}T23:59:59.9999999${offset}`;
          return {
            kind: "assigned",
            contactId: k.contactId!,
            contactKey: String(1000 + i).padStart(10, "0"),
            contactType: "Member",
            couponId: `coupon-${i}`,
            promotionId: `template-${k.externalPromotionId.length}`,
            externalPromotionId: k.externalPromotionId,
            description: p.description ?? p.promotionName,
            validFromDate: `${from}T00:00:00${offset}`,
            expireDateTime: expire,
            redemptionChannels: exportedChannels(p),
          };
        });
        mkdirSync(join(dir, "exports"));
        const per = Math.ceil(records.length / c.exportFiles);
        for (let f = 0; f * per < records.length; f += 1) {
          writeFileSync(
            join(dir, "exports", `2026030${f + 2}080000_assigned.xml`),
            toExportXml(records.slice(f * per, (f + 1) * per), { valueTypeElement: "valuetype" }),
          );
        }

        const run = await runCli(
          [
            "diff",
            "--expected",
            "out",
            "--actual",
            "exports",
            "--format",
            "json",
            "--out",
            "diff.json",
            "--fail-on-diff",
          ],
          { cwd: dir },
        );
        const report = JSON.parse(readFileSync(join(dir, "diff.json"), "utf8")) as {
          counts: Record<string, number>;
          entries: unknown[];
          issues: unknown[];
        };
        expect(report.issues).toEqual([]);
        expect(report.counts).toEqual({
          missing: 0,
          mismatched: 0,
          unexpected: 0,
          deleted: 0,
          not_checkable: 0,
          redeemed: 0,
          assigned: c.assignments.length,
        });
        expect(run.code).toBe(0);
      }),
      { numRuns: 40 },
    );
  });
});
