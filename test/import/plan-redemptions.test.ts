import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { decideImport, RedemptionPlanner, type ResolvedMapping } from "../../src/import/plan-redemptions.js";
import { interpretRecord, type FieldValue } from "../../src/import/voucherify-record.js";

const CONTACT_A = "7b89b95e-6347-4d66-8b02-a10a9c830119";
const CONTACT_B = "0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80";

const mapping: ResolvedMapping = {
  tiers: new Map([["promo_1", "SPRING-26"]]),
  customers: new Map([
    ["src-a", CONTACT_A],
    ["cust_b", CONTACT_B],
  ]),
  channels: { byId: new Map([["user_store", "POS"]]), byType: new Map([["API", "ECOM"]]), default: "OTHER" },
};

let line = 0;
/** A record as the reader hands it on: dotted fields, each on the record's own line. */
function record(fields: Record<string, string>) {
  line += 1;
  const map = new Map<string, FieldValue>(Object.entries(fields).map(([k, v]) => [k, { value: v, line }]));
  return interpretRecord({ at: { file: "r.ndjson", line, record: line }, fields: map, problems: [] });
}

function redemption(id: string, extra: Record<string, string> = {}) {
  return record({
    id,
    object: "redemption",
    date: "2026-02-03T09:14:07.512Z",
    result: "SUCCESS",
    "customer.source_id": "src-a",
    related_object_type: "promotion_tier",
    related_object_id: "promo_1",
    "promotion_tier.id": "promo_1",
    ...extra,
  });
}

function plan(records: ReturnType<typeof record>[]) {
  const planner = new RedemptionPlanner(mapping);
  for (const r of records) planner.add(r);
  return planner.finish();
}

describe("planning redemptions from Voucherify records", () => {
  it("writes a successful mapped redemption with its id, date and channel", () => {
    const p = plan([redemption("r_1", { "channel.channel_type": "API" })]);
    expect(p.rows.map((r) => r.row)).toEqual([
      {
        contactId: CONTACT_A,
        externalPromotionId: "SPRING-26",
        redemptionChannel: "ECOM",
        sourceRedemptionId: "r_1",
        redeemedAt: "2026-02-03T09:14:07.512Z",
      },
    ]);
    expect(p.issues).toEqual([]);
  });

  it("picks the channel by id before type, and the default when neither is mapped", () => {
    const p = plan([
      redemption("r_1", { "channel.channel_id": "user_store", "channel.channel_type": "API" }),
      redemption("r_2", { "channel.channel_type": "AUTO_REDEEM" }),
    ]);
    expect(p.rows.map((r) => r.row.redemptionChannel)).toEqual(["POS", "OTHER"]);
  });

  it("skips failed redemptions and counts them, without asking for their mapping", () => {
    const p = plan([
      redemption("r_1", { result: "FAILURE", related_object_id: "promo_x", "promotion_tier.id": "promo_x" }),
    ]);
    expect(p.rows).toEqual([]);
    expect(p.counts).toMatchObject({ read: 1, skippedFailure: 1, rejected: 0 });
  });

  it("leaves out a redemption a later rollback undoes, and one whose status says rolled back", () => {
    const p = plan([
      redemption("r_1"),
      redemption("r_2", { status: "ROLLED_BACK" }),
      record({ id: "rr_1", object: "redemption_rollback", result: "SUCCESS", redemption: "r_1" }),
    ]);
    expect(p.rows).toEqual([]);
    expect(p.counts).toMatchObject({ read: 3, redemptions: 2, rollbacks: 1, skippedRolledBack: 2 });
  });

  it("keeps a redemption whose rollback failed", () => {
    const p = plan([
      redemption("r_1"),
      record({ id: "rr_1", object: "redemption_rollback", result: "FAILURE", redemption: "r_1" }),
    ]);
    expect(p.rows).toHaveLength(1);
  });

  it("warns about a rollback of a redemption not in the input", () => {
    const p = plan([record({ id: "rr_9", object: "redemption_rollback", redemption: "r_404" })]);
    expect(p.issues.map((i) => [i.code, i.severity])).toEqual([["import.rollback_unmatched", "warning"]]);
  });

  it("reports an unmapped tier and an unmapped customer at the record's line", () => {
    const r = redemption("r_1", {
      related_object_id: "promo_9",
      "promotion_tier.id": "promo_9",
      "customer.source_id": "nobody",
    });
    const p = plan([r]);
    expect(p.issues.map((i) => [i.code, i.line])).toEqual([
      ["import.tier_unmapped", r.at.line],
      ["import.customer_unmapped", r.at.line],
    ]);
    expect(p.counts).toMatchObject({ unmapped: 1, rejected: 1, written: 0 });
    expect(p.rejects[0]?.codes).toEqual(["import.tier_unmapped", "import.customer_unmapped"]);
  });

  it("falls back to Voucherify's own customer id when the source_id is not mapped", () => {
    const p = plan([redemption("r_1", { "customer.source_id": "other", customer_id: "cust_b" })]);
    expect(p.rows[0]?.row.contactId).toBe(CONTACT_B);
  });

  it("reports a duplicate redemption id with both lines and writes it once", () => {
    const first = redemption("r_1");
    const second = redemption("r_1");
    const p = plan([first, second]);
    expect(p.rows).toHaveLength(1);
    const dup = p.issues.find((i) => i.code === "import.duplicate_redemption");
    expect(dup?.line).toBe(second.at.line);
    expect(dup?.related?.[0]?.line).toBe(first.at.line);
  });

  it("rejects other objects, voucher redemptions and records without their fields", () => {
    const p = plan([
      record({ id: "v_1", object: "voucher" }),
      redemption("r_1", { related_object_type: "voucher" }),
      record({ object: "redemption", result: "SUCCESS" }),
      redemption("r_2", { result: "OK", date: "03/02/2026" }),
      redemption("r_3", { "promotion_tier.id": "promo_2" }),
    ]);
    expect(p.issues.map((i) => i.code)).toEqual([
      "import.not_a_redemption",
      "import.not_promotion_tier",
      "import.field_missing",
      "import.field_missing",
      "import.field_missing",
      "import.field_missing",
      "import.invalid_value",
      "import.invalid_value",
      "import.invalid_value",
    ]);
    expect(p.counts).toMatchObject({ read: 5, rejected: 5, written: 0 });
  });

  it("writes nothing on a rejected record unless --max-rejects allows it, and then says it was exceeded", () => {
    const p = plan([redemption("r_1"), redemption("r_2", { "customer.source_id": "nobody" })]);
    expect(decideImport(p, [], 0).write).toBe(false);
    expect(decideImport(p, [], 1).write).toBe(true);
    const p2 = plan([
      redemption("r_3", { "customer.source_id": "x" }),
      redemption("r_4", { "customer.source_id": "y" }),
    ]);
    const refused = decideImport(p2, [], 1);
    expect(refused.write).toBe(false);
    expect(refused.issues.map((i) => i.code)).toContain("import.too_many_rejects");
  });
});

describe("the planner's memory", () => {
  it("keeps copies of the ids and dates it holds, not the text they were read from", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    gc();
    const heapBaseline = process.memoryUsage().heapUsed;
    const planner = new RedemptionPlanner(mapping);
    // Each record's values are slices of a 64 KiB text, as the readers cut them from a chunk.
    for (let i = 0; i < 400; i++) {
      const chunk = `${"x".repeat(65_536)}r_${String(i).padStart(18, "0")}2026-02-03T09:14:07.512Z`;
      const id = chunk.slice(65_536, 65_556);
      const date = chunk.slice(65_556);
      planner.add(redemption(id, { date }));
    }
    gc();
    const before = process.memoryUsage().heapUsed;
    const rows = planner.finish().rows;
    expect(rows).toHaveLength(400);
    expect(rows[0]!.row).toMatchObject({
      sourceRedemptionId: `r_${"0".repeat(18)}`,
      redeemedAt: "2026-02-03T09:14:07.512Z",
    });
    // 400 texts of 64 KiB would be 26 MB; the rows themselves take a few hundred KB.
    expect(before).toBeLessThan(heapBaseline + 12 * 1024 * 1024);
  });
});
