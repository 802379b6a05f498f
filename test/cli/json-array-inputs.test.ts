import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const dir = makeTempDir("engage-json-array-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const GUID = "7b89b95e-6347-4d66-8b02-a10a9c830119";

function write(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

const definitions = () =>
  write(
    "definitions.csv",
    "externalPromotionId;promotionName;validFromDate;validToDate;posValueType;posValue\nA;Spring;2026-03-01;2026-03-31;PERCENT;20\n",
  );

describe("a JSON array input through the commands", () => {
  it("says how many records it held", async () => {
    const records = Array.from({ length: 2500 }, (_, i) => ({
      externalPromotionId: "A",
      promotionCodeId: `c${i}`,
      contactId: GUID,
    }));
    const file = write("many.json", JSON.stringify(records, null, 2));
    const run = await runCli(["validate", definitions(), file, "--no-progress"]);
    expect(run.code).toBe(0);
    expect(run.summary.inputs).toContainEqual({ file, kind: "assignments", records: 2500 });
  });

  it("writes nothing of a file with a syntax error after good records, even with --max-rejects", async () => {
    // one line, as minified JSON is: the error shares its line with a rejected record
    const good = Array.from(
      { length: 50 },
      (_, i) => `{"externalPromotionId":"A","promotionCodeId":"c${i}","contactId":"${GUID}"}`,
    );
    const bad = `{"externalPromotionId":"A","promotionCodeId":"x","contactId":"not-a-guid"}`;
    const file = write(
      "broken.json",
      `[${bad},${good.join(",")},{"externalPromotionId":"A" "contactId":"${GUID}"}]`,
    );
    const out = join(dir, "out");
    const run = await runCli([
      "render",
      definitions(),
      file,
      "--out",
      out,
      "--max-rejects",
      "5",
      "--no-progress",
    ]);
    expect(run.code).toBe(65);
    expect(run.stderr).toContain("read.json_syntax");
    expect(run.summary.inputs).toContainEqual({ file, kind: "assignments", records: 0 });
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    // the same records without the broken one are written, the invalid one left out
    const fixed = write("fixed.json", `[${bad},${good.join(",")}]`);
    const written = await runCli([
      "render",
      definitions(),
      fixed,
      "--out",
      join(dir, "out-fixed"),
      "--max-rejects",
      "5",
      "--no-progress",
    ]);
    expect(written.code).toBe(0);
    expect(readdirSync(join(dir, "out-fixed")).length).toBeGreaterThan(0);
  });

  it("refuses an empty array as read.no_rows, and accepts it with --allow-empty", async () => {
    const file = write("empty.json", "[\n]\n");
    const refused = await runCli(["validate", file, "--format", "json", "--no-progress"]);
    expect(refused.code).toBe(65);
    expect(refused.stdout).toContain('"code":"read.no_rows"');
    expect((await runCli(["validate", file, "--allow-empty", "--no-progress"])).code).toBe(0);
  });
});
