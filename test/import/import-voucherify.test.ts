import { parse } from "csv-parse/sync";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const CONTACT_A = "7b89b95e-6347-4d66-8b02-a10a9c830119";
const CONTACT_B = "0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80";

function folder(files: Record<string, string | Buffer>): string {
  const dir = makeTempDir("engage-import-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const MAPPING = JSON.stringify({
  tiers: { promo_1: "SPRING-26" },
  customers: { "src-a": CONTACT_A },
  customersFile: "customers.csv",
  channels: { byType: { API: "ECOM" }, default: "POS" },
});
const CUSTOMERS = `sourceId;contactId\nsrc-b;${CONTACT_B}\n`;

function redemption(id: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: "redemption",
    date: "2026-02-03T09:14:07.512Z",
    customer_id: "cust_1",
    result: "SUCCESS",
    channel: { channel_id: "app_1", channel_type: "API" },
    customer: { id: "cust_1", source_id: "src-a" },
    related_object_type: "promotion_tier",
    related_object_id: "promo_1",
    promotion_tier: { id: "promo_1", campaign: { id: "camp_1" } },
    ...extra,
  };
}

const ndjson = (records: unknown[]) => records.map((r) => `${JSON.stringify(r)}\n`).join("");

async function importIn(dir: string, input: string, out: string, extra: string[] = []) {
  return runCli(
    ["import", "voucherify", input, "--map", "mapping.json", "--out", out, "--no-progress", ...extra],
    {
      cwd: dir,
    },
  );
}

describe("import voucherify", () => {
  it("reads a CSV export with dotted columns and writes a semicolon CSV that csv-parse reads back", async () => {
    const csv = [
      "id,object,date,result,customer_id,customer.source_id,related_object_type,related_object_id,promotion_tier.id,channel.channel_type,order.amount",
      "r_1,redemption,2026-02-03T09:14:07.512Z,SUCCESS,cust_1,src-a,promotion_tier,promo_1,promo_1,API,12900",
      "r_2,redemption,2026-02-04T10:00:00Z,FAILURE,cust_2,src-b,promotion_tier,promo_1,promo_1,API,100",
      "r_3,redemption,2026-02-05T10:00:00+01:00,SUCCESS,cust_2,src-b,promotion_tier,promo_1,promo_1,USER,100",
      "",
    ].join("\n");
    const dir = folder({ "mapping.json": MAPPING, "customers.csv": CUSTOMERS, "r.csv": csv });
    const run = await importIn(dir, "r.csv", "out.csv");
    expect(run.code, run.stderr).toBe(0);
    expect(run.summary).toMatchObject({
      command: "import",
      status: "ok",
      counts: { read: 3, written: 2, skippedFailure: 1 },
    });
    const rows = parse(readFileSync(join(dir, "out.csv"), "utf8"), {
      delimiter: ";",
      columns: true,
      cast: false,
    });
    expect(rows).toEqual([
      {
        id: "",
        contactId: CONTACT_A,
        externalPromotionId: "SPRING-26",
        redemptionChannel: "ECOM",
        sourceRedemptionId: "r_1",
        redeemedAt: "2026-02-03T09:14:07.512Z",
      },
      {
        id: "",
        contactId: CONTACT_B,
        externalPromotionId: "SPRING-26",
        redemptionChannel: "POS",
        sourceRedemptionId: "r_3",
        redeemedAt: "2026-02-05T10:00:00+01:00",
      },
    ]);
  });

  it("reads a windows-1252 CSV export with --encoding, and without it names the option at the bad field's column", async () => {
    const csv = Buffer.from(
      [
        "id,date,result,customer.source_id,related_object_type,promotion_tier.id,channel.channel_type",
        "r_1,2026-02-03T09:14:07Z,SUCCESS,src-\u00e5,promotion_tier,promo_1,API",
        "",
      ].join("\r\n"),
      "latin1",
    );
    const mapping = JSON.stringify({ ...JSON.parse(MAPPING), customers: { "src-\u00e5": CONTACT_A } });
    const dir = folder({ "mapping.json": mapping, "customers.csv": CUSTOMERS, "r.csv": csv });
    const ok = await importIn(dir, "r.csv", "out.csv", ["--encoding", "windows-1252"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.summary).toMatchObject({ counts: { read: 1, written: 1 } });
    expect(readFileSync(join(dir, "out.csv"), "utf8")).toContain(`;${CONTACT_A};SPRING-26;ECOM;r_1;`);

    const bad = await importIn(dir, "r.csv", "bad.csv", ["--format", "json"]);
    expect(bad.code).toBe(65);
    const issues = (JSON.parse(bad.stdout) as { issues: Record<string, unknown>[] }).issues;
    expect(issues[0]).toMatchObject({
      code: "read.encoding_invalid",
      line: 2,
      column: 4,
      field: "customer.source_id",
    });
    expect(issues[0]!.message).toContain("--encoding");
    expect(existsSync(join(dir, "bad.csv"))).toBe(false);
  });

  it("streams a JSON array, and refuses one broken after good records whole, at the error's line", async () => {
    const records = Array.from({ length: 3000 }, (_, i) => JSON.stringify(redemption(`r_${i + 1}`)));
    const good = `[\n${records.join(",\n")}\n]\n`;
    const dir = folder({
      "mapping.json": MAPPING,
      "customers.csv": CUSTOMERS,
      "r.json": good,
      "broken.json": `[\n${records.join(",\n")},\n{"id": "r_x",\n`,
    });
    const ok = await importIn(dir, "r.json", "out.csv");
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.summary).toMatchObject({ counts: { read: 3000, written: 3000 } });
    const bad = await importIn(dir, "broken.json", "bad.csv", ["--format", "json", "--max-rejects", "10"]);
    expect(bad.code).toBe(65);
    const issues = (JSON.parse(bad.stdout) as { issues: Record<string, unknown>[] }).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: "read.json_syntax", line: 3003 });
    expect(existsSync(join(dir, "bad.csv"))).toBe(false);
  });

  it("reports an unmapped customer of an NDJSON file at its line, exits 65 and writes nothing", async () => {
    const input = ndjson([
      redemption("r_1"),
      redemption("r_2", { customer: { source_id: "nobody" }, customer_id: "cust_9" }),
    ]);
    const dir = folder({ "mapping.json": MAPPING, "customers.csv": CUSTOMERS, "r.ndjson": input });
    const run = await importIn(dir, "r.ndjson", "out.ndjson", ["--format", "json"]);
    expect(run.code).toBe(65);
    const { issues } = JSON.parse(run.stdout.split("\n")[0]!) as { issues: { code: string; line: number }[] };
    expect(issues.map((i) => [i.code, i.line])).toEqual([["import.customer_unmapped", 2]]);
    expect(run.summary).toMatchObject({
      status: "invalid",
      written: false,
      counts: { unmapped: 1, rejected: 1 },
    });
    expect(existsSync(join(dir, "out.ndjson"))).toBe(false);
  });

  it("with --max-rejects writes the valid rows and the rejected records beside them", async () => {
    const input = JSON.stringify(
      [
        redemption("r_1"),
        redemption("r_2", { related_object_id: "promo_9", promotion_tier: { id: "promo_9" } }),
      ],
      null,
      2,
    );
    const dir = folder({ "mapping.json": MAPPING, "customers.csv": CUSTOMERS, "r.json": input });
    const run = await importIn(dir, "r.json", "out.ndjson", ["--max-rejects", "1"]);
    expect(run.code, run.stderr).toBe(0);
    const lines = readFileSync(join(dir, "out.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(lines.map((l) => l.sourceRedemptionId)).toEqual(["r_1"]);
    expect(lines[0]).not.toHaveProperty("id");
    const rejects = parse(readFileSync(join(dir, "out.rejects.csv"), "utf8"), {
      delimiter: ";",
      columns: true,
    }) as Record<string, string>[];
    // the record's line is that of its opening brace, the line before its "id"
    const line = String(input.split("\n").findIndex((l) => l.includes('"r_2"')));
    expect(rejects).toMatchObject([{ codes: "import.tier_unmapped", id: "r_2", line }]);
    expect(run.stderr).toMatch(new RegExp(`^\\s*${line}(?::\\d+)?\\s+error .*import\\.tier_unmapped`, "m"));
  });

  it("refuses a CSV export without an id column: no row is read", async () => {
    const dir = folder({
      "mapping.json": MAPPING,
      "customers.csv": CUSTOMERS,
      "r.csv": "date;result\n2026-02-03T09:14:07Z;SUCCESS\n",
    });
    const run = await importIn(dir, "r.csv", "out.csv", ["--max-rejects", "10"]);
    expect(run.code).toBe(65);
    expect(run.stderr).toContain("import.csv_column_missing");
    expect(existsSync(join(dir, "out.csv"))).toBe(false);
  });

  it("reports a header with 130,000 duplicate columns without a stack trace", async () => {
    const header = ["id", "result", ...Array.from({ length: 130_000 }, () => "date")].join(";");
    const dir = folder({ "mapping.json": MAPPING, "customers.csv": CUSTOMERS, "r.csv": `${header}\n` });
    const run = await importIn(dir, "r.csv", "out.csv", ["--format", "json"]);
    expect(run.code).toBe(65);
    expect(run.stderr).not.toMatch(/RangeError|\n\s+at /);
    expect(run.stdout).toContain("read.csv_header_duplicate");
    expect(existsSync(join(dir, "out.csv"))).toBe(false);
  });

  it("refuses a mapping that does not fit its schema, and a customers file with a bad GUID (exit 78)", async () => {
    const bad = folder({
      "mapping.json": JSON.stringify({ tiers: { promo_1: "" }, channel: {} }),
      "r.ndjson": ndjson([redemption("r_1")]),
    });
    const run = await importIn(bad, "r.ndjson", "out.csv");
    expect(run.code).toBe(78);
    expect(run.summary).toMatchObject({ error: { code: "import.mapping_invalid" } });
    const guid = folder({
      "mapping.json": MAPPING,
      "customers.csv": "sourceId;contactId\nsrc-b;12345\n",
      "r.ndjson": ndjson([redemption("r_1")]),
    });
    const run2 = await importIn(guid, "r.ndjson", "out.csv");
    expect(run2.code).toBe(78);
    expect(run2.stderr).toContain("customers.csv:2");
    const noCustomers = folder({ "mapping.json": MAPPING, "r.ndjson": ndjson([redemption("r_1")]) });
    const run3 = await importIn(noCustomers, "r.ndjson", "out.csv");
    expect(run3.code).toBe(78);
    expect(run3.summary).toMatchObject({
      error: {
        code: "import.mapping_unreadable",
        message: "mapping mapping.json: customersFile customers.csv cannot be read (ENOENT)",
      },
    });
  });

  it("refuses an output whose extension names no format (exit 2)", async () => {
    const dir = folder({
      "mapping.json": MAPPING,
      "customers.csv": CUSTOMERS,
      "r.ndjson": ndjson([redemption("r_1")]),
    });
    const run = await importIn(dir, "r.ndjson", "out.txt");
    expect(run.code).toBe(2);
  });

  it("refuses a source it does not know (exit 2)", async () => {
    const run = await runCli(["import", "stripe", "r.json", "--map", "m.json", "--out", "o.csv"]);
    expect(run.code).toBe(2);
  });
});
