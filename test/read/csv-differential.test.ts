import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CsvScanner, type CsvRecord } from "../../src/read/csv-scanner.js";
import { createChunkDecoder, type InputEncoding } from "../../src/read/input-encoding.js";

/** What csv-parse makes of `text`: its records, or the code of the error it stops at. */
function reference(text: string, delimiter: string): { records: string[][] } | { error: string } {
  try {
    const records = parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      cast: false,
    }) as string[][];
    return { records };
  } catch (error) {
    return { error: String((error as { code?: string }).code) };
  }
}

/** Scans `text` cut at the given points into chunks. */
function scanChunked(text: string, cuts: number[], options = {}): CsvRecord[] {
  const scanner = new CsvScanner(options);
  const out: CsvRecord[] = [];
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const p of [...points, text.length]) {
    for (const r of scanner.push(text.slice(from, p))) out.push(r);
    from = p;
  }
  for (const r of scanner.end()) out.push(r);
  return out;
}

const EXPECTED_CODE: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: "read.csv_quote_not_closed",
  INVALID_OPENING_QUOTE: "read.csv_quote_invalid",
  CSV_INVALID_CLOSING_QUOTE: "read.csv_quote_invalid",
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: "read.csv_quote_invalid",
};

/** Records of any text, quotes well placed or not, ending in one line-break style. */
const input = fc.record({
  eol: fc.constantFrom("\n", "\r\n", "\r"),
  lines: fc.array(
    fc.array(
      fc.oneof(
        fc.stringMatching(/^[a-z ]{0,4}$/),
        fc.stringMatching(/^"[a-z;\n"]{0,6}"$/),
        fc.constantFrom('a"b', '"a"b', '""', '"a""b"', '"x\ny"', '"open'),
      ),
      { minLength: 1, maxLength: 4 },
    ),
    { minLength: 1, maxLength: 6 },
  ),
  finalBreak: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
});

describe("the CSV scanner against csv-parse, on generated inputs cut at random", () => {
  it("gives the same records, or the first problem where csv-parse stops, with its code", () => {
    const seen = { records: 0, errors: 0 };
    fc.assert(
      fc.property(input, ({ eol, lines, finalBreak, cuts }) => {
        const body = lines.map((fields) => fields.join(";").replaceAll("\n", eol)).join(eol);
        const text = `h1;h2${eol}${body}${finalBreak ? eol : ""}`;
        const ours = scanChunked(text, cuts);
        const theirs = reference(text, ";");
        if ("records" in theirs) {
          seen.records += 1;
          expect(ours.map((r) => r.problem?.code)).toEqual(ours.map(() => undefined));
          expect(ours.map((r) => r.fields)).toEqual(theirs.records);
        } else {
          seen.errors += 1;
          const first = ours.find((r) => r.problem !== undefined);
          expect(first?.problem?.code).toBe(EXPECTED_CODE[theirs.error]);
        }
      }),
      { numRuns: 3000 },
    );
    // both sides of the comparison were exercised
    expect(seen.records).toBeGreaterThan(300);
    expect(seen.errors).toBeGreaterThan(300);
  });

  it("agrees on long quoted fields of many lines up to the limit, cut at random", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3000 }),
        fc.constantFrom("\n", "\r\n", "\r"),
        fc.array(fc.nat(), { maxLength: 8 }),
        (lines, eol, cuts) => {
          const value = `ab${eol}`.repeat(lines);
          const text = `h1;h2${eol}x;"${value}"${eol}y;z${eol}`;
          const theirs = reference(text, ";");
          const ours = scanChunked(text, cuts, { maxFieldChars: 20_000 });
          expect("records" in theirs && theirs.records).toEqual(ours.map((r) => r.fields));
          expect(ours.every((r) => r.problem === undefined)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe("decoding CSV text in any supported encoding, cut at random", () => {
  it("gives the text that was encoded, whatever the chunks, for any Latin-1 text", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)) }),
        fc.constantFrom("windows-1252", "utf-16le", "utf-16be", "utf-8") as fc.Arbitrary<InputEncoding>,
        fc.array(fc.nat(), { maxLength: 6 }),
        (raw, encoding, cuts) => {
          // Windows-1252 gives 0x80–0x9F other characters than Latin-1: leave them out there
          const text = encoding === "windows-1252" ? raw.replace(/[\x80-\x9f]/g, "") : raw;
          let bytes: Buffer;
          if (encoding === "windows-1252") bytes = Buffer.from(text, "latin1");
          else if (encoding === "utf-8") bytes = Buffer.from(text, "utf8");
          else {
            bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
            if (encoding === "utf-16be") bytes.swap16();
          }
          const decoder = createChunkDecoder(encoding);
          const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          let from = 0;
          let got = "";
          for (const p of [...points, bytes.length]) {
            got += decoder.decode(bytes.subarray(from, p));
            from = p;
          }
          got += decoder.end();
          expect(got).toBe(text);
          expect(decoder.invalid).toBe(false);
        },
      ),
      { numRuns: 500 },
    );
  });
});
