import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { unreadable } from "../../src/read/input-errors.js";
import { formatOf } from "../../src/read/input-format.js";
import { assertReadable, openInput } from "../../src/read/open-input.js";
import type { RawRow, ReadBatch } from "../../src/read/raw-row.js";
import { tempInputs } from "./temp-files.js";

const files = tempInputs();
afterAll(() => files.remove());

async function drain(
  batches: AsyncGenerator<ReadBatch>,
): Promise<{ rows: RawRow[]; issues: ReadBatch["issues"] }> {
  const rows: RawRow[] = [];
  const issues: ReadBatch["issues"] = [];
  for await (const b of batches) {
    rows.push(...b.rows);
    issues.push(...b.issues);
  }
  return { rows, issues };
}

describe("formatOf", () => {
  it("tells the format by the name first", () => {
    expect(formatOf("a.csv", "[")).toBe("csv");
    expect(formatOf("a.ndjson", "{}")).toBe("ndjson");
    expect(formatOf("a.jsonl", "{}")).toBe("ndjson");
  });

  it("tells JSON from NDJSON by the first lines", () => {
    expect(formatOf("a.json", '{"promotions": []}')).toBe("json");
    expect(formatOf("a.json", '{"a": 1}\n{"a": 2}\n')).toBe("ndjson");
    expect(formatOf("a.json", '{\n  "promotions": []\n}')).toBe("json");
    expect(formatOf("a.json", "garbage")).toBe("json");
    expect(formatOf("data", "\uFEFF [1]")).toBe("json");
    expect(formatOf("data", "externalPromotionId;promotionName")).toBe("csv");
  });
});

describe("assertReadable", () => {
  it("fails with exit 66 and read.file_missing for a missing file", async () => {
    const error = await assertReadable(`${files.dir}/nope.csv`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({
      kind: "input_missing",
      code: "read.file_missing",
      message: `${files.dir}/nope.csv: no such file`,
    });
    expect((error as EngageError).exitCode).toBe(66);
  });

  it("fails with exit 66 for a folder", async () => {
    const error = await assertReadable(files.dir).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "input_missing", code: "read.file_unreadable" });
  });
});

describe("unreadable", () => {
  it("maps file system errors to exit 66 and hands anything else back", () => {
    const denied = Object.assign(new Error("denied"), { code: "EACCES" });
    expect(unreadable("a.csv", denied)).toMatchObject({
      kind: "input_missing",
      code: "read.file_unreadable",
      message: "a.csv: cannot be read (EACCES)",
    });
    const bug = new TypeError("x is undefined");
    expect(unreadable("a.csv", bug)).toBe(bug);
  });
});

describe("openInput", () => {
  it("hashes the file's bytes and counts its records", async () => {
    const file = files.write(
      "hash.csv",
      "\uFEFFexternalPromotionId;promotionCodeId;contactId\r\nA;1;x\r\nB;2;y\r\n",
    );
    const source = await openInput(file, {});
    await drain(source.rows("assignments"));
    expect(source.stats.sha256).toBe(createHash("sha256").update(readFileSync(file)).digest("hex"));
    expect(source.stats.records).toBe(2);
  });

  it("gives the size of each file and how far a reader got, and a JSON file's record count up front", async () => {
    const csv = files.write("sizes.csv", "externalPromotionId;promotionCodeId;contactId\nA;1;x\nB;2;y\n");
    const ndjson = files.write("sizes.ndjson", '{"externalPromotionId":"A","contactId":"x"}\n\n');
    const json = files.write("sizes.json", '[{"externalPromotionId":"A"},{"externalPromotionId":"B"}]');
    for (const file of [csv, ndjson, json]) {
      const source = await openInput(file, {});
      const size = readFileSync(file).length;
      expect(source.size).toBe(size);
      const rows = source.rows("assignments");
      expect((await rows.next()).done).toBe(false);
      expect(source.stats.bytesRead).toBe(size);
      expect(source.stats.recordsExpected).toBe(file === json ? 2 : undefined);
      await rows.return(undefined);
    }
  });

  it("tells a definitions file from its header, and an assignments file", async () => {
    const defs = files.write("d.csv", "externalPromotionId;promotionName\nA;Name\n");
    const asg = files.write("a.csv", "External Promotion ID,contact_id\nA,x\n");
    expect((await openInput(defs, {})).kind).toBe("definitions");
    expect((await openInput(asg, {})).kind).toBe("assignments");
  });

  it("calls a header with columns of both kinds undecided", async () => {
    const both = files.write("both.csv", "externalPromotionId;promotionName;contactId\nA;B;C\n");
    const source = await openInput(both, {});
    expect(source.kind).toBeUndefined();
    const { rows, issues } = await drain(source.rows("assignments"));
    expect(issues.map((i) => [i.code, i.line])).toEqual([["read.kind_unknown", 1]]);
    expect(rows.map((r) => r.kind)).toEqual(["unknown"]);
  });

  it("lets the forced kind win over the header", async () => {
    const file = files.write("forced.csv", "externalPromotionId;promotionName;contactId\nA;B;C\n");
    const source = await openInput(file, { kind: "definitions" });
    expect(source.kind).toBe("definitions");
    const { issues } = await drain(source.rows("definitions"));
    expect(issues.map((i) => [i.code, i.line, i.column, i.field])).toEqual([
      ["read.csv_header_unknown", 1, 3, "contactId"],
    ]);
  });

  it("renames a team's headers to ours with a columns mapping, loosely matched", async () => {
    const file = files.write("mapped.csv", "KAMPANJ;kund id\nA;x\n");
    const source = await openInput(file, {
      columns: { kampanj: "externalPromotionId", "Kund ID": "contactId" },
    });
    expect(source.kind).toBe("assignments");
    const { rows } = await drain(source.rows("assignments"));
    const row = rows[0]!;
    expect(row.format === "csv" && [...row.table.columnOf.entries()]).toEqual([
      ["externalPromotionId", 0],
      ["contactId", 1],
    ]);
  });

  it("tells the kind of a JSON array from its first record whose keys decide it", async () => {
    const file = files.write(
      "a.json",
      '[{"externalPromotionId": "A"}, {"externalPromotionId": "A", "contactId": "x"}]',
    );
    expect((await openInput(file, {})).kind).toBe("assignments");
  });

  it("tells the kind of an NDJSON file from its first records", async () => {
    const file = files.write(
      "p.ndjson",
      '{"externalPromotionId": "A"}\n\n{"externalPromotionId": "A", "promotionName": "x"}\n',
    );
    expect((await openInput(file, {})).kind).toBe("definitions");
  });

  it("reads a mixed document once per part and reports the file's issues once", async () => {
    const file = files.write(
      "m.json",
      '{"promotions": [{"externalPromotionId": "A", "promotionName": "x"}], "assignments": [], "x": 1}',
    );
    const source = await openInput(file, {});
    expect(source.kind).toBe("mixed");
    const first = await drain(source.rows("definitions"));
    const second = await drain(source.rows("assignments"));
    expect(first.issues.map((i) => i.code)).toEqual(["validate.unknown_field"]);
    expect(second.issues).toEqual([]);
    expect(first.rows).toHaveLength(1);
    expect(source.stats.records).toBe(1);
  });

  it("reports an empty JSON file and an empty NDJSON file", async () => {
    const json = await openInput(files.write("e.json", "  \n"), {});
    expect((await drain(json.rows("assignments"))).issues.map((i) => i.code)).toEqual(["read.file_empty"]);
    const ndjson = await openInput(files.write("e.ndjson", "\n\n"), {});
    expect((await drain(ndjson.rows("assignments"))).issues.map((i) => i.code)).toEqual(["read.file_empty"]);
  });

  it("names the line of bytes that are not UTF-8 in a JSON record", async () => {
    const file = files.write(
      "bad.json",
      Buffer.concat([
        Buffer.from('[\n{"externalPromotionId": "A'),
        Buffer.from([0xff]),
        Buffer.from('", "contactId": "x"}\n]'),
      ]),
    );
    const source = await openInput(file, {});
    const { rows } = await drain(source.rows("assignments"));
    expect(rows[0]!.problems.map((p) => [p.code, p.line])).toEqual([["read.encoding_invalid", 2]]);
  });

  it("streams a large CSV in batches without losing or splitting rows", async () => {
    const lines = ["externalPromotionId;promotionCodeId;contactId"];
    for (let i = 0; i < 20_000; i++) lines.push(`P;"code ${i};\n${"x".repeat(i % 50)}";c${i}`);
    const file = files.write("large.csv", lines.join("\n"));
    const source = await openInput(file, {});
    let batches = 0;
    let rows = 0;
    let lastLine = 0;
    for await (const batch of source.rows("assignments")) {
      batches += 1;
      for (const row of batch.rows) {
        rows += 1;
        expect(row.at.line).toBe(lastLine === 0 ? 2 : lastLine + 2);
        expect(row.problems).toEqual([]);
        lastLine = row.at.line!;
      }
    }
    expect(rows).toBe(20_000);
    expect(batches).toBeGreaterThan(10);
  });
});

describe("CSV encodings", () => {
  const header = "externalPromotionId;contactId;Giltig från";
  const row = "SOMMAR-26;7b89b95e-6347-4d66-8b02-a10a9c830119;2026-06-01";

  it("reads Windows-1252 with --encoding, so --columns can rename a header such as Giltig från", async () => {
    const file = files.write("excel.csv", Buffer.from(`${header}\r\n${row}\r\n`, "latin1"));
    const options = { encoding: "windows-1252" as const, columns: { "Giltig från": "validFromDate" } };
    const input = await openInput(file, options);
    expect(input.kind).toBe("assignments");
    const { rows, issues } = await drain(input.rows("assignments"));
    expect(issues).toEqual([]);
    const first = rows[0]!;
    expect(first.format === "csv" && first.table.fields).toEqual([
      "externalPromotionId",
      "contactId",
      "validFromDate",
    ]);
    expect(first.problems).toEqual([]);
  });

  it("reads UTF-16LE and UTF-16BE with their byte order mark", async () => {
    const text = `${header}\n${row}\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    for (const [name, bytes, encoding] of [
      ["le.csv", le, "utf-16le"],
      ["be.csv", be, "utf-16be"],
    ] as const) {
      const input = await openInput(files.write(name, bytes), {
        encoding,
        columns: { "Giltig från": "validFromDate" },
      });
      const { rows, issues } = await drain(input.rows("assignments"));
      expect(issues).toEqual([]);
      expect(rows.map((r) => (r.format === "csv" ? r.values : []))).toEqual([row.split(";")]);
    }
  });

  it("reports Latin-1 bytes read as UTF-8 at their column, the first with a hint naming --encoding", async () => {
    const file = files.write(
      "latin1-as-utf8.csv",
      Buffer.from(`externalPromotionId;contactId;promotionCodeId\nA;x;kö\nB;ä;y\n`, "latin1"),
    );
    const input = await openInput(file, {});
    const { rows } = await drain(input.rows("assignments"));
    const problems = rows.flatMap((r) => r.problems);
    expect(problems.map((p) => [p.code, p.line, p.column, p.field])).toEqual([
      ["read.encoding_invalid", 2, 3, "promotionCodeId"],
      ["read.encoding_invalid", 3, 2, "contactId"],
    ]);
    expect(problems[0]!.message).toContain("--encoding");
    expect(problems[1]!.message).not.toContain("--encoding");
  });

  it("reads a CR-only file (old Mac, some Excel exports) as its records, not one header line", async () => {
    const file = files.write(
      "mac.csv",
      `${header.replace("Giltig från", "validFromDate")}\r${row}\r${row}\r`,
    );
    const input = await openInput(file, {});
    expect(input.kind).toBe("assignments");
    const { rows } = await drain(input.rows("assignments"));
    expect(rows.map((r) => [r.at.line, r.problems.length])).toEqual([
      [2, 0],
      [3, 0],
    ]);
  });
});

describe("long NDJSON lines", () => {
  it("reads a line without a break in linear time and reports it as one record too long", async () => {
    const record = '{"externalPromotionId":"A","contactId":"7b89b95e-6347-4d66-8b02-a10a9c830119"}';
    const long = `{"externalPromotionId":"${"x".repeat(40 << 20)}"}`; // 40 MiB, past 16 × 1 MiB
    const file = files.write("long.ndjson", `${record}\n${long}\n${record}`);
    const started = Date.now();
    const input = await openInput(file, {});
    const { rows } = await drain(input.rows("assignments"));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(rows.map((r) => [r.at.line, r.problems.map((p) => p.code)])).toEqual([
      [1, []],
      [2, ["read.record_too_long"]],
      [3, []],
    ]);
  });

  it("reads a line spanning many chunks whole when it is within the limit", async () => {
    const line = `{"externalPromotionId":"${"y".repeat(300_000)}","contactId":"7b89b95e-6347-4d66-8b02-a10a9c830119"}`;
    const file = files.write("spanning.ndjson", `${line}\n`);
    const input = await openInput(file, {});
    const { rows } = await drain(input.rows("assignments"));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.problems).toEqual([]);
    expect(rows[0]!.format === "json" && rows[0]!.source).toBe(line);
  });
});
