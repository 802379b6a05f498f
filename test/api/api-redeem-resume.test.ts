import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { FakeEngage } from "../support/fake-engage.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

let fake: FakeEngage | undefined;
afterEach(async () => {
  await fake?.stop();
});

it("resumes after the process is killed mid-batch, redeeming every assignment exactly once", async () => {
  fake = await new FakeEngage({ apiKey: "k", latencyMs: 30 }).start();
  const promotion = fake.addPromotion("WELCOME");
  const rows = Array.from({ length: 60 }, (_, i) => {
    const contactId = `00000000-0000-4000-8000-${String(i + 1).padStart(12, "0")}`;
    const a = fake!.assign(promotion, contactId);
    // half by id with contact, half by external id: both kinds resume
    return i % 2 === 0 ? `${a.id};${contactId};;POS` : `;${contactId};WELCOME;ECOM`;
  });
  const dir = makeTempDir("api-resume-");
  const file = join(dir, "r.csv");
  writeFileSync(file, ["id;contactId;externalPromotionId;redemptionChannel", ...rows].join("\n"));
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "api",
      "redeem",
      file,
      "--api-url",
      fake.url,
      "--concurrency",
      "4",
    ],
    { env: { ...process.env, ENGAGE_PROMO_API_KEY: "k" }, stdio: "ignore" },
  );
  const exited = new Promise((r) => child.on("exit", r));
  while (fake.redeemCalls < 20) await new Promise((r) => setTimeout(r, 5));
  child.kill("SIGKILL");
  await exited;
  const stored = [...fake.assignments.values()].filter((a) => a.redeemed).length;
  expect(stored).toBeGreaterThan(0);
  expect(stored).toBeLessThan(60);
  // in-flight requests still land on the server after the kill
  await new Promise((r) => setTimeout(r, 200));
  const journal = readFileSync(`${file}.journal.ndjson`, "utf8");
  expect(journal).toContain('"state":"sending"');

  const run = await runCli(["api", "redeem", file, "--api-url", fake.url], {
    env: { ENGAGE_PROMO_API_KEY: "k" },
  });
  expect(run.code).toBe(0);
  expect([...fake.assignments.values()].map((a) => a.redeemCount)).toEqual(Array(60).fill(1));
  expect(run.summary).toMatchObject({ rows: 60, failed: 0, unknown: 0, notSent: 0 });
  expect(run.summary.sentThisRun as number).toBeLessThan(60);
});
