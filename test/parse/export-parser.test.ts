import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Issue } from "../../src/core/issue.js";
import { createExportParser, type ExportParserOptions } from "../../src/parse/export-parser.js";
import { recordJson } from "../../src/parse/format-records.js";
import { createJsonBytes } from "../../src/parse/json-bytes.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { EXPORT_KINDS, type ExportRecord } from "../../src/schemas/export-record.js";
import { toExportXml, type ExportFixtureRecord } from "../support/export-fixtures.js";

function parseText(
  pieces: string[],
  options: Partial<ExportParserOptions> = {},
): { records: ExportRecord[]; issues: Issue[] } {
  const parser = createExportParser({ profile: DEFAULT_PROFILE, file: "export.xml", ...options });
  const records: ExportRecord[] = [];
  const issues: Issue[] = [];
  const take = (events: ReturnType<typeof parser.write>): void => {
    for (const event of events) {
      if (event.type === "record") records.push(event.record);
      else issues.push(event.issue);
    }
  };
  // The pieces' bytes, cut where the pieces end (inside a character when a cut splits a pair).
  const whole = Buffer.from(pieces.join(""), "utf8");
  let from = 0;
  let chars = 0;
  for (const piece of pieces) {
    chars += piece.length;
    const to = Math.min(whole.length, Buffer.byteLength(pieces.join("").slice(0, chars), "utf8"));
    take(parser.write(whole.subarray(from, Math.max(from, to))));
    from = Math.max(from, to);
  }
  take(parser.write(whole.subarray(from)));
  take(parser.end());
  return { records, issues };
}

function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let from = 0;
  for (const point of points) {
    pieces.push(text.slice(from, point));
    from = point;
  }
  pieces.push(text.slice(from));
  return pieces;
}

// Text as the parser gives it back: XML white space around a value is not kept, and an empty
// value is an absent one.
const value = fc
  .string({ unit: "grapheme", maxLength: 12 })
  .map((s) => s.replace(/[\u0000-\u001F\uFFFE\uFFFF\uFEFF]/g, "x").replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ""))
  .filter((s) => s !== "");
const day = fc
  .date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

const fixtureRecord: fc.Arbitrary<ExportFixtureRecord> = fc.record(
  {
    kind: fc.constantFrom(...EXPORT_KINDS),
    contactId: fc.uuid(),
    contactKey: fc.stringMatching(/^[0-9]{1,20}$/),
    couponId: fc.uuid(),
    externalPromotionId: value,
    description: value,
    validFromDate: day.map((d) => `${d}T00:00:00+01:00`),
    expireDateTime: day,
    redemptionChannels: fc.array(
      fc.record(
        {
          type: fc.constantFrom("POS", "ECOM"),
          valueType: fc.constantFrom("PERCENT", "MONEY"),
          value,
          instruction: value,
        },
        { requiredKeys: ["type"] },
      ),
      { maxLength: 2 },
    ),
    storeId: value,
  },
  { requiredKeys: ["kind", "couponId"] },
);

// Records as an export may hold them, odd ones included: fields the profile names and others,
// nested and repeated ones, channels, timestamps good and bad, and values JSON must escape.
const oddValue = fc
  .array(
    fc.constantFrom(
      "a",
      "0",
      " ",
      '"',
      "\\",
      "\t",
      "\n",
      "\r\n",
      "&lt;",
      "&amp;",
      "&#9;",
      "&#x1F600;",
      "å",
      "€",
      "😀",
      "/",
      "\u007F",
      "\u2028",
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(""));
const oddChild = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(
        "couponId",
        "contactId",
        "description",
        "storeId",
        "currency",
        "unknown",
        "e:note",
        "couponId",
      ),
      oddValue,
    )
    .map(([name, v]) => `<${name}>${v}</${name}>`),
  fc
    .tuple(
      fc.constantFrom("validFromDate", "expireDateTime", "redeemedDateTime"),
      fc.constantFrom(
        "2026-03-01",
        "2026-03-01T10:00:00+01:00",
        "2026-03-01T10:00:00.1234567Z",
        "2026-03-01 10:00",
        "soon",
        "2026-02-30",
        " 2026-03-01T00:00:00+01:00 ",
      ),
    )
    .map(([name, v]) => `<${name}>${v}</${name}>`),
  fc
    .tuple(fc.constantFrom("loyalty", "couponId"), oddValue, oddValue)
    .map(([name, a, b]) => `<${name}><level>${a}</level><level>${b}</level></${name}>`),
  fc
    .array(fc.tuple(fc.constantFrom("type", "valueType", "value", "instruction", "other"), oddValue), {
      maxLength: 4,
    })
    .map(
      (fields) =>
        `<redemptionChannels><redemptionChannel>${fields.map(([n, v]) => `<${n}>${v}</${n}>`).join("")}</redemptionChannel><redemptionChannel/></redemptionChannels>`,
    ),
  fc
    .tuple(fc.constantFrom("type", "value"), oddValue)
    .map(([n, v]) => `<redemptionChannel><${n}>${v}</${n}></redemptionChannel>`),
);
const oddRecord = fc
  .tuple(
    fc.constantFrom("redeemed", "assigned", "promotion", "item"),
    fc.array(oddChild, { maxLength: 6 }),
    oddValue,
  )
  .map(
    ([name, children, key]) =>
      `<${name}>\n  <couponId>${key}k</couponId>${children.join("\n  ")}</${name}>\n`,
  );

describe("the export parser core", () => {
  it("writes NDJSON from the bytes exactly as recordJson writes each record (property)", () => {
    fc.assert(
      fc.property(
        fc.array(oddRecord, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.constantFrom("x.xml", 'exports/"ö".xml'),
        (records, at, file) => {
          const xml = `<?xml version="1.0"?>\n<promotions>\n${records.join("")}</promotions>\n`;
          const bytes = Buffer.from(xml, "utf8");
          const objects = createExportParser({ profile: DEFAULT_PROFILE, file });
          const events = [...objects.write(bytes), ...objects.end()];
          const expected = events.flatMap((e) => (e.type === "record" ? [`${recordJson(e.record)}\n`] : []));

          const written: Buffer[] = [];
          // A small buffer, so records are handed on in pieces and larger ones make it grow.
          const out = createJsonBytes((piece) => written.push(Buffer.from(piece)), 64);
          const direct = createExportParser({ profile: DEFAULT_PROFILE, file, ndjson: out });
          const issues = [];
          let from = 0;
          for (const point of [...new Set(at.map((a) => a % (bytes.length + 1)))].sort((a, b) => a - b)) {
            issues.push(...direct.write(bytes.subarray(from, point)));
            from = point;
          }
          issues.push(...direct.write(bytes.subarray(from)), ...direct.end());
          out.flush();
          expect(Buffer.concat(written).toString("utf8")).toBe(expected.join(""));
          expect(issues).toEqual(events.filter((e) => e.type === "issue"));
          expect(direct.kinds).toEqual(objects.kinds);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("gives the same records and issues however the text is cut", () => {
    fc.assert(
      fc.property(
        fc.array(fixtureRecord, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (records, at) => {
          const xml = toExportXml(records);
          expect(parseText(cut(xml, at))).toEqual(parseText([xml]));
        },
      ),
    );
  });

  it("reads back every field of records written in the export shape", () => {
    fc.assert(
      fc.property(fc.array(fixtureRecord, { minLength: 1, maxLength: 5 }), (fixtures) => {
        const { records, issues } = parseText([toExportXml(fixtures)]);
        expect(issues).toEqual([]);
        expect(records).toHaveLength(fixtures.length);
        records.forEach((record, i) => {
          const fixture = fixtures[i]!;
          expect(record.kind).toBe(fixture.kind);
          expect(record.couponId).toBe(fixture.couponId);
          expect(record.contactKey).toBe(fixture.contactKey);
          expect(record.description).toBe(fixture.description);
          expect(record.externalPromotionId).toBe(fixture.externalPromotionId);
          expect(record.storeId).toBe(fixture.storeId);
          expect(record.validFromDate?.raw).toBe(fixture.validFromDate);
          expect(record.expireDateTime?.day).toBe(fixture.expireDateTime);
          expect(record.redemptionChannels).toEqual(fixture.redemptionChannels ?? []);
          expect(record.extra).toEqual({});
        });
      }),
    );
  });

  it("reports malformed XML at the same place however the text is cut", () => {
    const xml =
      "<promotions>\n  <redeemed>\n    <couponId>a</couponId>\n  </redeemed>\n  <redeemed>\n    <couponId>b</couponId>\n  </deleted>\n</promotions>\n";
    const whole = parseText([xml]);
    expect(whole.issues.map((i) => [i.code, i.line, i.column])).toEqual([["parse.xml_malformed", 7, 12]]);
    for (let i = 1; i < xml.length; i += 1) expect(parseText([xml.slice(0, i), xml.slice(i)])).toEqual(whole);
  });

  it("does not yield a record whose closing tag is wrong", () => {
    const { records, issues } = parseText([
      "<promotions><redeemed><couponId>a</couponId></redeemd></promotions>",
    ]);
    expect(records).toEqual([]);
    expect(issues.map((i) => i.code)).toEqual(["parse.xml_malformed"]);
  });

  it("ignores text after a fatal issue", () => {
    const parser = createExportParser({ profile: DEFAULT_PROFILE, file: "export.xml" });
    expect(parser.write(Buffer.from("<a><couponId>x</b>")).map((e) => e.type)).toEqual(["issue"]);
    expect(parser.stopped).toBe(true);
    expect(parser.write(Buffer.from("<redeemed><couponId>y</couponId></redeemed>"))).toEqual([]);
    expect(parser.end()).toEqual([]);
  });

  it("stops at bytes the caller found not to be UTF-8, at the next character's position", () => {
    const parser = createExportParser({ profile: DEFAULT_PROFILE, file: "export.xml" });
    const events = [
      ...parser.write(Buffer.from("<a>\n  <r><couponId>x</couponId></r>\n  <d>ab")),
      ...parser.abort("parse.encoding_invalid", "bad byte"),
    ];
    expect(
      events.map((e) =>
        e.type === "record" ? e.record.couponId : [e.issue.code, e.issue.line, e.issue.column],
      ),
    ).toEqual(["x", ["parse.encoding_invalid", 3, 8]]);
  });

  it("lists a limited number of issues of one code, then counts the rest", () => {
    const bad = (i: number) =>
      `<redeemed><couponId>${i}</couponId><validFromDate>soon</validFromDate></redeemed>`;
    const { records, issues } = parseText([`<promotions>${[1, 2, 3, 4, 5].map(bad).join("")}</promotions>`], {
      issueLimit: 2,
    });
    expect(records).toHaveLength(5);
    expect(issues.map((i) => [i.code, i.severity, i.record])).toEqual([
      ["parse.invalid_value", "error", 1],
      ["parse.invalid_value", "error", 2],
      ["parse.invalid_value", "error", undefined],
    ]);
    expect(issues[2]?.message).toBe("3 more parse.invalid_value issues in this file are not listed");
  });

  it("keeps a bounded number of elements in an element that is not a record", () => {
    const children = Array.from({ length: 12_000 }, (_, i) => `<n>${i}</n>`).join("");
    const { records } = parseText([
      `<promotions><redeemed>${children}<couponId>k</couponId></redeemed></promotions>`,
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]?.couponId).toBe("k");
    expect(Object.keys(records[0]?.extra ?? {}).length).toBeLessThan(10_000);
  });

  it("does not take white space before a `]` cut off at the end of a piece for text beside children", () => {
    const xml = "<promotions>\n  <redeemed>\n    <couponId>a</couponId>\n]]>\n  </redeemed>\n</promotions>\n";
    const at = xml.indexOf("]") + 1;
    const whole = parseText([xml]);
    expect(whole.issues.map((i) => [i.code, i.line, i.column])).toEqual([["parse.xml_malformed", 4, 3]]);
    expect(parseText([xml.slice(0, at), xml.slice(at)])).toEqual(whole);
  });

  it("places a record whose opening tag breaks across lines at the tag's `<`", () => {
    const { records } = parseText([
      '<promotions>\n  <redeemed\n     id="1">\n    <couponId>k</couponId>\n  </redeemed>\n</promotions>',
    ]);
    expect(records[0]?.at).toEqual({ file: "export.xml", line: 2, column: 3, record: 1 });
  });

  it("takes the kind from the file name given apart from the displayed path", () => {
    const { records } = parseText(["<x><item><couponId>k</couponId></item></x>"], {
      file: "shown.xml",
      fileName: "2026_redeemed.xml",
    });
    expect(records.map((r) => [r.kind, r.at.file])).toEqual([["redeemed", "shown.xml"]]);
  });

  it("matches element names without regard to case or namespace prefix", () => {
    const { records } = parseText([
      '<p:x xmlns:p="urn:x"><p:REDEEMED><p:CouponID>k</p:CouponID><StoreId>7</StoreId></p:REDEEMED></p:x>',
    ]);
    expect(records.map((r) => [r.kind, r.couponId, r.storeId])).toEqual([["redeemed", "k", "7"]]);
  });

  it("does not take a no-break space for white space", () => {
    const { records } = parseText(["<x><redeemed><couponId>\u00A0k\u00A0</couponId></redeemed></x>"]);
    expect(records[0]?.couponId).toBe("\u00A0k\u00A0");
  });

  it("keeps a channel given straight in the record, without its container", () => {
    const { records } = parseText([
      "<x><assigned><couponId>k</couponId><redemptionChannel><type>POS</type><valueType>MONEY</valueType><value>5</value></redemptionChannel></assigned></x>",
    ]);
    expect(records[0]?.redemptionChannels).toEqual([{ type: "POS", valueType: "MONEY", value: "5" }]);
  });
});
