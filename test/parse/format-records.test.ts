import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { dataFormatOfPath } from "../../src/core/data-format.js";
import {
  CSV_COLUMNS,
  createRecordFormatter,
  recordCsvRow,
  recordJson,
} from "../../src/parse/format-records.js";
import { EXPORT_KINDS, type ExportRecord } from "../../src/schemas/export-record.js";

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

  it("writes a record's JSON exactly as JSON.stringify does", () => {
    // Any UTF-16 text: quotes, backslashes, controls, lone surrogates and astral characters.
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom('"', "\\", "\u0000", "\u001f", "\ud800", "\udc00", "é", "😀"),
        fc.string({ maxLength: 1 }),
      ),
    });
    const instant = fc.record({ raw: text, instant: text, day: text }, { requiredKeys: ["raw", "day"] });
    const optional = { requiredKeys: [] as [] };
    const arbitraryRecord = fc.record(
      {
        kind: fc.constantFrom(...EXPORT_KINDS),
        contactId: text,
        contactKey: text,
        contactType: text,
        couponId: text,
        promotionId: text,
        externalPromotionId: text,
        description: text,
        validFromDate: instant,
        expireDateTime: instant,
        redemptionChannels: fc.array(
          fc.record({ type: text, valueType: text, value: text, instruction: text }, optional),
          { maxLength: 3 },
        ),
        currency: text,
        storeId: text,
        storeType: text,
        redeemedDateTime: instant,
        extra: fc.dictionary(text, text, { maxKeys: 3 }),
        at: fc.record(
          { file: text, line: fc.nat(), column: fc.nat(), field: text, record: fc.nat() },
          { requiredKeys: ["file"] },
        ),
      },
      { requiredKeys: ["kind", "redemptionChannels", "extra", "at"] },
    );
    fc.assert(
      fc.property(arbitraryRecord, (r) => {
        expect(recordJson(r as ExportRecord)).toBe(JSON.stringify(r));
      }),
      { numRuns: 2000 },
    );
    expect(recordJson(record)).toBe(JSON.stringify(record));
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
    expect(["a.csv", "a.NDJSON", "a.jsonl", "a.json", "a.txt"].map(dataFormatOfPath)).toEqual([
      "csv",
      "ndjson",
      "ndjson",
      "json",
      undefined,
    ]);
  });
});
