import { describe, expect, it } from "vitest";
import {
  CSV_COLUMNS,
  createRecordFormatter,
  formatOfPath,
  recordCsvRow,
} from "../../src/parse/format-records.js";
import type { ExportRecord } from "../../src/schemas/export-record.js";

const record: ExportRecord = {
  kind: "redeemed",
  contactKey: "0004398423",
  couponId: "32e0f814-eb7b-4857-8c05-a8e900c43e44",
  externalPromotionId: "1E5",
  description: 'Say "hej"; then\nleave',
  validFromDate: { raw: "2026-03-05T00:00:00+01:00", instant: "2026-03-04T23:00:00.000Z", day: "2026-03-05" },
  redemptionChannels: [
    { type: "ecom", valueType: "EXTERNALOFFER", value: "10OFF" },
    { type: "POS", valueType: "PERCENT", value: "20", instruction: "Scan" },
    { type: "APP", value: "x" },
  ],
  storeId: "1005",
  extra: { segment: "VIP" },
  at: { file: "export.xml", line: 3, column: 3, record: 1 },
};

describe("formatting parsed records", () => {
  it("writes a CSV row with POS and ECOM channels in their columns and the rest as JSON", () => {
    const expected = [
      "redeemed",
      "",
      "0004398423",
      "",
      "32e0f814-eb7b-4857-8c05-a8e900c43e44",
      "",
      "1E5",
      '"Say ""hej""; then\nleave"',
      "2026-03-05T00:00:00+01:00",
      "",
      "PERCENT",
      "20",
      "Scan",
      "EXTERNALOFFER",
      "10OFF",
      "",
      "",
      "1005",
      "",
      "",
      '"[{""type"":""APP"",""value"":""x""}]"',
      '"{""segment"":""VIP""}"',
      "export.xml",
      "3",
    ];
    expect(expected).toHaveLength(CSV_COLUMNS.length);
    expect(recordCsvRow(record)).toBe(expected.join(";"));
  });

  it("writes the header first and a line per record", () => {
    const f = createRecordFormatter("csv");
    const text = f.start() + f.format([record, record]) + f.end();
    const lines = text.split("\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(";"));
    expect(text.endsWith("\n")).toBe(true);
  });

  it("writes a JSON array that parses back, one record a line, in any number of pieces", () => {
    const f = createRecordFormatter("json");
    const text = f.start() + f.format([record]) + f.format([]) + f.format([record, record]) + f.end();
    expect(JSON.parse(text)).toEqual([record, record, record]);
    expect(text.split("\n")).toHaveLength(6);
    const empty = createRecordFormatter("json");
    expect(empty.start() + empty.end()).toBe("[]\n");
  });

  it("writes NDJSON, one record a line", () => {
    const f = createRecordFormatter("ndjson");
    const text = f.start() + f.format([record, record]) + f.end();
    expect(
      text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as unknown),
    ).toEqual([record, record]);
  });

  it("tells the format from an output file's extension", () => {
    expect(["a.csv", "a.NDJSON", "a.jsonl", "a.json", "a.txt"].map(formatOfPath)).toEqual([
      "csv",
      "ndjson",
      "ndjson",
      "json",
      undefined,
    ]);
  });
});
