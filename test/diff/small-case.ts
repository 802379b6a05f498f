import type { DiffReport } from "../../src/diff/diff-report.js";
import type { MatchField } from "../../src/diff/diff-entry.js";
import { Reconciler } from "../../src/diff/reconciler.js";
import { PERCENT_20, assignment, exportRecord, promotion } from "./records.js";

const NEW = "exports/20260302080000_assigned.xml";
const REDEEMED = "exports/20260310120000_redeemed.xml";
const DELETED = "exports/20260320060000_deleted.xml";
const KEYS = "out/run-1/manifest.keys.ndjson";

/**
 * One entry of every category, with values that need escaping in HTML and quoting in CSV:
 * the small case every report format is pinned on. The check day (as `api check` sets it)
 * makes the one assignment of a promotion that starts later `not_checkable`.
 */
export function smallCaseReport(match: MatchField = "contactKey"): DiffReport {
  const r = new Reconciler({ match, checkDay: "2026-03-02" });
  r.addPromotion(promotion("SPRING-26", { at: { file: "definitions.csv", line: 2 } }));
  r.addPromotion(
    promotion("SHOES-100", {
      validToDate: "2026-04-30",
      channels: [
        { type: "POS", valueType: "MONEY", value: "100", instruction: "Only full-price shoes" },
        { type: "ECOM", valueType: "EXTERNALOFFER", value: "10OFFSHOES" },
      ],
      at: { file: "definitions.csv", line: 3 },
    }),
  );
  r.addPromotion(
    promotion("SUMMER-26", {
      validFromDate: "2026-06-01",
      validToDate: "2026-08-31",
      at: { file: "definitions.csv", line: 4 },
    }),
  );
  const sent = (
    id: string,
    key: string,
    contactId: string,
    line: number,
    code: string,
    validFromDate?: string,
  ) => {
    const a = assignment(id, contactId, line, {
      promotionCodeId: code,
      externalContactId: key,
      sent: {
        at: { file: KEYS, line: line - 1 },
        origin: { file: "assignments.csv", line },
        importFile: "20260301020000_promotions_0001.xml",
      },
    });
    if (validFromDate !== undefined) a.validFromDate = validFromDate;
    r.addAssignment(a);
  };
  sent("SPRING-26", "0004398423", "7b89b95e-6347-4d66-8b02-a10a9c830119", 2, "SPRING-26-000001");
  sent(
    "SPRING-26",
    "jane.doe@example.com",
    "0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80",
    3,
    "SPRING-26-000002",
    "2026-03-05",
  );
  sent("SPRING-26", "0004398555", "3e4d5c6b-7a89-4b0c-8d1e-2f3a4b5c6d7e", 4, "SPRING-26-000003");
  sent("SHOES-100", "0004398423", "7b89b95e-6347-4d66-8b02-a10a9c830119", 5, "0000123");
  sent("SHOES-100", "0004398777", "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", 6, "1E5");
  sent("SUMMER-26", "0004398555", "3e4d5c6b-7a89-4b0c-8d1e-2f3a4b5c6d7e", 7, "SUMMER-26-000001");

  const spring = { validFrom: "2026-03-01T00:00:00+01:00", expire: "2026-04-01T00:00:00+02:00" };
  r.addRecord(
    exportRecord(
      "assigned",
      {
        externalPromotionId: "SPRING-26",
        contactId: "7b89b95e-6347-4d66-8b02-a10a9c830119",
        contactKey: "0004398423",
        couponId: "k1",
        ...spring,
        file: NEW,
        line: 3,
      },
      { redemptionChannels: PERCENT_20 },
    ),
  );
  r.addRecord(
    exportRecord(
      "assigned",
      {
        externalPromotionId: "SPRING-26",
        contactId: "0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80",
        contactKey: "jane.doe@example.com",
        couponId: "k2",
        validFrom: "2026-03-05T00:00:00+01:00",
        expire: "2026-04-01T00:00:00+02:00",
        file: NEW,
        line: 27,
      },
      { redemptionChannels: PERCENT_20 },
    ),
  );
  r.addRecord(
    exportRecord(
      "assigned",
      {
        externalPromotionId: "SHOES-100",
        contactId: "7b89b95e-6347-4d66-8b02-a10a9c830119",
        contactKey: "0004398423",
        couponId: "k3",
        validFrom: "2026-03-01T00:00:00+01:00",
        expire: "2026-05-31T00:00:00+02:00",
        file: NEW,
        line: 50,
      },
      {
        redemptionChannels: [
          {
            type: "POS",
            valueType: "MONEY",
            value: "150.00",
            instruction: 'Only full-price shoes, "not" outlet',
          },
          { type: "ECOM", valueType: "EXTERNALOFFER", value: "10OFFSHOES" },
        ],
      },
    ),
  );
  r.addRecord(
    exportRecord("assigned", {
      externalPromotionId: "SHOES-100",
      contactId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      contactKey: "0004398777",
      couponId: "k4",
      file: NEW,
      line: 77,
    }),
  );
  r.addRecord(
    exportRecord("assigned", {
      externalPromotionId: '<script>alert("x")</script>',
      contactId: "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
      contactKey: "0004398999",
      couponId: "k5",
      file: NEW,
      line: 99,
    }),
  );
  r.addRecord(
    exportRecord("redeemed", {
      externalPromotionId: "SPRING-26",
      contactId: "7b89b95e-6347-4d66-8b02-a10a9c830119",
      contactKey: "0004398423",
      couponId: "k1",
      file: REDEEMED,
      line: 3,
    }),
  );
  r.addRecord(
    exportRecord("deleted", {
      externalPromotionId: "SHOES-100",
      contactId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      contactKey: "0004398777",
      couponId: "k4",
      file: DELETED,
      line: 3,
    }),
  );
  const result = r.finish();
  return {
    match,
    counts: result.counts,
    expectedAssignments: result.expectedAssignments,
    exportRecords: result.exportRecords,
    sources: {
      expected: [{ path: "out/run-1/manifest.json", kind: "manifest", count: 6 }],
      actual: [
        { path: NEW, kind: "export", count: 5 },
        { path: REDEEMED, kind: "export", count: 1 },
        { path: DELETED, kind: "export", count: 1 },
      ],
    },
    issues: result.issues,
    entries: (c) => result.entries(c),
  };
}
