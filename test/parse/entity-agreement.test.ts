import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createExportParser } from "../../src/parse/export-parser.js";
import type { ExportParseEvent } from "../../src/parse/export-parse-event.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { makeTempDir } from "../support/temp-dir.js";

// The parser reads entity references with its own code (name checked as it comes, length
// capped): generated text full of references, good and bad, must get xmllint's verdict and the
// same first error line, and the same result however the text is cut into pieces.

const FRAGMENTS = [
  "&amp;",
  "&lt;",
  "&#228;",
  "&#x1F600;",
  "&",
  "&;",
  "&lt",
  "&#;",
  "&#x;",
  "&#0;",
  "&#xD800;",
  "&bogus;",
  "&a.b;",
  "&1a;",
  `&${"n".repeat(40)};`,
  ";",
  "a",
  "å",
  " ",
  "\n",
  "#",
];

function xmllintLine(path: string): number | null {
  const run = spawnSync("/usr/bin/xmllint", ["--noout", "--nonet", path], { encoding: "utf8" });
  if (run.status === 0) return null;
  const line = /:(\d+): parser error/.exec(run.stderr);
  if (line === null) throw new Error(`xmllint failed without a parser error: ${run.stderr}`);
  return Number(line[1]);
}

function parsePieces(xml: string, cuts: number[]): ExportParseEvent[] {
  const parser = createExportParser({ profile: DEFAULT_PROFILE, file: "x_new.xml" });
  const events: ExportParseEvent[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (xml.length + 1)))].sort((a, b) => a - b)) {
    events.push(...parser.write(Buffer.from(xml.slice(from, cut), "utf8")));
    from = cut;
  }
  events.push(...parser.write(Buffer.from(xml.slice(from), "utf8")));
  events.push(...parser.end());
  return events;
}

const fatalLines = (events: ExportParseEvent[]): number[] =>
  events.flatMap((e) => (e.type === "issue" && e.issue.severity === "error" ? [e.issue.line ?? 0] : []));

describe("entity references", () => {
  it("get xmllint's verdict and first error line, whole or in pieces (property)", () => {
    const dir = makeTempDir("engage-entities-");
    let n = 0;
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (fragments, cuts) => {
          const text = fragments.join("");
          const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<promotions>\n  <new>\n    <couponId>c</couponId>\n    <description>${text}</description>\n  </new>\n</promotions>\n`;
          const path = join(dir, `${(n += 1)}.xml`);
          writeFileSync(path, xml);
          const theirs = xmllintLine(path);
          const whole = parsePieces(xml, []);
          expect(fatalLines(whole)).toEqual(theirs === null ? [] : [theirs]);
          expect(parsePieces(xml, cuts)).toEqual(whole);
        },
      ),
      { numRuns: 200 },
    );
  });
});
