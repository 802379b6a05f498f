import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { openInput, type OpenOptions } from "../../src/read/open-input.js";
import type { JsonRow, RawRow, ReadBatch } from "../../src/read/raw-row.js";
import { rawValuesOf } from "../../src/validate/row-input.js";
import { tempInputs } from "./temp-files.js";

const files = tempInputs("engage-json-array-");
afterAll(() => files.remove());

const GUID = "7b89b95e-6347-4d66-8b02-a10a9c830119";

async function read(name: string, content: string | Uint8Array, options: OpenOptions = {}) {
  const file = files.write(name, content);
  const source = await openInput(file, options);
  const rows: JsonRow[] = [];
  const issues: ReadBatch["issues"] = [];
  let batches = 0;
  for await (const b of source.rows(source.kind === "definitions" ? "definitions" : "assignments")) {
    batches += 1;
    for (const row of b.rows as RawRow[]) if (row.format === "json") rows.push(row);
    for (const issue of b.issues) issues.push(issue);
  }
  return { file, source, rows, issues, batches };
}

const at = (i: { code: string; line?: number; column?: number; field?: string }) => [
  i.code,
  i.line,
  i.column,
  ...(i.field !== undefined ? [i.field] : []),
];

describe("a JSON array, streamed", () => {
  it("hands on each record with its line, column and record number, and counts them", async () => {
    const text = `[\n  {"externalPromotionId": "A", "contactId": "${GUID}"},\n  {"externalPromotionId": "B",\n   "contactId": "${GUID}"}\n]\n`;
    const { source, rows, issues } = await read("two.json", text);
    expect(issues).toEqual([]);
    expect(source.kind).toBe("assignments");
    expect(rows.map((r) => [r.at.line, r.node?.column, r.at.record, r.endLine])).toEqual([
      [2, 3, 1, 2],
      [3, 3, 2, 4],
    ]);
    expect(source.stats.records).toBe(2);
    expect(source.stats.recordsExpected).toBe(2);
    expect(source.stats.sha256).toBe(createHash("sha256").update(text).digest("hex"));
  });

  it("keeps identifiers as their source text: strings with leading zeros, numbers as written", async () => {
    const { rows } = await read(
      "ids.json",
      `[{"externalPromotionId": "0000123", "promotionCodeId": 1E5, "contactId": 12345678901234567890}]`,
    );
    expect(rawValuesOf(rows[0]!)).toEqual({
      externalPromotionId: "0000123",
      promotionCodeId: "1E5",
      contactId: "12345678901234567890",
    });
  });

  it("reports a key twice in a record at the second one, in linear time for 100,000 keys", async () => {
    const { rows } = await read(
      "dup.json",
      `[{"externalPromotionId": "A"},\n {"externalPromotionId": "A", "contactId": "x", "contactId": "y"}]`,
    );
    expect(rows[0]!.problems).toEqual([]);
    expect(rows[1]!.problems.map(at)).toEqual([["read.json_key_duplicate", 2, 49, "contactId"]]);
    const keys = Array.from({ length: 100_000 }, (_, i) => `"k${i}": ${i}`).join(", ");
    const started = Date.now();
    const wide = await read("wide.json", `[{${keys}, "k5": 0}]`, { maxFieldChars: 1 << 20 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(wide.rows[0]!.problems.map((p) => p.code)).toContain("read.json_key_duplicate");
  });

  it("reads 256 levels of nesting and refuses 257 with read.json_depth where the limit is crossed", async () => {
    const deep = (levels: number) => `[${"[".repeat(levels - 1)}${"]".repeat(levels - 1)}]`;
    const ok = await read("deep-ok.json", deep(256), { kind: "assignments" });
    expect(ok.issues).toEqual([]);
    expect(ok.rows).toHaveLength(1);
    const refused = await read("deep.json", `[{"a":\n${"[".repeat(300)}`, { kind: "assignments" });
    expect(refused.issues.map(at)).toEqual([["read.json_depth", 2, 255]]);
    expect(refused.rows).toEqual([]);
    // a syntax error before the limit is the one reported
    const earlier = await read("deep-bad.json", `[{"a" ${"[".repeat(300)}`, { kind: "assignments" });
    expect(earlier.issues.map(at)).toEqual([["read.json_syntax", 1, 7]]);
  });

  it("names the line of bytes that are not UTF-8, and reads past them", async () => {
    const bytes = Buffer.concat([
      Buffer.from(`[{"externalPromotionId": "A", "contactId": "${GUID}"},\n{"externalPromotionId": "K`),
      Buffer.from([0xf6, 0xff]),
      Buffer.from(`", "contactId": "${GUID}"},\n{"externalPromotionId": "C", "contactId": "${GUID}"}]`),
    ]);
    const { rows, issues } = await read("latin1.json", bytes);
    expect(issues).toEqual([]);
    expect(rows.map((r) => r.problems.map(at))).toEqual([
      [],
      [["read.encoding_invalid", 2, 27, "externalPromotionId"]],
      [],
    ]);
  });

  it("drops a UTF-8 byte order mark and counts columns after it", async () => {
    const { rows, issues } = await read("bom.json", `\uFEFF[{"externalPromotionId": "A", "contactId": "x"}]`);
    expect(issues).toEqual([]);
    expect(rows.map((r) => [r.at.line, r.node?.column])).toEqual([[1, 2]]);
  });

  it("refuses a UTF-16 file as before", async () => {
    const { issues } = await read(
      "utf16.json",
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("[]", "utf16le")]),
    );
    expect(issues.map((i) => i.code)).toEqual(["read.encoding_invalid"]);
  });

  it("hands on no record of an empty array, and no issue: the batch decides on read.no_rows", async () => {
    const { rows, issues, source } = await read("empty.json", " [ ]\n");
    expect(rows).toEqual([]);
    expect(issues).toEqual([]);
    expect(source.stats.records).toBe(0);
  });

  it("refuses a file with a syntax error after good records whole: the error at its place, no record", async () => {
    const good = Array.from(
      { length: 3000 },
      (_, i) => `{"externalPromotionId": "A", "promotionCodeId": "c${i}"}`,
    );
    const text = `[\n${good.join(",\n")},\n{"externalPromotionId": "B" "promotionCodeId": "x"}\n]`;
    const { rows, issues, source } = await read("broken.json", text);
    expect(issues.map(at)).toEqual([["read.json_syntax", 3002, 29]]);
    expect(issues[0]!.message).toBe('expected "," or "}" after a value in an object, got "\\""');
    expect(rows).toEqual([]);
    expect(source.stats.records).toBe(0);
    expect(source.kind).toBeUndefined();
    expect(source.stats.sha256).toBe(createHash("sha256").update(text).digest("hex"));
  });

  it("refuses a file cut short, at its end", async () => {
    const { rows, issues } = await read(
      "cut.json",
      `[{"externalPromotionId": "A"},\n{"externalPromotionId": "B`,
    );
    expect(issues.map(at)).toEqual([["read.json_syntax", 2, 25]]);
    expect(rows).toEqual([]);
    const open = await read("open.json", `[{"externalPromotionId": "A"},\n `);
    expect(open.issues.map(at)).toEqual([["read.json_syntax", 2, 2]]);
  });

  it("refuses anything after the closing bracket", async () => {
    const { issues } = await read("after.json", `[{"externalPromotionId": "A"}]\nnull`);
    expect(issues.map(at)).toEqual([["read.json_syntax", 2, 1]]);
    expect(issues[0]!.message).toBe('expected the end of the file after the value, got "null"');
  });

  it("skips a record longer than 16 times --max-field-bytes with one issue, and reads the next", async () => {
    const long = `{"externalPromotionId": "${"x".repeat(5000)}"}`;
    const { rows, issues } = await read(
      "long.json",
      `[{"externalPromotionId": "A", "contactId": "${GUID}"},\n ${long},\n {"externalPromotionId": "C", "contactId": "${GUID}"}]`,
      { maxFieldChars: 100 },
    );
    expect(issues).toEqual([]);
    expect(rows.map((r) => r.problems.map(at))).toEqual([[], [["read.record_too_long", 2, 2]], []]);
    expect(rows.map((r) => r.at.record)).toEqual([1, 2, 3]);
  });

  it("calls records whose keys tell no kind unknown, at the array", async () => {
    const { rows, issues } = await read("unknown.json", ` [{"a": 1}]`);
    expect(issues.map(at)).toEqual([["read.kind_unknown", 1, 2]]);
    expect(rows.map((r) => r.kind)).toEqual(["unknown"]);
  });

  it("hands the first records on while the rest of a large file is still unread", async () => {
    const record = `{"externalPromotionId": "A", "promotionCodeId": "c", "contactId": "${GUID}"}`;
    const file = files.write("large.json", `[${Array.from({ length: 40_000 }, () => record).join(",\n")}]`);
    const source = await openInput(file, {});
    expect(source.stats.recordsExpected).toBe(40_000);
    const size = readFileSync(file).length;
    const batches = source.rows("assignments");
    const first = await batches.next();
    expect(first.done).toBe(false);
    expect(first.value!.rows.length).toBeGreaterThan(0);
    expect(source.stats.bytesRead).toBeLessThan(size / 10);
    let rows = first.value!.rows.length;
    for await (const b of batches) rows += b.rows.length;
    expect(rows).toBe(40_000);
    expect(source.stats.records).toBe(40_000);
  });

  it("reads the two parts of a {promotions, assignments} document whole, as before", async () => {
    const { source } = await read("mixed.json", `{"promotions": [], "assignments": []}`);
    expect(source.kind).toBe("mixed");
  });
});
