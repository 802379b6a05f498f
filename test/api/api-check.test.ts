import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeEngage, type FakePromotion } from "../support/fake-engage.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const KEY = "check-secret-key-123";
const AT = "2026-03-10T12:00:00Z";
let fake: FakeEngage;
let dir: string;

beforeEach(async () => {
  fake = await new FakeEngage({ apiKey: KEY }).start();
  fake.now = new Date(AT);
  dir = makeTempDir("api-check-");
});
afterEach(async () => {
  await fake.stop();
});

const contact = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

const DEFINITIONS = [
  "externalPromotionId;promotionName;validFromDate;validToDate;posValueType;posValue;ecomValueType;ecomValue",
  "SPRING-26;Spring 20%;2026-03-01;2026-03-31;PERCENT;20;PERCENT;20",
  "SUMMER-26;Summer;2026-06-01;2026-08-31;PERCENT;15;PERCENT;15",
  "WINTER-25;Winter;2025-12-01;2026-02-28;PERCENT;10;PERCENT;10",
];

/** SPRING-26 in the fake as it was sent: the same days (in Engage's offsets) and values (20 as 20.0). */
function spring(over: Partial<FakePromotion> = {}): FakePromotion {
  const p = fake.addPromotion("SPRING-26");
  Object.assign(p, {
    validFrom: "2026-03-01T00:00:00+01:00",
    expiresOn: "2026-03-31T23:59:59+02:00",
    redemptionChannels: [
      { type: "POS", valueType: "PERCENT", value: 20 },
      { type: "ECOM", valueType: "PERCENT", value: 20.0 },
    ],
    ...over,
  });
  return p;
}

function write(name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

/** The inputs as sent: definitions, and one assignment a line of [promotion, contact number]. */
function sent(rows: [string, number][]): string[] {
  const defs = write("definitions.csv", DEFINITIONS);
  const assignments = write("assignments.csv", [
    "externalPromotionId;promotionCodeId;contactId",
    ...rows.map(([p, c], i) => `${p};${p}-${String(i + 1).padStart(4, "0")};${contact(c)}`),
  ]);
  return [defs, assignments];
}

/** `api check` of `expected` against the fake Engage, with `flags` and the test key. */
const checkWith = (
  expected: string[],
  flags: string[],
  env: NodeJS.ProcessEnv = { ENGAGE_PROMO_API_KEY: KEY },
) => runCli(["api", "check", "--expected", ...expected, "--api-url", fake.url, ...flags], { env });

/** The same on the check day AT, the report as JSON on stdout. */
const check = (expected: string[], extra: string[] = [], env?: NodeJS.ProcessEnv) =>
  checkWith(expected, ["--timestamp", AT, "--format", "json", ...extra], env);

interface Report {
  counts: Record<string, number>;
  expectedAssignments: number;
  check: { at: string; contacts: number };
  entries: {
    category: string;
    externalPromotionId: string;
    contact?: { value: string };
    differences: { field: string; expected: string; actual: string }[];
    note?: string;
  }[];
}

/** The JSON report: the whole of stdout (the summary and the issues go to stderr). */
const reportOf = (stdout: string): Report => JSON.parse(stdout) as Report;

const listed = () =>
  fake.requests
    .filter((r) => r.path.startsWith("/api/v3/promotion-assignments?contactId="))
    .map((r) => decodeURIComponent(r.path.split("=")[1]!));

describe("api check", () => {
  it("finds every sampled contact's promotions as sent: all assigned, exit 0, the key sent but never shown", async () => {
    const p = spring();
    for (const c of [1, 2, 3]) fake.assign(p, contact(c));
    const run = await check(
      sent([
        ["SPRING-26", 1],
        ["SPRING-26", 2],
        ["SPRING-26", 3],
      ]),
      ["--contacts", "3"],
    );
    expect(run.stderr).toBe(run.stderr.replace(KEY, ""));
    expect(run.code).toBe(0);
    const report = reportOf(run.stdout);
    expect(report.counts).toEqual({
      missing: 0,
      mismatched: 0,
      unexpected: 0,
      deleted: 0,
      not_checkable: 0,
      redeemed: 0,
      assigned: 3,
    });
    expect(report.check).toMatchObject({ at: AT, contacts: 3 });
    expect(run.summary).toMatchObject({ status: "in-sync", counts: { assigned: 3 } });
    expect(listed().sort()).toEqual([contact(1), contact(2), contact(3)]);
    expect(fake.requests.every((r) => r.apikey === KEY)).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(KEY);
  });

  it("reports an assignment sent but not shown as missing, and exits 1 on it with --fail-on-diff", async () => {
    const p = spring();
    fake.assign(p, contact(1));
    const inputs = sent([
      ["SPRING-26", 1],
      ["SPRING-26", 2],
    ]);
    const run = await check(inputs, ["--contacts", "2"]);
    expect(run.code).toBe(0);
    const report = reportOf(run.stdout);
    expect(report.counts).toMatchObject({ missing: 1, assigned: 1 });
    expect(report.entries.find((e) => e.category === "missing")?.contact?.value).toBe(contact(2));
    expect((await check(inputs, ["--contacts", "2", "--fail-on-diff"])).code).toBe(1);
  });

  it("reports changed dates and channel values as mismatched, comparing days and numbers", async () => {
    const p = spring({
      expiresOn: "2026-04-30T23:59:59+02:00",
      redemptionChannels: [
        { type: "POS", valueType: "PERCENT", value: 25 },
        { type: "ECOM", valueType: "PERCENT", value: 20.0 },
      ],
    });
    fake.assign(p, contact(1));
    const run = await check(sent([["SPRING-26", 1]]));
    const report = reportOf(run.stdout);
    expect(report.counts).toMatchObject({ mismatched: 1, assigned: 0 });
    expect(report.entries[0]!.differences).toEqual([
      { field: "validToDate", expected: "2026-03-31", actual: "2026-04-30T23:59:59+02:00" },
      { field: "redemptionChannels.POS.value", expected: "20", actual: "25" },
    ]);
  });

  it("reports a promotion shown for a sampled contact but never sent as unexpected, a redeemed one as redeemed", async () => {
    const p = spring();
    const a = fake.assign(p, contact(1));
    a.redeemed = true;
    a.redeemedOn = "2026-03-05T10:00:00+01:00";
    fake.assign(fake.addPromotion("OTHER"), contact(1));
    const run = await check(sent([["SPRING-26", 1]]));
    const report = reportOf(run.stdout);
    expect(report.counts).toMatchObject({ unexpected: 1, redeemed: 1, missing: 0 });
    expect(report.entries.find((e) => e.category === "unexpected")?.externalPromotionId).toBe("OTHER");
  });

  it("reports assignments of promotions not started or already ended at the check time as not_checkable, not missing", async () => {
    const summer = fake.addPromotion("SUMMER-26");
    summer.validFrom = "2026-06-01T00:00:00+02:00";
    summer.expiresOn = "2026-08-31T23:59:59+02:00";
    summer.redemptionChannels = [
      { type: "POS", valueType: "PERCENT", value: 15 },
      { type: "ECOM", valueType: "PERCENT", value: "15.00" },
    ];
    const winter = fake.addPromotion("WINTER-25");
    winter.validFrom = "2025-12-01T00:00:00+01:00";
    winter.expiresOn = "2026-02-28T23:59:59+01:00";
    fake.assign(summer, contact(1));
    fake.assign(winter, contact(1));
    spring();
    const inputs = sent([
      ["SUMMER-26", 1],
      ["WINTER-25", 1],
      ["SPRING-26", 1],
    ]);
    const run = await check(inputs, ["--fail-on-diff"]);
    const report = reportOf(run.stdout);
    expect(report.counts).toMatchObject({ not_checkable: 2, missing: 1 });
    const notes = report.entries.filter((e) => e.category === "not_checkable").map((e) => e.note);
    expect(notes).toEqual([
      "starts 2026-06-01, after the check day 2026-03-10: Engage's API shows a promotion only once it has started",
      "ended 2026-02-28, before the check day 2026-03-10: Engage's API shows only promotions still valid",
    ]);
    expect(run.code).toBe(1); // the missing SPRING-26, not the two not_checkable
    // later, summer has started and is compared; spring has ended
    fake.now = new Date("2026-06-15T12:00:00Z");
    const later = await checkWith(inputs, ["--timestamp", "2026-06-15T12:00:00Z", "--format", "json"]);
    expect(reportOf(later.stdout).counts).toMatchObject({ assigned: 1, not_checkable: 2 });
  });

  it("shows not_checkable in every report format", async () => {
    const summer = fake.addPromotion("SUMMER-26");
    summer.validFrom = "2026-06-01T00:00:00+02:00";
    fake.assign(summer, contact(1));
    const inputs = sent([["SUMMER-26", 1]]);
    for (const [name, expectation] of [
      ["r.txt", /not_checkable 1/],
      ["r.csv", /count;not_checkable;1;/],
      ["r.html", /Not checkable \(1\)/],
      ["r.json", /"not_checkable":1/],
    ] as const) {
      const run = await checkWith(inputs, ["--timestamp", AT, "--out", join(dir, name)]);
      expect(run.code, name).toBe(0);
      const text = readFileSync(join(dir, name), "utf8");
      expect(text, name).toMatch(expectation);
      expect(text, name).not.toContain(KEY);
    }
  });

  it("reads only the contacts of --contacts-file (a plain list or CSV with a contactId column); others are not compared", async () => {
    const p = spring();
    fake.assign(p, contact(1));
    fake.assign(p, contact(9)); // listed, never sent
    const inputs = sent([
      ["SPRING-26", 1],
      ["SPRING-26", 2],
      ["SPRING-26", 3],
    ]);
    const plain = write("contacts.txt", [contact(1), "", contact(9), contact(1)]);
    const csv = write("contacts.csv", ["name;contactId", `Ann;${contact(1)}`, `"Bo; Jr";${contact(9)}`]);
    for (const file of [plain, csv]) {
      fake.requests.length = 0;
      const run = await check(inputs, ["--contacts-file", file]);
      expect(run.code, file).toBe(0);
      const report = reportOf(run.stdout);
      // contacts 2 and 3 were sent but not listed: not missing, not counted
      expect(report.counts, file).toMatchObject({ assigned: 1, unexpected: 1, missing: 0 });
      expect(report.expectedAssignments).toBe(1);
      expect(listed(), file).toEqual([contact(1), contact(9)]);
      expect(run.stderr).toContain("api.contact_not_sent");
    }
    const missing = await check(inputs, ["--contacts-file", join(dir, "nope.txt")]);
    expect(missing.code).toBe(66);
    expect(missing.summary).toMatchObject({
      error: {
        code: "api.contacts_file_unreadable",
        message: `--contacts-file ${join(dir, "nope.txt")}: cannot be read (ENOENT)`,
      },
    });
    expect((await check(inputs, ["--contacts-file", plain, "--contacts", "2"])).code).toBe(2);
  });

  it("draws the same sample with the same seed, and counts only the sampled contacts", async () => {
    const p = spring();
    const rows: [string, number][] = [];
    for (let c = 1; c <= 20; c += 1) {
      fake.assign(p, contact(c));
      rows.push(["SPRING-26", c]);
    }
    const inputs = sent(rows);
    const drawn = async (extra: string[]) => {
      fake.requests.length = 0;
      const run = await check(inputs, ["--contacts", "5", ...extra]);
      expect(run.code).toBe(0);
      const report = reportOf(run.stdout);
      expect(report.counts.assigned).toBe(5);
      expect(report.expectedAssignments).toBe(5);
      return listed().sort();
    };
    const first = await drawn(["--seed", "7"]);
    expect(first).toHaveLength(5);
    expect(await drawn(["--seed", "7"])).toEqual(first);
    expect(await drawn(["--seed", "8"])).not.toEqual(first);
    expect(await drawn([])).toEqual(await drawn(["--seed", "1"]));
  });

  it("exits 77 when Engage refuses the key, without showing it", async () => {
    spring();
    const run = await check(sent([["SPRING-26", 1]]), [], { ENGAGE_PROMO_API_KEY: "wrong-key-456" });
    expect(run.code).toBe(77);
    expect(run.summary).toMatchObject({ error: { code: "api.key_refused" } });
    expect(run.stdout + run.stderr).not.toContain("wrong-key-456");
  });

  it("waits out a 429 for its Retry-After, then reads the contact", async () => {
    const p = spring();
    fake.assign(p, contact(1));
    fake.faults.push({ on: "list", kind: "429", retryAfter: "1" });
    const started = Date.now();
    const run = await check(sent([["SPRING-26", 1]]));
    expect(run.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(reportOf(run.stdout).counts.assigned).toBe(1);
    expect(listed()).toEqual([contact(1), contact(1)]);
  });

  it("exits 69 when Engage stays unavailable, reporting the contacts not read", async () => {
    spring();
    for (let i = 0; i < 10; i += 1) fake.faults.push({ on: "list", kind: "504" });
    const run = await check(sent([["SPRING-26", 1]]), ["--deadline", "1"]);
    expect(run.code).toBe(69);
    expect(run.summary).toMatchObject({ status: "unavailable" });
    expect(run.stderr).toContain("api.contact_not_read");
    expect(reportOf(run.stdout).counts.missing).toBe(0);
  });

  it("takes no input file, and leaves redeem without one, or with csv or html issues, a usage error", async () => {
    const env = { ENGAGE_PROMO_API_KEY: KEY };
    const input = write("r.csv", ["id;redemptionChannel", `${contact(1)};POS`]);
    const usage = async (argv: string[]) => {
      const run = await runCli([...argv, "--api-url", fake.url], { env });
      expect(run.code, argv.join(" ")).toBe(2);
      return run.summary;
    };
    await usage(["api", "check", input, "--expected", input]);
    await usage(["api", "redeem"]);
    expect(await usage(["api", "redeem", input, "--format", "html"])).toMatchObject({
      error: { code: "cli.invalid_value" },
    });
    expect(await usage(["api", "check", "--expected", input, "--contacts", "0"])).toMatchObject({
      error: { code: "cli.invalid_number" },
    });
    expect(fake.requests).toEqual([]);
  });
});
