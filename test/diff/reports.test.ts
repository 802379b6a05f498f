import { describe, expect, it } from "vitest";
import { DIFF_CATEGORIES } from "../../src/diff/diff-entry.js";
import { DIFF_FORMATS, formatOfPath, formatReport } from "../../src/diff/format-report.js";
import { csvField } from "../../src/diff/report-csv.js";
import { escapeHtml, formatDiffHtml } from "../../src/diff/report-html.js";
import { smallCaseReport } from "./small-case.js";

const golden = (name: string) => `../golden/diff/every-category/${name}`;
const text = (
  format: (typeof DIFF_FORMATS)[number],
  show = false,
  match: "contactId" | "contactKey" = "contactKey",
) => [...formatReport(format, smallCaseReport(match), { showPersonalData: show })].join("");

describe("the reports", () => {
  it("pin one entry of every category in text", async () => {
    await expect(text("text")).toMatchFileSnapshot(golden("report.txt"));
  });

  it("pin one entry of every category in JSON", async () => {
    const json = text("json");
    await expect(json).toMatchFileSnapshot(golden("report.json"));
    const data = JSON.parse(json) as { counts: Record<string, number>; entries: { category: string }[] };
    expect(data.counts).toEqual({
      missing: 1,
      mismatched: 1,
      unexpected: 1,
      deleted: 1,
      not_checkable: 1,
      redeemed: 1,
      assigned: 1,
    });
    expect(data.entries.map((e) => e.category)).toEqual([...DIFF_CATEGORIES]);
  });

  it("pin one entry of every category in CSV", async () => {
    await expect(text("csv")).toMatchFileSnapshot(golden("report.csv"));
  });

  it("pin one entry of every category in HTML", async () => {
    await expect(text("html")).toMatchFileSnapshot(golden("report.html"));
  });

  it("start with the counts per category in every format", () => {
    const lines = text("text").split("\n").slice(2, 9);
    expect(lines.map((l) => /^ {2}(\w+) +(\d+) {2}(#+) +([\d.]+%)$/.exec(l)?.slice(1))).toEqual(
      DIFF_CATEGORIES.map((c) => [c, "1", "######", "14.3%"]),
    );
    expect(text("json").startsWith('{"match":"contactKey","counts":{"missing":1,"mismatched":1,')).toBe(true);
    expect(text("csv").split("\n").slice(1, 8)).toEqual(
      DIFF_CATEGORIES.map((c) => `count;${c};1;;;;;;;;;;;;;;;;`),
    );
    const html = text("html");
    expect(html.indexOf('class="summary"')).toBeLessThan(html.indexOf("<table>"));
  });

  it("mask contact keys in every format unless personal data is shown", () => {
    for (const format of DIFF_FORMATS) {
      const masked = text(format);
      expect(masked, format).not.toContain("0004398423");
      expect(masked, format).not.toContain("jane.doe@example.com");
      expect(masked, format).toContain("0********3");
      expect(masked, format).toContain("j***@e***.com");
      const shown = text(format, true);
      expect(shown, format).toContain("0004398423");
      expect(shown, format).toContain("jane.doe@example.com");
      expect(shown, format).not.toContain("0********3");
    }
  });

  it("leave contact GUIDs unmasked when matched on contactId", () => {
    for (const format of DIFF_FORMATS)
      expect(text(format, false, "contactId"), format).toContain("3e4d5c6b-7a89-4b0c-8d1e-2f3a4b5c6d7e");
  });

  it("escape every value in HTML and quote CSV fields that need it", () => {
    const html = text("html");
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    expect(csvField('Only full-price shoes; "not" outlet')).toBe('"Only full-price shoes; ""not"" outlet"');
    expect(csvField("a, b")).toBe("a, b");
    expect(csvField(" edge")).toBe('" edge"');
    expect(csvField("plain")).toBe("plain");
  });

  it("keep the HTML report self-contained: no external resource, a policy that allows none", () => {
    const html = text("html");
    expect(html).toContain(
      `content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`,
    );
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/@import|url\(|https?:\/\//);
  });

  it("cap the HTML rows per category with a note saying how many were left out", () => {
    const html = [
      ...formatDiffHtml(smallCaseReport(), { showPersonalData: false, maxRowsPerCategory: 0 }),
    ].join("");
    expect(html).not.toContain("<tr class=");
    expect(html).toContain("Missing: the first 0 of 1 are listed");
  });

  it("take the format from the --out file name", () => {
    expect(formatOfPath("diff.html")).toBe("html");
    expect(formatOfPath("diff.HTM")).toBe("html");
    expect(formatOfPath("out/diff.csv")).toBe("csv");
    expect(formatOfPath("diff.json")).toBe("json");
    expect(formatOfPath("diff.txt")).toBe("text");
    expect(formatOfPath("diff")).toBeUndefined();
  });
});
