import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeEngage, type FakeAssignment } from "../support/fake-engage.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const KEY = "test-key";
let fake: FakeEngage;
let dir: string;

beforeEach(async () => {
  fake = await new FakeEngage({ apiKey: KEY }).start();
  dir = makeTempDir("api-redeem-");
});
afterEach(async () => {
  await fake.stop();
});

const contact = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

/** n contacts each holding promotion WELCOME; returns their assignments. */
function seed(n: number): FakeAssignment[] {
  const p = fake.addPromotion("WELCOME");
  return Array.from({ length: n }, (_, i) => fake.assign(p, contact(i + 1)));
}

function writeCsv(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

const redeem = (file: string, extra: string[] = [], env: NodeJS.ProcessEnv = { ENGAGE_PROMO_API_KEY: KEY }) =>
  runCli(["api", "redeem", file, "--api-url", fake.url, ...extra], { env });

describe("api redeem", () => {
  it("redeems every row once, by id or by externalPromotionId with contactId", async () => {
    const a = seed(4);
    const file = writeCsv("r.csv", [
      "id;contactId;externalPromotionId;redemptionChannel;sourceRedemptionId",
      `${a[0]!.id};;;POS;r_1`,
      `${a[1]!.id};${contact(2)};;ECOM;r_2`,
      `;${contact(3)};WELCOME;POS;r_3`,
      `;${contact(4)};WELCOME;OTHER;r_4`,
    ]);
    const run = await redeem(file);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ status: "ok", redeemed: 4, failed: 0 });
    expect(a.map((x) => x.redeemCount)).toEqual([1, 1, 1, 1]);
    expect(fake.requests.every((r) => r.apikey === KEY && r.userAgent?.startsWith("engage-promo/"))).toBe(
      true,
    );
    expect(run.stdout + run.stderr).not.toContain(KEY);
    const journal = readFileSync(`${file}.journal.ndjson`, "utf8");
    expect(journal).toContain('"sourceRedemptionId":"r_3"');
  });

  it("reads JSON arrays and NDJSON with the same keys", async () => {
    const a = seed(2);
    const json = join(dir, "r.json");
    writeFileSync(json, JSON.stringify([{ id: a[0]!.id, redemptionChannel: "POS" }]));
    const ndjson = join(dir, "r.ndjson");
    writeFileSync(
      ndjson,
      `${JSON.stringify({ contactId: contact(2), externalPromotionId: "WELCOME", redemptionChannel: "ECOM" })}\n`,
    );
    expect((await redeem(json)).code).toBe(0);
    expect((await redeem(ndjson)).code).toBe(0);
    expect(a.map((x) => x.redeemCount)).toEqual([1, 1]);
  });

  it("treats 409 PromotionAlreadyRedeemed as success and other refusals as failed rows with Engage's code", async () => {
    const a = seed(2);
    a[0]!.redeemed = true;
    const posOnly = fake.addPromotion("POSONLY", ["POS"]);
    const b = fake.assign(posOnly, contact(9));
    const file = writeCsv("r.csv", [
      "id,redemptionChannel",
      `${a[0]!.id},POS`,
      `${b.id},ECOM`,
      `00000000-dead-4000-8000-000000000000,POS`,
    ]);
    const run = await redeem(file, ["--format", "json"]);
    expect(run.code).toBe(65);
    expect(run.summary).toMatchObject({ alreadyRedeemed: 1, failed: 2 });
    const issues = (
      JSON.parse(run.stdout.split("\n")[0]!) as { issues: { code: string; message: string; line: number }[] }
    ).issues;
    expect(issues.map((i) => [i.code, i.line])).toEqual([
      ["api.rejected", 3],
      ["api.rejected", 4],
    ]);
    expect(issues[0]!.message).toContain("PromotionNotValidForRedemptionChannel");
    expect(issues[1]!.message).toContain("PromotionNotFound");
    expect(fake.redeemCalls).toBe(3);
  });

  it("a re-run with nothing left to send reports the whole batch from the journal and exits 65 again", async () => {
    seed(1);
    const file = writeCsv("r.csv", ["id;redemptionChannel", "00000000-dead-4000-8000-000000000000;POS"]);
    expect((await redeem(file)).code).toBe(65);
    const again = await redeem(file);
    expect(again.code).toBe(65);
    expect(again.summary).toMatchObject({ failed: 1, sentThisRun: 0 });
    expect(fake.redeemCalls).toBe(1);
  });

  it("rejects rows without a target or channel before sending anything for them, and creates no journal", async () => {
    seed(1);
    const file = writeCsv("r.csv", [
      "id;contactId;externalPromotionId;redemptionChannel",
      `;${contact(1)};;POS`,
      "x;;;SHOP",
    ]);
    const run = await redeem(file, ["--format", "json"]);
    expect(run.code).toBe(65);
    expect(run.stdout).toContain("api.row_target_missing");
    expect(run.stdout).toContain("api.row_invalid");
    expect(fake.redeemCalls).toBe(0);
    expect(existsSync(`${file}.journal.ndjson`)).toBe(false);
  });

  it("reads a windows-1252 file with --encoding, and without it reports the bad bytes at their column, sending nothing", async () => {
    const a = seed(1);
    const file = join(dir, "r.csv");
    writeFileSync(
      file,
      Buffer.from(`id;redemptionChannel;sourceRedemptionId\r\n${a[0]!.id};POS;k\u00f6p-1\r\n`, "latin1"),
    );
    const bad = await redeem(file, ["--format", "json"]);
    expect(bad.code).toBe(65);
    const issues = (JSON.parse(bad.stdout.split("\n")[0]!) as { issues: Record<string, unknown>[] }).issues;
    expect(issues[0]).toMatchObject({
      code: "read.encoding_invalid",
      line: 2,
      column: 3,
      field: "sourceRedemptionId",
    });
    expect(String(issues[0]!.message)).toContain("--encoding");
    expect(fake.redeemCalls).toBe(0);
    expect(existsSync(`${file}.journal.ndjson`)).toBe(false);
    const ok = await redeem(file, ["--encoding", "windows-1252", "--journal", join(dir, "j.ndjson")]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(a[0]!.redeemCount).toBe(1);
    expect(readFileSync(join(dir, "j.ndjson"), "utf8")).toContain('"sourceRedemptionId":"k\u00f6p-1"');
  });

  it("refuses a JSON array broken after good rows whole, at the error's line, before sending anything", async () => {
    const a = seed(3);
    const file = join(dir, "r.json");
    const good = a.map((x) => JSON.stringify({ id: x.id, redemptionChannel: "POS" }));
    writeFileSync(file, `[\n${good.join(",\n")},\n{"id": \n`);
    const run = await redeem(file, ["--format", "json"]);
    expect(run.code).toBe(65);
    const issues = (JSON.parse(run.stdout.split("\n")[0]!) as { issues: Record<string, unknown>[] }).issues;
    expect(issues).toEqual([expect.objectContaining({ code: "read.json_syntax", line: 6 })]);
    expect(fake.redeemCalls).toBe(0);
    expect(existsSync(`${file}.journal.ndjson`)).toBe(false);
  });

  it("a redeem stored then answered 504 after 4.5 s is read back, not sent twice", async () => {
    const a = seed(1);
    fake.faults.push({ on: "redeem", kind: "store-then-504" });
    const file = writeCsv("r.csv", ["id;contactId;redemptionChannel", `${a[0]!.id};${contact(1)};POS`]);
    const run = await redeem(file);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ confirmedByRead: 1 });
    expect(a[0]!.redeemCount).toBe(1);
    expect(fake.redeemCalls).toBe(1);
  }, 20_000);

  it("a 504 without storing is read back as not redeemed and sent once more", async () => {
    const a = seed(1);
    fake.faults.push({ on: "redeem", kind: "504" });
    const file = writeCsv("r.csv", [
      "contactId;externalPromotionId;redemptionChannel",
      `${contact(1)};WELCOME;POS`,
    ]);
    const run = await redeem(file);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ redeemed: 1 });
    expect(a[0]!.redeemCount).toBe(1);
    expect(fake.redeemCalls).toBe(2);
  });

  it("a row with only an id retried after a reset that was stored reports 'confirmed on retry'", async () => {
    const a = seed(1);
    fake.faults.push({ on: "redeem", kind: "store-then-504", delayMs: 10 });
    const file = writeCsv("r.csv", ["id;redemptionChannel", `${a[0]!.id};POS`]);
    const run = await redeem(file);
    expect(run.code).toBe(0);
    expect(run.summary).toMatchObject({ confirmedOnRetry: 1 });
    expect(a[0]!.redeemCount).toBe(1);
  });

  it("honours 429 with Retry-After and survives a reset connection and a slow body", async () => {
    const a = seed(3);
    fake.faults.push({ on: "redeem", kind: "429", retryAfter: "1" });
    fake.faults.push({ on: "list", kind: "reset" });
    fake.faults.push({ on: "redeem", kind: "slow-body", delayMs: 300 });
    const file = writeCsv("r.csv", [
      "id;contactId;externalPromotionId;redemptionChannel",
      `${a[0]!.id};;;POS`,
      `;${contact(2)};WELCOME;POS`,
      `;${contact(3)};WELCOME;POS`,
    ]);
    const started = Date.now();
    const run = await redeem(file, ["--concurrency", "1"]);
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(a.map((x) => x.redeemCount)).toEqual([1, 1, 1]);
  });

  it("exits 77 when Engage refuses the key, and the key never shows", async () => {
    seed(1);
    const file = writeCsv("r.csv", ["id;redemptionChannel", "x;POS"]);
    const run = await redeem(file, [], { ENGAGE_PROMO_API_KEY: "wrong-secret" });
    expect(run.code).toBe(77);
    expect(run.summary).toMatchObject({ error: { code: "api.key_refused" } });
    expect(run.stdout + run.stderr).not.toContain("wrong-secret");
  });

  it("takes the key from --api-key-file", async () => {
    const a = seed(1);
    writeFileSync(join(dir, "key"), `${KEY}\n`);
    const file = writeCsv("r.csv", ["id;redemptionChannel", `${a[0]!.id};POS`]);
    const run = await redeem(file, ["--api-key-file", join(dir, "key")], {});
    expect(run.code).toBe(0);
  });

  it("exits 69 when Engage stays unavailable, leaving the row open for a re-run", async () => {
    const a = seed(1);
    for (let i = 0; i < 20; i += 1) fake.faults.push({ on: "list", kind: "504" });
    const file = writeCsv("r.csv", [
      "contactId;externalPromotionId;redemptionChannel",
      `${contact(1)};WELCOME;POS`,
    ]);
    const run = await redeem(file);
    expect(run.code).toBe(69);
    expect(a[0]!.redeemCount).toBe(0);
    fake.faults.length = 0;
    expect((await redeem(file)).code).toBe(0);
    expect(a[0]!.redeemCount).toBe(1);
  }, 60_000);

  it("refuses plain http:// to a host other than loopback, and a redeem timeout under 60 s", async () => {
    const file = writeCsv("r.csv", ["id;redemptionChannel", "x;POS"]);
    const env = { ENGAGE_PROMO_API_KEY: KEY };
    const insecure = await runCli(["api", "redeem", file, "--api-url", "http://acme.voyado.com"], { env });
    expect(insecure.code).toBe(2);
    expect(insecure.summary).toMatchObject({ error: { code: "api.url_insecure" } });
    const short = await redeem(file, ["--redeem-timeout", "30"]);
    expect(short.code).toBe(2);
  });

  it("keeps at most --concurrency requests in flight", async () => {
    fake.latencyMs = 20;
    const a = seed(30);
    const file = writeCsv("r.csv", ["id;redemptionChannel", ...a.map((x) => `${x.id};POS`)]);
    const run = await redeem(file, ["--concurrency", "3"]);
    expect(run.code).toBe(0);
    expect(fake.maxInFlight).toBe(3);
    expect(a.every((x) => x.redeemCount === 1)).toBe(true);
  });

  it("starts no row after --deadline, leaving the rest for a re-run (exit 69)", async () => {
    fake.latencyMs = 300;
    const a = seed(6);
    const file = writeCsv("r.csv", ["id;redemptionChannel", ...a.map((x) => `${x.id};POS`)]);
    const run = await redeem(file, ["--concurrency", "1", "--deadline", "0.5"]);
    expect(run.code).toBe(69);
    expect(run.summary.notSent as number).toBeGreaterThan(0);
    expect(fake.redeemCalls).toBeLessThan(6);
    fake.latencyMs = 0;
    expect((await redeem(file)).code).toBe(0);
    expect(a.map((x) => x.redeemCount)).toEqual(Array(6).fill(1));
  });
});
