import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../../src/core/errors.js";
import { runCli } from "../support/run-cli.js";
import { toExportXml } from "../support/export-fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

function workspace(): string {
  const dir = makeTempDir("engage-parse-main-");
  writeFileSync(
    join(dir, "20260310_redeemed.xml"),
    toExportXml([
      {
        kind: "redeemed",
        couponId: "c-1",
        contactKey: "0000123",
        redeemedDateTime: "2026-03-09T14:12:50.0168149+01:00",
      },
    ]),
  );
  writeFileSync(
    join(dir, "broken.xml"),
    "<promotions>\n  <redeemed>\n    <couponId>c-2</couponId>\n  </redeemd>\n</promotions>\n",
  );
  return dir;
}

describe("engage-promo parse on the command line", () => {
  it("prints NDJSON records on stdout, the summary as stderr's last line, and exits 0", async () => {
    const run = await runCli(["parse", "20260310_redeemed.xml", "--format", "ndjson"], { cwd: workspace() });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: "redeemed", couponId: "c-1", contactKey: "0000123" });
    expect(run.summary).toMatchObject({
      command: "parse",
      status: "ok",
      exitCode: 0,
      records: 1,
      kinds: { redeemed: 1 },
    });
  });

  it("exits 65 on malformed XML and shows the issue with its line and column", async () => {
    const run = await runCli(["parse", "broken.xml", "--format", "ndjson"], { cwd: workspace() });
    expect(run.code).toBe(EXIT_CODES.invalid_data.code);
    expect(run.summary).toMatchObject({ status: "invalid", issues: { error: 1, warning: 0 } });
    expect(run.stderr).toMatch(
      /broken\.xml\n\s+4:12\s+error\s+not well-formed XML: this closing tag does not close <redeemed> opened at 2:3\s+parse\.xml_malformed/,
    );
  });

  it("exits 66 when an export file is missing", async () => {
    const run = await runCli(["parse", "missing.xml"], { cwd: workspace() });
    expect(run.code).toBe(EXIT_CODES.input_missing.code);
    expect(run.stderr).toContain("missing.xml: no such file (read.file_missing)");
  });

  it("exits 2 for a format it does not write", async () => {
    const run = await runCli(["parse", "20260310_redeemed.xml", "--format", "xml"], { cwd: workspace() });
    expect(run.code).toBe(EXIT_CODES.usage.code);
  });
});
