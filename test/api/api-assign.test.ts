import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { FakeEngage } from "../support/fake-engage.js";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

let fake: FakeEngage;
beforeEach(async () => {
  fake = await new FakeEngage({ apiKey: "k" }).start();
});
afterEach(async () => {
  await fake.stop();
});

const contact = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

it("assigns by Engage id and by externalPromotionId resolved once per promotion, with Engage's codes for refusals", async () => {
  const welcome = fake.addPromotion("WELCOME");
  const old = fake.addPromotion("OLD");
  old.expired = true;
  const dir = makeTempDir("api-assign-");
  const file = join(dir, "a.csv");
  writeFileSync(
    file,
    [
      "contactId;promotionId;externalPromotionId",
      `${contact(1)};${welcome.id};`,
      `${contact(2)};;WELCOME`,
      `${contact(3)};;WELCOME`,
      `${contact(4)};;OLD`,
      `${contact(5)};;NOPE`,
    ].join("\n"),
  );
  const run = await runCli(["api", "assign", file, "--api-url", fake.url, "--format", "json"], {
    env: { ENGAGE_PROMO_API_KEY: "k" },
  });
  expect(run.code).toBe(65);
  expect(run.summary).toMatchObject({ assigned: 3, failed: 2 });
  expect([...fake.assignments.values()].map((a) => a.contactId).sort()).toEqual([
    contact(1),
    contact(2),
    contact(3),
  ]);
  expect(
    fake.requests.filter((r) => r.path === "/api/v2/promotions/multichannels?externalId=WELCOME"),
  ).toHaveLength(1);
  expect(run.stdout).toContain("PromotionExpired");
  expect(run.stdout).toContain("PromotionNotFound");
});
