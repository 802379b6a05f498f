import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Issue } from "../../src/core/issue.js";
import { parseExportFile } from "../../src/parse/parse-export.js";
import { GENERIC_RECORD_NAMES } from "../../src/parse/record-kind.js";
import { loadProfile } from "../../src/profile/load-profile.js";
import type { ExportRecord } from "../../src/schemas/export-record.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const profile = await loadProfile(undefined, process.cwd());
const COUPON = "32e0f814-eb7b-4857-8c05-a8e900c43e44";
const DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';

function tempDir(): string {
  return makeTempDir("engage-parse-real-");
}

function writeExport(content: string | Uint8Array, name = "export.xml"): { dir: string; path: string } {
  const dir = tempDir();
  const path = join(dir, name);
  writeFileSync(path, content);
  return { dir, path };
}

async function parseFile(
  path: string,
  limits: { maxFieldBytes?: number; maxDepth?: number } = {},
): Promise<{ records: ExportRecord[]; issues: Issue[] }> {
  const records: ExportRecord[] = [];
  const issues: Issue[] = [];
  for await (const batch of parseExportFile(path, { profile, ...limits })) {
    for (const event of batch) {
      if (event.type === "record") records.push(event.record);
      else issues.push(event.issue);
    }
  }
  return { records, issues };
}

const positions = (issues: Issue[]): [string, number | undefined, number | undefined][] =>
  issues.map((i) => [i.code, i.line, i.column]);

async function exitOf(path: string, ...flags: string[]): Promise<number> {
  const run = await runCli(["parse", path, "--format", "ndjson", ...flags]);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run.code;
}

function record(body: string, element = "assigned"): string {
  return `  <${element}>\n    <couponId>${COUPON}</couponId>\n${body}  </${element}>\n`;
}

describe("a bare & in an export", () => {
  it("is parse.xml_malformed at its own line, exit 65", async () => {
    const xml = `${DECL}<promotions>\n  <assigned>\n    <couponId>${COUPON}</couponId>\n    <description>A & B</description>\n  </assigned>\n</promotions>\n`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path);
    expect(positions(issues)).toEqual([["parse.xml_malformed", 5, 20]]);
    expect(issues[0]?.message).toMatch(/&amp;/);
    expect(await exitOf(path)).toBe(65);
  });

  it("is found where it stands in a large file with no later `;`", async () => {
    const filler = record("    <description>plain text</description>\n").repeat(40_000);
    const xml = `${DECL}<promotions>\n  <assigned><couponId>x</couponId><description>A &amp; B & C</description></assigned>\n${filler}</promotions>\n`;
    const { path } = writeExport(xml);
    const { issues, records } = await parseFile(path);
    expect(positions(issues)).toEqual([["parse.xml_malformed", 3, 58]]);
    expect(records).toHaveLength(0);
  });

  it("refuses an entity name longer than any XML defines, without reading to the next `;`", async () => {
    const xml = `${DECL}<promotions>\n  <assigned><couponId>x</couponId><description>&${"a".repeat(200_000)}</description></assigned>\n</promotions>\n`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path);
    expect(issues.map((i) => [i.code, i.line])).toEqual([["parse.xml_malformed", 3]]);
  });

  it("still reads the defined entities and character references", async () => {
    const xml = `${DECL}<promotions>${record("    <description>&amp;&lt;&gt;&quot;&apos;&#228;&#x1F600;</description>\n")}</promotions>\n`;
    const { path } = writeExport(xml);
    const { issues, records } = await parseFile(path);
    expect(issues).toEqual([]);
    expect(records[0]?.description).toBe("&<>\"'ä😀");
  });

  it("is reported on the line of the & wherever it stands (property)", async () => {
    const dir = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.stringMatching(/^[a-z ]{0,12}$/), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.constantFrom(" ", "<", "\n", "&", "-", "'", '"', "!"),
        async (lines, at, after) => {
          const index = at % lines.length;
          const text = lines.map((l, i) => (i === index ? `${l}&${after}x` : l)).join("\n");
          const xml = `${DECL}<promotions>\n  <assigned><couponId>c</couponId><description>${text}</description></assigned>\n</promotions>\n`;
          const path = join(dir, `amp-${(n += 1)}.xml`);
          writeFileSync(path, xml);
          const { issues } = await parseFile(path);
          expect(issues.map((i) => [i.code, i.line])).toEqual([["parse.xml_malformed", 3 + index]]);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("the size limit of a text node and of a DOCTYPE", () => {
  it("refuses a text node past --max-field-bytes at its element, exit 65", async () => {
    const xml = `${DECL}<promotions>\n${record("    <description>" + "x".repeat(5000) + "</description>\n")}</promotions>\n`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path, { maxFieldBytes: 1000 });
    expect(positions(issues)).toEqual([["parse.field_too_large", 5, 5]]);
    expect(issues[0]?.message).toMatch(/1000 bytes/);
    expect(await exitOf(path, "--max-field-bytes", "1000")).toBe(65);
    expect(await exitOf(path)).toBe(0);
  });

  it("counts bytes, not characters", async () => {
    const xml = `${DECL}<promotions>\n${record("    <description>" + "å".repeat(600) + "</description>\n")}</promotions>\n`;
    const { path } = writeExport(xml);
    expect((await parseFile(path, { maxFieldBytes: 1000 })).issues.map((i) => i.code)).toEqual([
      "parse.field_too_large",
    ]);
    expect((await parseFile(path, { maxFieldBytes: 1200 })).issues).toEqual([]);
  });

  it("refuses a 3 MiB text node under the default 1 MiB limit, across many reads", async () => {
    const xml = `${DECL}<promotions>\n${record("    <description>" + "y".repeat(3 << 20) + "</description>\n")}</promotions>\n`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path);
    expect(positions(issues)).toEqual([["parse.field_too_large", 5, 5]]);
  });

  it("refuses a long comment or CDATA section past the limit", async () => {
    for (const [open, close] of [
      ["<!--", "-->"],
      ["<![CDATA[", "]]>"],
    ] as const) {
      const xml = `${DECL}<promotions>\n  <assigned><couponId>c</couponId><description>${open}${"z".repeat(300_000)}${close}</description></assigned>\n</promotions>\n`;
      const { path } = writeExport(xml);
      const { issues } = await parseFile(path, { maxFieldBytes: 100_000 });
      expect(issues.map((i) => [i.code, i.line])).toEqual([["parse.field_too_large", 3]]);
    }
  });

  it("refuses a DOCTYPE as soon as it starts, however long and unfinished it is", async () => {
    const xml = `${DECL}<!DOCTYPE promotions [\n<!-- ${"d".repeat(3 << 20)}`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path);
    expect(positions(issues)).toEqual([["parse.doctype_refused", 2, 1]]);
    expect(await exitOf(path)).toBe(65);
  });

  it("refuses a long tag name past the limit", async () => {
    const xml = `${DECL}<promotions>\n  <${"n".repeat(200_000)}>`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path, { maxFieldBytes: 50_000 });
    expect(issues.map((i) => i.code)).toEqual(["parse.field_too_large"]);
  });

  it("refuses a bad --max-field-bytes value as a usage error", async () => {
    const { path } = writeExport(`${DECL}<promotions>${record("")}</promotions>`);
    for (const value of ["0", "-1", "1e3", "abc"])
      expect(await exitOf(path, "--max-field-bytes", value)).toBe(2);
  });
});

describe("the encoding declaration", () => {
  const body = (description: string): string =>
    `<promotions>\n${record(`    <description>${description}</description>\n`)}</promotions>\n`;

  it("decodes ISO-8859-1 and windows-1252 exports", async () => {
    for (const [label, bytes, text] of [
      ["ISO-8859-1", [0x47, 0x69, 0x6c, 0x74, 0x69, 0x67, 0x20, 0x66, 0x72, 0xe5, 0x6e], "Giltig från"],
      ["windows-1252", [0x31, 0x30, 0x80], "10€"],
      ["latin1", [0xe4], "ä"],
    ] as const) {
      const head = Buffer.from(`<?xml version="1.0" encoding="${label}"?>\n${body("@")}`, "latin1");
      const at = head.indexOf(0x40);
      const file = Buffer.concat([head.subarray(0, at), Buffer.from(bytes), head.subarray(at + 1)]);
      const { path } = writeExport(file);
      const { records, issues } = await parseFile(path);
      expect(issues).toEqual([]);
      expect(records[0]?.description).toBe(text);
    }
  });

  it("decodes UTF-16 with its byte order mark, little and big endian", async () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-16"?>\n${body("Månadens erbjudande")}`;
    const le = Buffer.from(xml, "utf16le");
    const be = Buffer.from(le).swap16();
    for (const file of [le, be]) {
      const { path } = writeExport(file);
      const { records, issues } = await parseFile(path);
      expect(issues).toEqual([]);
      expect(records[0]?.description).toBe("Månadens erbjudande");
    }
  });

  it("refuses any other label, and UTF-16 without a byte order mark, with parse.encoding_unsupported, exit 65", async () => {
    for (const label of ["bogus-9", "UTF-16", "Shift_JIS", "EBCDIC-CP-US"]) {
      const { path } = writeExport(`<?xml version="1.0" encoding="${label}"?>\n${body("x")}`);
      const { issues, records } = await parseFile(path);
      expect(positions(issues)).toEqual([["parse.encoding_unsupported", 1, 31]]);
      expect(issues[0]?.message).toContain(label);
      expect(records).toEqual([]);
      expect(await exitOf(path)).toBe(65);
    }
  });

  it("refuses a UTF-8 byte order mark that contradicts the declaration", async () => {
    const { path } = writeExport(`\uFEFF<?xml version="1.0" encoding="ISO-8859-1"?>\n${body("x")}`);
    expect((await parseFile(path)).issues.map((i) => i.code)).toEqual(["parse.encoding_unsupported"]);
  });

  it("reads UTF-8 declared in any case, and files without a declaration, as UTF-8", async () => {
    for (const head of [
      '<?xml version="1.0" encoding="utf-8"?>\n',
      "<?xml version='1.0' encoding='UTF8'?>\n",
      "",
    ]) {
      const { path } = writeExport(`${head}${body("från")}`);
      const { records, issues } = await parseFile(path);
      expect(issues).toEqual([]);
      expect(records[0]?.description).toBe("från");
    }
  });
});

describe("mixed content", () => {
  it("reports a key field with an element inside at its position, never dropping it silently", async () => {
    const xml = `${DECL}<promotions>\n${record("    <contactKey>00043<x/>98500</contactKey>\n")}</promotions>\n`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path);
    expect(positions(issues)).toEqual([["parse.mixed_content", 5, 5]]);
    expect(issues[0]?.message).toContain("<contactKey>");
    expect(await exitOf(path)).toBe(65);
  });

  it("reports text after a child too, once per element", async () => {
    const xml = `${DECL}<promotions>\n${record("    <contactKey><x/>1<y/>2</contactKey>\n")}</promotions>\n`;
    const { path } = writeExport(xml);
    expect(positions((await parseFile(path)).issues)).toEqual([["parse.mixed_content", 5, 5]]);
  });

  it("takes white space beside children as indentation, not content", async () => {
    const xml = `${DECL}<promotions>\n${record("    <loyalty>\n      <level>Gold</level>\n    </loyalty>\n")}</promotions>\n`;
    const { path } = writeExport(xml);
    const { records, issues } = await parseFile(path);
    expect(issues).toEqual([]);
    expect(records[0]?.extra).toEqual({ "loyalty.level": "Gold" });
  });
});

describe("nesting depth", () => {
  it("refuses an element past --max-depth with parse.too_deep at that element", async () => {
    const depth = 100_000;
    const xml = `${DECL}${"<a>".repeat(depth)}${"</a>".repeat(depth)}\n`;
    const { path } = writeExport(xml);
    const { issues } = await parseFile(path);
    expect(positions(issues)).toEqual([["parse.too_deep", 2, 3 * 64 + 1]]);
    expect(await exitOf(path)).toBe(65);
    expect((await parseFile(path, { maxDepth: 10 })).issues.map((i) => [i.code, i.column])).toEqual([
      ["parse.too_deep", 31],
    ]);
  });

  it("reads an export at exactly the limit", async () => {
    const xml = `${DECL}<promotions>${record("")}</promotions>\n`;
    const { path } = writeExport(xml);
    const { records, issues } = await parseFile(path, { maxDepth: 3 });
    expect(issues).toEqual([]);
    expect(records).toHaveLength(1);
    expect((await parseFile(path, { maxDepth: 2 })).issues.map((i) => i.code)).toEqual(["parse.too_deep"]);
  });
});

describe("the kind of a record", () => {
  // The specification, written out: a specific element name, then the file name, then a
  // redemption time; a generic name tells nothing.
  const SPECIFIC = {
    assigned: ["new", "assigned"],
    redeemed: ["redeemed", "redemption"],
    deleted: ["deleted", "removed"],
  };
  const FILE_WORDS = {
    assigned: ["new", "assign"],
    redeemed: ["redeemed", "redeem"],
    deleted: ["deleted", "delete"],
  };
  type Kind = keyof typeof SPECIFIC;
  const kinds = fc.constantFrom<Kind>("assigned", "redeemed", "deleted");
  const casing = (name: string, upper: boolean[]): string =>
    [...name].map((c, i) => (upper[i % upper.length] === true ? c.toUpperCase() : c)).join("");

  it("follows element name, then file name, then redeemedDateTime, whatever the generic name (property)", async () => {
    const dir = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.option(kinds, { nil: undefined }),
        fc.constantFrom(...GENERIC_RECORD_NAMES),
        fc.option(kinds, { nil: undefined }),
        fc.boolean(),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.constantFrom("", "e:"),
        fc.nat(),
        async (elementKind, generic, fileKind, redeemedAt, upper, prefix, pick) => {
          const name =
            prefix + casing(elementKind === undefined ? generic : SPECIFIC[elementKind][pick % 2]!, upper);
          const fileName =
            fileKind === undefined
              ? `2026031${pick % 10}_export.xml`
              : `2026031${pick % 10}_${casing(FILE_WORDS[fileKind][pick % 2]!, upper)}.xml`;
          const fields = redeemedAt
            ? "    <redeemedDateTime>2026-03-09T14:12:50+01:00</redeemedDateTime>\n"
            : "    <redeemedDateTime> </redeemedDateTime>\n";
          const root = prefix === "" ? "<promotions>" : '<e:promotions xmlns:e="urn:x">';
          const close = prefix === "" ? "</promotions>" : "</e:promotions>";
          const xml = `${DECL}${root}\n  <${name}>\n    <${prefix}couponId>${COUPON}</${prefix}couponId>\n${fields.replaceAll("<", `<${prefix}`).replaceAll(`<${prefix}/`, `</${prefix}`)}  </${name}>\n${close}\n`;
          const path = join(dir, `${(n += 1)}`);
          writeFileSync(path + fileName, xml);
          const records: ExportRecord[] = [];
          const issues: Issue[] = [];
          for await (const batch of parseExportFile(path + fileName, { profile, displayPath: fileName })) {
            for (const e of batch) {
              if (e.type === "record") records.push(e.record);
              else issues.push(e.issue);
            }
          }
          const expected = elementKind ?? fileKind ?? (redeemedAt ? "redeemed" : "assigned");
          expect(records.map((r) => r.kind)).toEqual([expected]);
          const guessed = elementKind === undefined && fileKind === undefined && !redeemedAt;
          expect(issues.map((i) => i.code)).toEqual(guessed ? ["parse.kind_unknown"] : []);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("takes a redeemed export under <promotion> elements as redeemed, by file name or redeemedDateTime", async () => {
    const xml = `${DECL}<promotions>\n${record("", "promotion")}</promotions>\n`;
    const byName = writeExport(xml, "20260310120000_redeemed.xml");
    expect((await parseFile(byName.path)).records.map((r) => r.kind)).toEqual(["redeemed"]);
    const withTime = `${DECL}<promotions>\n${record("    <redeemedDateTime>2026-03-09T14:12:50+01:00</redeemedDateTime>\n", "promotion")}</promotions>\n`;
    const byField = writeExport(withTime, "20260310120000_export.xml");
    expect((await parseFile(byField.path)).records.map((r) => r.kind)).toEqual(["redeemed"]);
  });
});
