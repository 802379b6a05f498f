import { describe, expect, it } from "vitest";
import { DIFF_CATEGORIES, type DiffCategory, type DiffEntry } from "../../src/diff/diff-entry.js";
import { Reconciler, type DiffResult } from "../../src/diff/reconciler.js";
import { PERCENT_20, assignment, exportRecord, promotion } from "./records.js";

const C1 = "7b89b95e-6347-4d66-8b02-a10a9c830119";
const C2 = "0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80";
const C3 = "3e4d5c6b-7a89-4b0c-8d1e-2f3a4b5c6d7e";

function all(result: DiffResult): DiffEntry[] {
  return DIFF_CATEGORIES.flatMap((c) => [...result.entries(c)]);
}

function only(result: DiffResult, category: DiffCategory): DiffEntry {
  const list = [...result.entries(category)];
  expect(list).toHaveLength(1);
  return list[0]!;
}

function spring(): Reconciler {
  const r = new Reconciler({ match: "contactId" });
  r.addPromotion(promotion("SPRING-26"));
  return r;
}

const onTime = { validFrom: "2026-03-01T00:00:00+01:00", expire: "2026-04-01T00:00:00+02:00" };

describe("the reconciler", () => {
  it("counts an assignment exported as sent as assigned, with both sources", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2));
    r.addRecord(
      exportRecord(
        "assigned",
        { externalPromotionId: "SPRING-26", contactId: C1, couponId: "k1", ...onTime, line: 3 },
        { redemptionChannels: PERCENT_20 },
      ),
    );
    const result = r.finish();
    expect(result.counts).toEqual({
      missing: 0,
      mismatched: 0,
      unexpected: 0,
      deleted: 0,
      not_checkable: 0,
      redeemed: 0,
      assigned: 1,
    });
    expect(only(result, "assigned")).toEqual({
      category: "assigned",
      externalPromotionId: "SPRING-26",
      contact: { field: "contactId", value: C1 },
      promotionCodeId: "SPRING-26-2",
      sent: { at: { file: "assignments.csv", line: 2 } },
      exported: { at: { file: "exports/20260302080000_assigned.xml", line: 3 }, kind: "assigned" },
      differences: [],
    });
    expect(result.issues).toEqual([]);
  });

  it("counts an assignment in no export as missing, with where it was sent from", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C2, 3));
    const result = r.finish();
    const e = only(result, "missing");
    expect(e.sent?.at).toEqual({ file: "assignments.csv", line: 3 });
    expect(e.exported).toBeUndefined();
    expect(result.counts.missing).toBe(1);
  });

  it("lists every differing field of a mismatched assignment with both values", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2));
    r.addRecord(
      exportRecord(
        "assigned",
        {
          externalPromotionId: "SPRING-26",
          contactId: C1,
          validFrom: "2026-03-02T00:00:00+01:00",
          expire: "2026-04-30T00:00:00+02:00",
        },
        {
          redemptionChannels: [
            { type: "POS", valueType: "percent", value: "25.00", instruction: "x" },
            { type: "ECOM", valueType: "MONEY", value: "20" },
          ],
        },
      ),
    );
    const e = only(r.finish(), "mismatched");
    expect(e.differences).toEqual([
      { field: "validFromDate", expected: "2026-03-01", actual: "2026-03-02T00:00:00+01:00" },
      { field: "validToDate", expected: "2026-03-31", actual: "2026-04-30T00:00:00+02:00" },
      { field: "redemptionChannels.POS.value", expected: "20", actual: "25.00" },
      { field: "redemptionChannels.ECOM.valueType", expected: "PERCENT", actual: "MONEY" },
    ]);
  });

  it("counts assigned then redeemed as redeemed, pointing at the redemption", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2));
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        couponId: "k1",
        ...onTime,
        file: "x/20260302_assigned.xml",
        line: 3,
      }),
    );
    r.addRecord(
      exportRecord("redeemed", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        couponId: "k1",
        file: "x/20260310_redeemed.xml",
        line: 9,
      }),
    );
    const result = r.finish();
    expect(result.counts.redeemed).toBe(1);
    expect(only(result, "redeemed").exported).toEqual({
      at: { file: "x/20260310_redeemed.xml", line: 9 },
      kind: "redeemed",
    });
  });

  it("counts an assignment whose latest record is a deletion as deleted", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2));
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        couponId: "k1",
        ...onTime,
      }),
    );
    r.addRecord(
      exportRecord("deleted", { externalPromotionId: "SPRING-26", contactId: C1, couponId: "k1", line: 40 }),
    );
    expect(only(r.finish(), "deleted").exported?.kind).toBe("deleted");
  });

  it("lists export records nothing expected as unexpected, one entry per promotion and contact", () => {
    const r = spring();
    r.addRecord(
      exportRecord("assigned", { externalPromotionId: "VIP", contactId: C3, couponId: "k9", line: 5 }),
    );
    r.addRecord(
      exportRecord("redeemed", { externalPromotionId: "VIP", contactId: C3, couponId: "k9", line: 12 }),
    );
    const result = r.finish();
    expect(result.counts.unexpected).toBe(1);
    expect(result.exportRecords).toBe(2);
    const e = only(result, "unexpected");
    expect(e).toMatchObject({
      externalPromotionId: "VIP",
      contact: { field: "contactId", value: C3 },
      exported: { kind: "redeemed", at: { line: 12 } },
    });
    expect(e.sent).toBeUndefined();
  });

  it("combines files and runs: the latest record wins, but an older copy of a redeemed coupon does not undo it", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2));
    r.addAssignment(assignment("SPRING-26", C2, 3));
    // C1: redeemed, then the same coupon's assignment shows up again in a later file.
    r.addRecord(
      exportRecord("redeemed", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        couponId: "k1",
        file: "b.xml",
      }),
    );
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        couponId: "k1",
        ...onTime,
        file: "c.xml",
      }),
    );
    // C2: redeemed, then a new coupon for the same promotion and contact: assigned again.
    r.addRecord(
      exportRecord("redeemed", {
        externalPromotionId: "SPRING-26",
        contactId: C2,
        couponId: "k2",
        file: "b.xml",
      }),
    );
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C2,
        couponId: "k3",
        ...onTime,
        file: "d.xml",
      }),
    );
    const result = r.finish();
    expect(only(result, "redeemed")).toMatchObject({
      contact: { value: C1 },
      exported: { at: { file: "b.xml" } },
    });
    expect(only(result, "assigned")).toMatchObject({
      contact: { value: C2 },
      exported: { at: { file: "d.xml" } },
    });
  });

  it("clears a mismatch when a later record for the assignment matches", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2));
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        couponId: "a",
        validFrom: "2026-02-01T00:00:00+01:00",
      }),
    );
    r.addRecord(
      exportRecord("assigned", { externalPromotionId: "SPRING-26", contactId: C1, couponId: "b", ...onTime }),
    );
    expect(r.finish().counts).toMatchObject({ mismatched: 0, assigned: 1 });
  });

  it("compares the assignment's own valid-from override before the promotion's", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2, { validFromDate: "2026-03-05" }));
    r.addAssignment(assignment("SPRING-26", C2, 3, { validFromDate: "2026-03-05" }));
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        validFrom: "2026-03-05T00:00:00+01:00",
      }),
    );
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C2,
        validFrom: "2026-03-01T00:00:00+01:00",
      }),
    );
    const result = r.finish();
    expect(only(result, "assigned").contact?.value).toBe(C1);
    expect(only(result, "mismatched").differences).toEqual([
      { field: "validFromDate", expected: "2026-03-05", actual: "2026-03-01T00:00:00+01:00" },
    ]);
  });

  it("compares dates by calendar day in the offset the export gives", () => {
    const r = new Reconciler({ match: "contactId" });
    r.addPromotion(
      promotion("P", { validFromDate: "2026-03-05", validToDate: "2026-03-31", channels: undefined }),
    );
    const sent = ["c1", "c2", "c3", "c4", "c5"];
    sent.forEach((c, i) => r.addAssignment(assignment("P", c, i + 2)));
    // Same day in the export's own offset: matches.
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "P",
        contactId: "c1",
        validFrom: "2026-03-05T00:00:00+01:00",
        expire: "2026-03-31T23:59:59+02:00",
      }),
    );
    // Midnight at the start of the day after the last valid day: matches.
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "P",
        contactId: "c2",
        validFrom: "2026-03-05T23:30:00-05:00",
        expire: "2026-04-01T00:00:00+02:00",
      }),
    );
    // The same instant as c1's start, written in UTC, is the day before there: differs.
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "P",
        contactId: "c3",
        validFrom: "2026-03-04T23:00:00Z",
      }),
    );
    // One second past midnight of the next day is not the end of the last valid day.
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "P",
        contactId: "c4",
        expire: "2026-04-01T00:00:01+02:00",
      }),
    );
    // A plain date in the export must be the same day.
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "P",
        contactId: "c5",
        validFrom: "2026-03-05",
        expire: "2026-04-01",
      }),
    );
    const result = r.finish();
    expect([...result.entries("assigned")].map((e) => e.contact?.value)).toEqual(["c1", "c2"]);
    expect(
      [...result.entries("mismatched")].map((e) => [e.contact?.value, e.differences.map((d) => d.field)]),
    ).toEqual([
      ["c3", ["validFromDate"]],
      ["c4", ["validToDate"]],
      ["c5", ["validToDate"]],
    ]);
  });

  it("leaves out fields the expected side does not know", () => {
    const r = new Reconciler({ match: "contactId" });
    r.addAssignment(assignment("OLD-PROMO", C1, 2));
    r.addRecord(
      exportRecord(
        "assigned",
        { externalPromotionId: "OLD-PROMO", contactId: C1, ...onTime },
        { redemptionChannels: PERCENT_20 },
      ),
    );
    expect(r.finish().counts.assigned).toBe(1);
  });

  it("matches on contactKey with --match contactKey, taking externalContactId as the sent key and keeping leading zeros", () => {
    const r = new Reconciler({ match: "contactKey" });
    r.addPromotion(promotion("SPRING-26"));
    r.addAssignment(assignment("SPRING-26", undefined, 2, { externalContactId: "0004398423" }));
    r.addAssignment(assignment("SPRING-26", undefined, 3, { externalContactId: "0004398424" }));
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        contactKey: "0004398423",
        ...onTime,
      }),
    );
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C2,
        contactKey: "4398424",
        ...onTime,
      }),
    );
    const result = r.finish();
    expect(only(result, "assigned").contact).toEqual({ field: "contactKey", value: "0004398423" });
    expect(only(result, "missing").contact).toEqual({ field: "contactKey", value: "0004398424" });
    expect(only(result, "unexpected").contact).toEqual({ field: "contactKey", value: "4398424" });
  });

  it("counts assignments without the matched contact field as missing, with one warning per file", () => {
    const r = new Reconciler({ match: "contactKey" });
    r.addAssignment(assignment("P", C1, 2));
    r.addAssignment(assignment("P", C2, 3));
    const result = r.finish();
    expect(result.counts.missing).toBe(2);
    expect([...result.entries("missing")][0]?.note).toBe("no externalContactId to match on");
    expect(result.issues.map((i) => [i.code, i.file, i.line])).toEqual([
      ["diff.expected_unmatchable", "assignments.csv", 2],
    ]);
    expect(result.issues[0]?.message).toMatch(/^2 expected assignments have no externalContactId/);
  });

  it("lists export records without a key as unexpected, never combined, with one warning per file", () => {
    const r = new Reconciler({ match: "contactId" });
    r.addRecord(exportRecord("assigned", { contactId: C1, line: 3 }));
    r.addRecord(exportRecord("assigned", { externalPromotionId: "P", line: 20 }));
    r.addRecord(exportRecord("assigned", { externalPromotionId: "P", line: 30 }));
    const result = r.finish();
    expect(result.counts.unexpected).toBe(3);
    expect([...result.entries("unexpected")].map((e) => e.note)).toEqual([
      "no externalPromotionId to match on",
      "no contactId to match on",
      "no contactId to match on",
    ]);
    expect(result.issues.map((i) => [i.code, i.line])).toEqual([["diff.actual_unkeyed", 3]]);
  });

  it("warns when the same promotion and contact were sent with two codes, naming both lines, and compares the later", () => {
    const r = spring();
    r.addAssignment(assignment("SPRING-26", C1, 2));
    r.addAssignment(assignment("SPRING-26", C1, 7, { validFromDate: "2026-03-09" }));
    r.addRecord(
      exportRecord("assigned", {
        externalPromotionId: "SPRING-26",
        contactId: C1,
        validFrom: "2026-03-09T00:00:00+01:00",
      }),
    );
    const result = r.finish();
    expect(result.expectedAssignments).toBe(1);
    expect(only(result, "assigned")).toMatchObject({
      promotionCodeId: "SPRING-26-7",
      sent: { at: { line: 7 } },
    });
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({
      code: "diff.expected_duplicate",
      file: "assignments.csv",
      line: 7,
      severity: "warning",
      related: [{ file: "assignments.csv", line: 2 }],
    });
  });

  it("takes dates from the later definition of a promotion and channels from the first", () => {
    const r = new Reconciler({ match: "contactId" });
    r.addPromotion(promotion("P", { validToDate: "2026-03-31" }));
    r.addPromotion(
      promotion("P", {
        validToDate: "2026-04-30",
        channels: [{ type: "POS", valueType: "MONEY", value: "100" }],
      }),
    );
    r.addAssignment(assignment("P", C1, 2));
    r.addRecord(
      exportRecord(
        "assigned",
        {
          externalPromotionId: "P",
          contactId: C1,
          validFrom: "2026-03-01T00:00:00+01:00",
          expire: "2026-05-01T00:00:00+02:00",
        },
        { redemptionChannels: PERCENT_20 },
      ),
    );
    expect(r.finish().counts.assigned).toBe(1);
  });

  it("lists entries by category in the order their first source was read", () => {
    const r = spring();
    for (let i = 0; i < 5; i += 1) r.addAssignment(assignment("SPRING-26", `c${i}`, i + 2));
    r.addRecord(exportRecord("assigned", { externalPromotionId: "SPRING-26", contactId: "c3", ...onTime }));
    r.addRecord(exportRecord("assigned", { externalPromotionId: "SPRING-26", contactId: "c1", ...onTime }));
    const result = r.finish();
    expect([...result.entries("missing")].map((e) => e.contact?.value)).toEqual(["c0", "c2", "c4"]);
    expect([...result.entries("assigned")].map((e) => e.contact?.value)).toEqual(["c1", "c3"]);
    expect(all(result)).toHaveLength(5);
  });

  it("refuses expected assignments after the first export record", () => {
    const r = spring();
    r.addRecord(exportRecord("assigned", { externalPromotionId: "SPRING-26", contactId: C1 }));
    expect(() => r.addAssignment(assignment("SPRING-26", C2, 2))).toThrow(/expected side must be complete/);
  });

  it("keeps its columns growing past their first capacity", () => {
    const r = spring();
    for (let i = 0; i < 5000; i += 1) r.addAssignment(assignment("SPRING-26", `c${i}`, i + 2));
    for (let i = 0; i < 5000; i += 2)
      r.addRecord(
        exportRecord("assigned", {
          externalPromotionId: "SPRING-26",
          contactId: `c${i}`,
          ...onTime,
          line: i + 1,
        }),
      );
    const result = r.finish();
    expect(result.counts).toMatchObject({ assigned: 2500, missing: 2500 });
    expect([...result.entries("missing")].at(-1)).toMatchObject({
      contact: { value: "c4999" },
      sent: { at: { line: 5001 } },
    });
  });
});
