import fc from "fast-check";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CsvScanner } from "../../src/read/csv-scanner.js";
import { readCsv } from "../../src/read/read-csv.js";
import type { CsvRow } from "../../src/read/raw-row.js";
import { makeTempDir } from "../support/temp-dir.js";

/** Writes a field as CSV: quoted when it must be (or when asked), quotes doubled. */
function encodeField(text: string, delimiter: string, forceQuote: boolean): string {
  const must = text.includes(delimiter) || /["\r\n]/.test(text) || text === "";
  return must || forceQuote ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Any text, weighted towards the characters CSV cares about. */
const fieldText = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(";", ",", '"', "\r", "\n", "\r\n", "a", " ", "é", "😀"), maxLength: 12 }),
);

const table = fc.record({
  delimiter: fc.constantFrom(";", ","),
  records: fc.array(fc.array(fc.tuple(fieldText, fc.boolean()), { minLength: 1, maxLength: 5 }), {
    minLength: 1,
    maxLength: 8,
  }),
  crlf: fc.boolean(),
  cuts: fc.array(fc.nat(), { maxLength: 6 }),
});

describe("CSV reading, for any field text", () => {
  it("reads back exactly what was written, however the text is cut into chunks", () => {
    fc.assert(
      fc.property(table, ({ delimiter, records, crlf, cuts }) => {
        // the header shows the delimiter (two columns at least), so detection agrees with the writer
        const width = Math.max(2, ...records.map((r) => r.length));
        const header = Array.from({ length: width }, (_, i) => `h${i}`).join(delimiter);
        const eol = crlf ? "\r\n" : "\n";
        const text =
          [
            header,
            ...records.map((r) => r.map(([t, q]) => encodeField(t, delimiter, q)).join(delimiter)),
          ].join(eol) + eol;
        const scanner = new CsvScanner();
        const out = [];
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        let from = 0;
        for (const p of [...points, text.length]) {
          out.push(...scanner.push(text.slice(from, p)));
          from = p;
        }
        out.push(...scanner.end());
        expect(out.slice(1).map((r) => r.fields)).toEqual(records.map((r) => r.map(([t]) => t)));
        expect(out.every((r) => r.problem === undefined)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  const dir = makeTempDir("csv-property-");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads back exactly from a file on disk, in UTF-8 with a BOM", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fieldText, fieldText), { minLength: 1, maxLength: 30 }),
        async (rows) => {
          const file = join(dir, "any.csv");
          const body = rows
            .map(([a, b]) => `${encodeField(a, ";", false)};${encodeField(b, ";", false)}`)
            .join("\r\n");
          writeFileSync(file, `\uFEFFexternalPromotionId;promotionCodeId\r\n${body}\r\n`);
          const stats = { sha256: "", records: 0 };
          const got: string[][] = [];
          for await (const batch of readCsv(file, { kind: "assignments" }, stats))
            got.push(...batch.rows.map((r) => (r as CsvRow).values));
          expect(got).toEqual(rows);
          expect(stats.records).toBe(rows.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
