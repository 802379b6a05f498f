import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { DIFF_CATEGORIES, type DiffCategory } from "../../src/diff/diff-entry.js";
import { formatDiffHtml } from "../../src/diff/report-html.js";
import { decodePng, pngSize, type Png } from "./png.js";
import { smallCaseReport } from "./small-case.js";
import { skipWithout } from "../support/tools.js";
import { makeTempDir } from "../support/temp-dir.js";

const CHROMIUM = "/usr/bin/chromium";
// On CI the browser is installed by .ci/run: a missing one must fail there, not skip.
const runs = !skipWithout(CHROMIUM, "chromium");
const ARTIFACTS = join(import.meta.dirname, "..", ".artifacts");

const BAR_COLORS: Record<DiffCategory, [number, number, number]> = {
  missing: [0xc6, 0x28, 0x28],
  mismatched: [0xd8, 0x43, 0x15],
  unexpected: [0x6a, 0x1b, 0x9a],
  deleted: [0x45, 0x5a, 0x64],
  not_checkable: [0x8d, 0x6e, 0x63],
  redeemed: [0x15, 0x65, 0xc0],
  assigned: [0x2e, 0x7d, 0x32],
};

/** The longest horizontal run of a colour (within a small tolerance) in rows [top, bottom). */
function longestRun(png: Png, color: [number, number, number], top: number, bottom: number): number {
  let best = 0;
  for (let y = top; y < Math.min(bottom, png.height); y += 1) {
    let run = 0;
    for (let x = 0; x < png.width; x += 1) {
      const [r, g, b] = png.pixel(x, y);
      const near = Math.abs(r - color[0]) <= 6 && Math.abs(g - color[1]) <= 6 && Math.abs(b - color[2]) <= 6;
      run = near ? run + 1 : 0;
      if (run > best) best = run;
    }
  }
  return best;
}

describe("the HTML report in a browser", () => {
  it.runIf(runs)(
    "renders in headless Chromium with a visible bar per category in the summary",
    { timeout: 120_000 },
    () => {
      const dir = makeTempDir("engage-diff-html-");
      const page = join(dir, "report.html");
      const shot = join(dir, "report.png");
      writeFileSync(page, [...formatDiffHtml(smallCaseReport(), { showPersonalData: false })].join(""));
      const run = spawnSync(
        CHROMIUM,
        [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          `--user-data-dir=${join(dir, "profile")}`,
          `--screenshot=${shot}`,
          "--window-size=1200,900",
          pathToFileURL(page).href,
        ],
        { encoding: "utf8", timeout: 90_000 },
      );
      expect(run.error, run.stderr).toBeUndefined();
      expect(existsSync(shot), `no screenshot; chromium said: ${run.stderr}`).toBe(true);
      mkdirSync(ARTIFACTS, { recursive: true });
      copyFileSync(shot, join(ARTIFACTS, "diff-report.png"));

      const bytes = readFileSync(shot);
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      expect(pngSize(bytes)).toEqual({ width: 1200, height: 900 });
      const png = decodePng(bytes);
      // The summary sits in the top half: each category's bar shows as a long run of its colour there.
      for (const c of DIFF_CATEGORIES) expect(longestRun(png, BAR_COLORS[c], 0, 450), c).toBeGreaterThan(60);
      // And the page is not one flat colour.
      const colors = new Set<string>();
      for (let y = 0; y < png.height; y += 7)
        for (let x = 0; x < png.width; x += 7) colors.add(png.pixel(x, y).join(","));
      expect(colors.size).toBeGreaterThan(20);
    },
  );
});
