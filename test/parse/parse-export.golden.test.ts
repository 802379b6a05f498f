import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Issue } from "../../src/core/issue.js";
import { parseExportFile } from "../../src/parse/parse-export.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { EXPORT_KINDS, ExportRecordSchema, type ExportRecord } from "../../src/schemas/export-record.js";
import { ProfileSchema, type Profile } from "../../src/schemas/profile.js";
import { toExportXml, type ExportFixtureRecord } from "../support/export-fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

const GOLDEN = join(import.meta.dirname, "..", "golden", "parse");

async function parseAll(
  path: string,
  profile: Profile,
  displayPath: string,
): Promise<{ records: ExportRecord[]; issues: Issue[] }> {
  const records: ExportRecord[] = [];
  const issues: Issue[] = [];
  for await (const batch of parseExportFile(path, { profile, displayPath })) {
    for (const event of batch) {
      if (event.type === "record") records.push(event.record);
      else issues.push(event.issue);
    }
  }
  return { records, issues };
}

function caseInput(name: string): { path: string; file: string; profile: Profile } {
  const dir = join(GOLDEN, name);
  const file = readdirSync(dir).find((f) => f.endsWith(".xml"));
  if (file === undefined) throw new Error(`golden case ${name} has no .xml input`);
  const names = readdirSync(dir);
  const profile = names.includes("profile.json")
    ? ProfileSchema.parse(JSON.parse(readFileSync(join(dir, "profile.json"), "utf8")))
    : DEFAULT_PROFILE;
  return { path: join(dir, file), file, profile };
}

async function parseCase(name: string): Promise<{ records: ExportRecord[]; issues: Issue[] }> {
  const input = caseInput(name);
  const result = await parseAll(input.path, input.profile, input.file);
  await expect(`${JSON.stringify(result, null, 2)}\n`).toMatchFileSnapshot(join(GOLDEN, name, "parsed.json"));
  // Every record fits the schema the rest of the tool relies on.
  for (const record of result.records) expect(ExportRecordSchema.parse(record)).toEqual(record);
  return result;
}

const WELL_FORMED = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !d.name.startsWith("malformed-") && d.name !== "thousands-generated")
  .map((d) => d.name)
  .sort();

describe("parsing golden export files", () => {
  it.each(WELL_FORMED)("%s matches its parsed.json", async (name) => {
    const { issues } = await parseCase(name);
    expect(
      issues.filter((i) => i.code.startsWith("parse.xml") || i.code === "parse.encoding_invalid"),
    ).toEqual([]);
  });

  it("reads every kind from its record element", async () => {
    const assigned = await parseCase("assigned-and-new");
    expect(assigned.records.map((r) => r.kind)).toEqual(["assigned", "assigned"]);
    expect((await parseCase("redeemed")).records.map((r) => r.kind)).toEqual(["redeemed", "redeemed"]);
    expect((await parseCase("deleted")).records.map((r) => r.kind)).toEqual(["deleted"]);
  });

  it("keeps a timestamp's raw text beside its instant and its day in the export's offset", async () => {
    const { records } = await parseCase("redeemed");
    expect(records[0]?.redeemedDateTime).toEqual({
      raw: "2020-09-29T08:14:50.0168149+01:00",
      instant: "2020-09-29T07:14:50.016Z",
      day: "2020-09-29",
    });
    expect(records[0]?.validFromDate).toEqual({
      raw: "2026-03-05T00:00:00+01:00",
      instant: "2026-03-04T23:00:00.000Z",
      day: "2026-03-05",
    });
    // Late evening west of UTC: the instant is the next day, the day stays the export's.
    expect(records[1]?.redeemedDateTime?.day).toBe("2026-03-09");
    expect(records[1]?.redeemedDateTime?.instant).toBe("2026-03-10T04:59:59.999Z");
    const plain = (await parseCase("assigned-and-new")).records[1]?.validFromDate;
    expect(plain).toEqual({ raw: "2022-02-21", day: "2022-02-21" });
  });

  it("maps renamed fields and record names through a profile", async () => {
    const { records, issues } = await parseCase("renamed-fields-with-profile");
    expect(records.map((r) => [r.kind, r.couponId, r.contactKey])).toEqual([
      ["assigned", "32e0f814-eb7b-4857-8c05-a8e900c43e44", "0004398423"],
      ["redeemed", "5a1c2d3e-4f50-4617-8829-3a4b5c6d7e8f", "0004398424"],
      ["deleted", "6b2d3e4f-5061-4728-9930-4b5c6d7e8f90", "0004398425"],
    ]);
    expect(records[0]?.externalPromotionId).toBe("SPRING-26");
    expect(records[0]?.redemptionChannels).toEqual([{ type: "POS", valueType: "PERCENT", value: "20" }]);
    expect(records[0]?.extra).toEqual({ couponId: "not-the-key-here" });
    expect(records[1]?.redeemedDateTime?.day).toBe("2026-03-09");
    expect(issues).toEqual([]);
  });

  it("reads a single record with a single channel as a list of one", async () => {
    const { records } = await parseCase("single-record");
    expect(records).toHaveLength(1);
    expect(records[0]?.redemptionChannels).toEqual([
      { type: "ECOM", valueType: "EXTERNALOFFER", value: "SPRING26" },
    ]);
  });

  it("reads a file with a byte order mark and CRLF line ends, lines counted as written", async () => {
    const { records, issues } = await parseCase("bom-and-crlf");
    expect(records.map((r) => [r.at.line, r.at.column])).toEqual([
      [3, 3],
      [10, 3],
    ]);
    expect(records[0]?.contactKey).toBe("0004398423");
    expect(records[0]?.description).toBe("Rad ett\nrad två");
    expect(issues).toEqual([]);
  });

  it("takes the kind from the file name when the record element does not tell it", async () => {
    const { records, issues } = await parseCase("kind-by-file-name");
    expect(records.map((r) => r.kind)).toEqual(["deleted", "deleted"]);
    expect(issues).toEqual([]);
  });

  it("takes redeemed from redeemedDateTime, and warns once when nothing tells the kind", async () => {
    const { records, issues } = await parseCase("kind-by-redeemed-date-time");
    expect(records.map((r) => r.kind)).toEqual(["redeemed", "assigned", "assigned"]);
    expect(issues.map((i) => [i.code, i.severity, i.line, i.column])).toEqual([
      ["parse.kind_unknown", "warning", 7, 3],
    ]);
    expect(issues[0]?.message).toMatch(/^2 records without a kind/);
  });

  it("takes the kind from a wrapping element when the record element does not tell it", async () => {
    const { records } = await parseCase("kind-by-wrapper-element");
    expect(records.map((r) => r.kind)).toEqual(["redeemed", "deleted", "assigned"]);
  });

  it("matches valuetype, valueType and the other channel fields without regard to case", async () => {
    const { records } = await parseCase("valuetype-any-case");
    expect(records[0]?.redemptionChannels).toEqual([
      { type: "POS", valueType: "PERCENT", value: "20" },
      { type: "ECOM", valueType: "MONEY", value: "100.00" },
      { type: "POS", valueType: "MANUAL", instruction: "Ask for the member card" },
    ]);
  });

  it("keeps unknown children, nested ones and repeats in extra", async () => {
    const { records } = await parseCase("unknown-children-in-extra");
    const extra = records[0]?.extra ?? {};
    expect(extra).toEqual({
      segment: "VIP",
      tag: "spring",
      "tag[1]": "shoes",
      "loyalty.level": "Gold",
      "loyalty.points.balance": "01200",
      emptyNote: "",
      "description[1]": "Second description",
      "redemptionChannels[0].priority": "1",
      constructor: "kept as well",
    });
    // `__proto__` cannot be a key of a plain object: left out, and the prototype left alone.
    expect(Object.getPrototypeOf(extra)).toBe(Object.prototype);
    expect(Object.hasOwn(extra, "__proto__")).toBe(false);
    expect(records[0]?.description).toBe("First description");
  });

  it("keeps identifiers as the text Engage wrote", async () => {
    const { records } = await parseCase("identifiers-stay-text");
    expect(records[0]).toMatchObject({
      contactKey: "0000123",
      couponId: "12345678901234567890",
      externalPromotionId: "1E5",
      promotionId: "0xF2",
      storeId: "007",
      redemptionChannels: [{ value: "00100" }],
    });
    expect(records[1]).toMatchObject({
      contactKey: "-0",
      couponId: "9007199254740993",
      externalPromotionId: "1.50",
    });
  });

  it("decodes character references, the five XML entities and CDATA", async () => {
    const { records } = await parseCase("character-references");
    expect(records[0]?.description).toBe("Hälsningar från ön & <kusten> \"alltid\" 'nära' 😀");
    expect(records[0]?.contactType).toBe("Member & <friend>");
    expect(records[0]?.externalPromotionId).toBe("Sommar\u201126");
  });

  it("reports a timestamp that is not one, keeps its text in extra and the record", async () => {
    const { records, issues } = await parseCase("invalid-timestamp");
    expect(issues.map((i) => [i.code, i.severity, i.field, i.line, i.column])).toEqual([
      ["parse.invalid_value", "error", "validFromDate", 5, 5],
      ["parse.invalid_value", "error", "expireDateTime", 6, 5],
      ["parse.invalid_value", "error", "redeemedDateTime", 11, 5],
    ]);
    expect(issues[0]?.message).toBe(
      'validFromDate: expected a date like 2026-03-05 or a timestamp like 2026-03-05T00:00:00+01:00, got "31/02/2026"',
    );
    expect(records).toHaveLength(2);
    expect(records[0]?.validFromDate).toBeUndefined();
    expect(records[0]?.extra).toEqual({
      validFromDate: "31/02/2026",
      expireDateTime: "2026-02-30T00:00:00+01:00",
    });
    // No offset: the day as written, no instant guessed.
    expect(records[0]?.redeemedDateTime).toEqual({ raw: "2026-03-09T14:12:50", day: "2026-03-09" });
  });

  it("finds records at any depth, with namespaces, attributes and self-closing children", async () => {
    const { records } = await parseCase("records-anywhere");
    // `<e:coupon>` is a generic name: the file name (`…_redeemed.xml`) tells the kind.
    expect(records.map((r) => [r.couponId, r.storeId, r.kind, r.at.line, r.at.column])).toEqual([
      ["32e0f814-eb7b-4857-8c05-a8e900c43e44", "1005", "redeemed", 5, 5],
      ["5a1c2d3e-4f50-4617-8829-3a4b5c6d7e8f", "1006", "redeemed", 13, 5],
    ]);
    expect(records[0]?.contactType).toBeUndefined();
  });

  it("warns about an empty file and a file without records", async () => {
    const empty = await parseCase("empty-file");
    expect(empty.issues.map((i) => [i.code, i.severity, i.message])).toEqual([
      ["parse.no_records", "warning", "the file is empty: no records"],
    ]);
    const none = await parseCase("no-records");
    expect(none.issues.map((i) => [i.code, i.severity])).toEqual([["parse.no_records", "warning"]]);
    expect(none.issues[0]?.message).toBe('no records: no element has a child named "couponId"');
  });
});

// Each malformed file: the one fatal issue (code, line, column), and the records read before it.
const MALFORMED: [
  name: string,
  code: string,
  line: number,
  column: number,
  recordsBefore: number,
  message: RegExp,
][] = [
  ["malformed-mismatched-tag", "parse.xml_malformed", 7, 62, 1, /does not close <couponId> opened at 7:5/],
  ["malformed-unclosed-tag", "parse.xml_malformed", 9, 13, 1, /does not close <storeId> opened at 8:5/],
  ["malformed-truncated", "parse.xml_truncated", 8, 15, 1, /ends before <storeId> opened at 8:5 is closed/],
  ["malformed-invalid-utf8", "parse.encoding_invalid", 9, 19, 1, /byte 0xE4 is not valid UTF-8/],
  ["malformed-doctype", "parse.doctype_refused", 2, 1, 0, /DOCTYPE declaration is refused/],
  ["malformed-entity-declaration", "parse.doctype_refused", 3, 3, 0, /entity declaration is refused/],
  ["malformed-undefined-entity", "parse.xml_malformed", 5, 30, 0, /undefined entity reference/],
];

describe("parsing malformed export files", () => {
  it.each(MALFORMED)(
    "%s: %s at %i:%i after %i record(s)",
    async (name, code, line, column, before, message) => {
      const { records, issues } = await parseCase(name);
      expect(issues.map((i) => [i.code, i.severity, i.file, i.line, i.column])).toEqual([
        [code, "error", caseInput(name).file, line, column],
      ]);
      expect(issues[0]?.message).toMatch(message);
      expect(records).toHaveLength(before);
    },
  );

  it("never expands an entity a DOCTYPE declares", async () => {
    const { records } = await parseCase("malformed-entity-declaration");
    expect(records).toEqual([]);
  });
});

describe("parsing a generated export of thousands of records", () => {
  it("yields every record in order, in batches of at most 1000 events", async () => {
    const fixtures: ExportFixtureRecord[] = [];
    for (let i = 0; i < 5000; i += 1) {
      const kind = EXPORT_KINDS[i % 3]!;
      fixtures.push({
        kind,
        contactId: `7b89b95e-6347-4d66-8b02-${String(i).padStart(12, "0")}`,
        contactKey: String(i).padStart(10, "0"),
        couponId: `32e0f814-eb7b-4857-8c05-${String(i).padStart(12, "0")}`,
        externalPromotionId: `PROMO-${i % 7}`,
        validFromDate: `2026-03-${String(1 + (i % 28)).padStart(2, "0")}T00:00:00+01:00`,
        redemptionChannels: [
          { type: "POS", valueType: "PERCENT", value: String(i % 50) },
          { type: "ECOM", valueType: "EXTERNALOFFER", value: `CODE${i}` },
        ],
        ...(kind === "redeemed"
          ? { storeId: "1005", redeemedDateTime: "2026-03-09T14:12:50.0168149+01:00" }
          : {}),
      });
    }
    const dir = makeTempDir("engage-parse-");
    const path = join(dir, "thousands.xml");
    writeFileSync(path, toExportXml(fixtures));

    const records: ExportRecord[] = [];
    let largest = 0;
    for await (const batch of parseExportFile(path, {
      profile: DEFAULT_PROFILE,
      displayPath: "thousands.xml",
    })) {
      largest = Math.max(largest, batch.length);
      for (const event of batch) if (event.type === "record") records.push(event.record);
    }
    expect(largest).toBeLessThanOrEqual(1000);
    expect(records).toHaveLength(5000);
    expect(records.map((r) => r.contactKey)).toEqual(fixtures.map((f) => f.contactKey));
    expect(records.map((r) => r.at.record)).toEqual(fixtures.map((_, i) => i + 1));
    const summary = {
      records: records.length,
      kinds: Object.fromEntries(EXPORT_KINDS.map((k) => [k, records.filter((r) => r.kind === k).length])),
      first: records[0],
      last: records[records.length - 1],
      sha256: createHash("sha256")
        .update(records.map((r) => JSON.stringify(r)).join("\n"))
        .digest("hex"),
    };
    await expect(`${JSON.stringify(summary, null, 2)}\n`).toMatchFileSnapshot(
      join(GOLDEN, "thousands-generated", "parsed-summary.json"),
    );
  });
});
