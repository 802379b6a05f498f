import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RedemptionRowSchema } from "../../src/schemas/voucherify-mapping.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const TIERS = ["promo_a", "promo_b", "promo_unmapped"];
const CUSTOMERS = ["0001", "c;2", 'c"3', "nobody"];
const GUIDS: Record<string, string> = {
  "0001": "7b89b95e-6347-4d66-8b02-a10a9c830119",
  "c;2": "0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80",
  'c"3': "3e4d5c6b-7a89-4b0c-8d1e-2f3a4b5c6d7e",
};

const redemptionArb = fc.record({
  id: fc.integer({ min: 1, max: 40 }).map((n) => `r_${n}`),
  result: fc.constantFrom("SUCCESS", "SUCCESS", "FAILURE"),
  statusRolledBack: fc.boolean(),
  tier: fc.constantFrom(...TIERS),
  customer: fc.constantFrom(...CUSTOMERS),
  channelType: fc.constantFrom("API", "USER", "AUTO_REDEEM"),
  second: fc.integer({ min: 0, max: 59 }),
});
type Gen = typeof redemptionArb extends fc.Arbitrary<infer T> ? T : never;

const caseArb = fc.record({
  redemptions: fc.array(redemptionArb, { maxLength: 30 }),
  rollbacks: fc.array(fc.record({ of: fc.integer({ min: 1, max: 45 }), ok: fc.boolean() }), { maxLength: 8 }),
  input: fc.constantFrom("json", "ndjson", "csv"),
  output: fc.constantFrom("csv", "ndjson", "json"),
  externalId: fc.constantFrom("SPRING-26", 'we;ird "id"', "multi\nline"),
});

function objectOf(r: Gen): Record<string, unknown> {
  return {
    id: r.id,
    object: "redemption",
    date: `2026-02-03T09:14:${String(r.second).padStart(2, "0")}.000Z`,
    customer_id: `cust_${r.customer}`,
    result: r.result,
    ...(r.statusRolledBack ? { status: "ROLLED_BACK" } : {}),
    channel: { channel_id: "ch", channel_type: r.channelType },
    customer: { id: `cust_${r.customer}`, source_id: r.customer },
    related_object_type: "promotion_tier",
    related_object_id: r.tier,
    promotion_tier: { id: r.tier, campaign: { id: "camp_1" } },
  };
}

const COLUMNS = [
  "id",
  "object",
  "date",
  "result",
  "status",
  "customer_id",
  "customer.source_id",
  "related_object_type",
  "related_object_id",
  "promotion_tier.id",
  "channel.channel_type",
  "redemption",
];
const q = (v: string) => `"${v.replace(/"/g, '""')}"`;

function csvOf(objects: Record<string, unknown>[]): string {
  const get = (o: Record<string, unknown>, path: string): string => {
    let v: unknown = o;
    for (const part of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
    return typeof v === "string" ? v : "";
  };
  return (
    [COLUMNS.join(","), ...objects.map((o) => COLUMNS.map((c) => q(get(o, c))).join(","))].join("\r\n") +
    "\r\n"
  );
}

describe("import voucherify, for any redemptions", () => {
  it("writes every successful, mapped, not rolled-back redemption exactly once, in any format", async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const dir = makeTempDir("engage-import-prop-");
        const objects: Record<string, unknown>[] = c.redemptions.map(objectOf);
        for (const [i, rb] of c.rollbacks.entries())
          objects.push({
            id: `rr_${i}`,
            object: "redemption_rollback",
            result: rb.ok ? "SUCCESS" : "FAILURE",
            redemption: `r_${rb.of}`,
          });
        const input = join(dir, `in.${c.input}`);
        if (c.input === "json") writeFileSync(input, JSON.stringify(objects, null, 2));
        else if (c.input === "ndjson")
          writeFileSync(input, objects.map((o) => `${JSON.stringify(o)}\n`).join(""));
        else writeFileSync(input, csvOf(objects));
        writeFileSync(
          join(dir, "mapping.json"),
          JSON.stringify({
            tiers: { promo_a: c.externalId, promo_b: "B" },
            customers: GUIDS,
            channels: { byType: { API: "ECOM", USER: "POS" } },
          }),
        );
        const out = join(dir, `out.${c.output}`);
        const run = await runCli(
          [
            "import",
            "voucherify",
            input,
            "--map",
            join(dir, "mapping.json"),
            "--out",
            out,
            "--max-rejects",
            "1000",
            "--no-progress",
          ],
          { cwd: dir },
        );
        // an NDJSON file without a line holds no header either: empty, as for every input
        if (objects.length === 0 && c.input === "ndjson") {
          expect(run.code).toBe(65);
          expect(run.stderr).toContain("read.file_empty");
          return;
        }
        expect(run.code, run.stderr).toBe(0);

        // the model: the first record of each id decides; later ones are duplicates
        const rolledBack = new Set(c.rollbacks.filter((r) => r.ok).map((r) => `r_${r.of}`));
        const first = new Map<string, Gen>();
        for (const r of c.redemptions) if (!first.has(r.id)) first.set(r.id, r);
        const expected = [...first.values()]
          .filter((r) => r.result === "SUCCESS" && !r.statusRolledBack && !rolledBack.has(r.id))
          .filter((r) => r.tier !== "promo_unmapped" && r.customer !== "nobody")
          .map((r) => r.id);

        const text = readFileSync(out, "utf8");
        const rows: Record<string, string>[] =
          c.output === "csv"
            ? (parse(text, { delimiter: ";", columns: true, cast: false }) as Record<string, string>[])
            : c.output === "ndjson"
              ? text
                  .split("\n")
                  .filter((l) => l !== "")
                  .map((l) => JSON.parse(l) as Record<string, string>)
              : (JSON.parse(text) as Record<string, string>[]);
        expect(rows.map((r) => r.sourceRedemptionId)).toEqual(expected);
        for (const row of rows) {
          const gen = first.get(row.sourceRedemptionId!)!;
          const parsed = RedemptionRowSchema.parse({ ...row, id: row.id === "" ? undefined : row.id });
          expect(parsed.contactId).toBe(GUIDS[gen.customer]);
          expect(parsed.externalPromotionId).toBe(gen.tier === "promo_a" ? c.externalId : "B");
          expect(parsed.redemptionChannel).toBe(
            { API: "ECOM", USER: "POS", AUTO_REDEEM: "OTHER" }[gen.channelType],
          );
        }
        expect(run.summary.counts).toMatchObject({ written: expected.length });
      }),
      { numRuns: 40 },
    );
  }, 60_000);
});
