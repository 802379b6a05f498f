import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/cli/commands/parse.js";
import type { CommandContext, CommandOutcome } from "../../src/cli/command.js";
import { createLogger } from "../../src/cli/logger.js";
import { createProgress } from "../../src/cli/progress.js";
import { EngageError } from "../../src/core/errors.js";
import { CSV_COLUMNS } from "../../src/parse/format-records.js";
import type { ExportRecord } from "../../src/schemas/export-record.js";
import { toExportXml } from "../support/export-fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

const REDEEMED = toExportXml([
  {
    kind: "redeemed",
    contactKey: "0004398423",
    couponId: "32e0f814-eb7b-4857-8c05-a8e900c43e44",
    externalPromotionId: "SPRING-26",
    redemptionChannels: [
      { type: "POS", valueType: "PERCENT", value: "20" },
      { type: "ECOM", valueType: "EXTERNALOFFER", value: "10;OFF" },
    ],
    redeemedDateTime: "2026-03-09T14:12:50.0168149+01:00",
  },
  { kind: "deleted", couponId: "5a1c2d3e-4f50-4617-8829-3a4b5c6d7e8f" },
]);
const ASSIGNED = toExportXml([
  { kind: "assigned", couponId: "6b2d3e4f-5061-4728-9930-4b5c6d7e8f90", contactKey: "0000123" },
]);
const BROKEN = `${toExportXml([{ kind: "assigned", couponId: "7c3e4f50-6172-4839-a041-5c6d7e8f90a1" }]).replace("</promotions>\n", "")}  <assigned>\n    <couponId>x</coupon>\n`;

function workspace(): string {
  const dir = makeTempDir("engage-parse-cli-");
  writeFileSync(join(dir, "20260310_redeemed.xml"), REDEEMED);
  writeFileSync(join(dir, "20260302_assigned.xml"), ASSIGNED);
  writeFileSync(join(dir, "broken.xml"), BROKEN);
  return dir;
}

async function run(
  dir: string,
  args: Record<string, unknown>,
): Promise<{ outcome: CommandOutcome; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const err = new Writable({
    write(chunk: Buffer, _enc, done) {
      stderr += chunk.toString();
      done();
    },
  });
  const ctx: CommandContext = {
    command: "parse",
    cwd: dir,
    startedAt: new Date(),
    log: createLogger(err, { level: "info", command: "parse", timestamps: false }),
    progress: (o) => createProgress(err, { ...o, tty: false, enabled: false }),
    stdout: (text) => {
      stdout += text;
    },
    env: {},
  };
  const outcome = await parseCommand.run(args as Parameters<typeof parseCommand.run>[0], ctx);
  return { outcome, stdout, stderr };
}

describe("engage-promo parse", () => {
  it("writes NDJSON to --out, a record a line, and counts the records by kind", async () => {
    const dir = workspace();
    const { outcome, stdout } = await run(dir, {
      exports: ["20260302_assigned.xml", "20260310_redeemed.xml"],
      format: "ndjson",
      out: "records.ndjson",
    });
    expect(outcome.exit).toBe("ok");
    expect(outcome.summary).toMatchObject({
      files: 2,
      records: 3,
      kinds: { assigned: 1, redeemed: 1, deleted: 1 },
      format: "ndjson",
      out: "records.ndjson",
    });
    expect(stdout).toBe("");
    const lines = readFileSync(join(dir, "records.ndjson"), "utf8").trimEnd().split("\n");
    const records = lines.map((l) => JSON.parse(l) as ExportRecord);
    expect(records.map((r) => [r.kind, r.couponId, r.at.file, r.at.line])).toEqual([
      ["assigned", "6b2d3e4f-5061-4728-9930-4b5c6d7e8f90", "20260302_assigned.xml", 3],
      ["redeemed", "32e0f814-eb7b-4857-8c05-a8e900c43e44", "20260310_redeemed.xml", 3],
      ["deleted", "5a1c2d3e-4f50-4617-8829-3a4b5c6d7e8f", "20260310_redeemed.xml", 21],
    ]);
    expect(records[0]?.contactKey).toBe("0000123");
    // Written under a temporary name, then renamed: nothing else is left in the folder.
    expect(readdirSync(dir).sort()).toEqual([
      "20260302_assigned.xml",
      "20260310_redeemed.xml",
      "broken.xml",
      "records.ndjson",
    ]);
  });

  it("prints a JSON array on stdout when there is no --out", async () => {
    const dir = workspace();
    const { outcome, stdout } = await run(dir, { exports: ["20260310_redeemed.xml"] });
    expect(outcome.summary.format).toBe("json");
    const records = JSON.parse(stdout) as ExportRecord[];
    expect(records.map((r) => r.kind)).toEqual(["redeemed", "deleted"]);
    expect(records[0]?.redeemedDateTime?.raw).toBe("2026-03-09T14:12:50.0168149+01:00");
  });

  it("writes semicolon CSV with the channels flattened, the format taken from the --out extension", async () => {
    const dir = workspace();
    const { outcome } = await run(dir, { exports: ["20260310_redeemed.xml"], out: "records.csv" });
    expect(outcome.summary.format).toBe("csv");
    const lines = readFileSync(join(dir, "records.csv"), "utf8").split("\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(";"));
    expect(lines[1]).toContain(';PERCENT;20;;EXTERNALOFFER;"10;OFF";;');
    expect(lines).toHaveLength(4);
  });

  it("exits 65 on a malformed export and still writes the records read before the error", async () => {
    const dir = workspace();
    const { outcome, stderr } = await run(dir, {
      exports: ["broken.xml", "20260302_assigned.xml"],
      format: "ndjson",
      out: "out.ndjson",
    });
    expect(outcome.exit).toBe("invalid_data");
    expect(outcome.status).toBe("invalid");
    expect(outcome.summary).toMatchObject({ files: 2, filesWithErrors: 1, records: 2 });
    expect(outcome.issues?.map((i) => [i.code, i.file, i.line, i.column])).toEqual([
      ["parse.xml_malformed", "broken.xml", 7, 24],
    ]);
    expect(readFileSync(join(dir, "out.ndjson"), "utf8").trimEnd().split("\n")).toHaveLength(2);
    expect(stderr).toContain("1 file with errors");
  });

  it("fails with input_missing before writing anything when an export is missing", async () => {
    const dir = workspace();
    const error = await run(dir, { exports: ["20260302_assigned.xml", "nope.xml"], out: "out.json" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({
      kind: "input_missing",
      code: "read.file_missing",
      message: "nope.xml: no such file",
    });
    expect(existsSync(join(dir, "out.json"))).toBe(false);
  });

  it("fails with output_failed when --out cannot be written", async () => {
    const dir = workspace();
    const error = await run(dir, {
      exports: ["20260302_assigned.xml"],
      out: "missing-folder/out.json",
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "output_failed", code: "parse.output_failed" });
    expect((error as Error).message).toMatch(
      /^--out missing-folder\/out.json: cannot be written \(ENOENT\)$/,
    );
  });

  it("reads renamed fields with --profile", async () => {
    const dir = workspace();
    writeFileSync(
      join(dir, "tenant.json"),
      JSON.stringify({ export: { fields: { couponId: "voucherId" } } }),
    );
    writeFileSync(join(dir, "tenant_redeemed.xml"), "<x><item><voucherId>v-1</voucherId></item></x>");
    const { outcome, stdout } = await run(dir, { exports: ["tenant_redeemed.xml"], profile: "tenant.json" });
    expect(outcome.exit).toBe("ok");
    expect((JSON.parse(stdout) as ExportRecord[]).map((r) => [r.kind, r.couponId])).toEqual([
      ["redeemed", "v-1"],
    ]);
  });

  it("refuses a profile that does not fit the schema", async () => {
    const dir = workspace();
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ export: { fields: { couponId: "not a name" } } }));
    const error = await run(dir, { exports: ["20260302_assigned.xml"], profile: "bad.json" }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ kind: "bad_config", code: "config.profile_invalid" });
  });
});
