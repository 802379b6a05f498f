import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { redemptionPieces } from "../../src/import/redemptions-file.js";
import { REDEMPTION_COLUMNS, type RedemptionRow } from "../../src/schemas/voucherify-mapping.js";

function rows(count: number): RedemptionRow[] {
  return Array.from({ length: count }, (_, i) => ({
    contactId: `7b89b95e-6347-4d66-8b02-${String(i).padStart(12, "0")}`,
    externalPromotionId: i % 7 === 0 ? `SPRING;"26"` : "SPRING-26",
    redemptionChannel: i % 2 === 0 ? "POS" : "ECOM",
    sourceRedemptionId: `r_${i}`,
    redeemedAt: "2026-02-03T09:14:07.512Z",
  }));
}

const text = (r: RedemptionRow[], format: "csv" | "ndjson" | "json"): string =>
  [...redemptionPieces(r, format)].join("");
const asJson = (r: RedemptionRow) =>
  Object.fromEntries(
    REDEMPTION_COLUMNS.filter((c) => r[c] !== undefined && r[c] !== "").map((c) => [c, r[c]]),
  );

describe("redemptionPieces", () => {
  // 25,001 rows: pieces of 10,000 rows, and one left over.
  it.each([0, 1, 25_001])("writes %i rows as one valid file in every format", (count) => {
    const data = rows(count);
    const csv = text(data, "csv");
    const table = parse(csv, { delimiter: ";", columns: true }) as Record<string, string>[];
    expect(csv.split("\n")[0]).toBe(REDEMPTION_COLUMNS.join(";"));
    expect(table).toEqual(
      data.map((r) => Object.fromEntries(REDEMPTION_COLUMNS.map((c) => [c, r[c] ?? ""]))),
    );
    expect(csv.endsWith("\n")).toBe(true);

    const ndjson = text(data, "ndjson");
    expect(
      ndjson === ""
        ? []
        : ndjson
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l) as unknown),
    ).toEqual(data.map(asJson));

    const json = text(data, "json");
    expect(JSON.parse(json)).toEqual(data.map(asJson));
    expect(json).toBe(
      count === 0 ? "[]\n" : `[\n${data.map((r) => `  ${JSON.stringify(asJson(r))}`).join(",\n")}\n]\n`,
    );
  });
});
