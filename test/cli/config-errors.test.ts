import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "..", "samples");
const INPUTS = [join(samples, "definitions.csv"), join(samples, "assignments.csv")];

const made: string[] = [];
function withConfig(text: string): string {
  const dir = makeTempDir("engage-config-");
  made.push(dir);
  writeFileSync(join(dir, "engage-promo.config.json"), text);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("configuration errors", () => {
  it("exit 78 for a wrong-typed config value and name the config key, not the flag", async () => {
    const cwd = withConfig(JSON.stringify({ render: { maxRejects: "many" } }));
    const run = await runCli(["render", ...INPUTS, "--out", join(cwd, "out")], { cwd });
    expect(run.code).toBe(78);
    expect(run.summary).toMatchObject({ exitCode: 78, error: { code: "config.invalid_value" } });
    const message = (run.summary.error as { message: string }).message;
    expect(message).toContain("engage-promo.config.json (render): maxRejects");
    expect(message).not.toContain("--max-rejects");
  });

  it("exit 78 for a config value outside an option's choices, naming the key", async () => {
    const cwd = withConfig(JSON.stringify({ validate: { format: "xml" } }));
    const run = await runCli(["validate", ...INPUTS], { cwd });
    expect(run.code).toBe(78);
    expect(run.summary).toMatchObject({ error: { code: "config.invalid_value" } });
    expect((run.summary.error as { message: string }).message).toContain(
      "engage-promo.config.json (validate): format",
    );
  });

  it("exit 78 for a bad ENGAGE_PROMO_* value and name the variable", async () => {
    const cwd = withConfig("{}");
    const run = await runCli(["render", ...INPUTS, "--out", join(cwd, "out")], {
      cwd,
      env: { ENGAGE_PROMO_MAX_REJECTS: "-3" },
    });
    expect(run.code).toBe(78);
    expect((run.summary.error as { message: string }).message).toMatch(/^ENGAGE_PROMO_MAX_REJECTS: /);
  });

  it("still blame the flag, exit 2, when the bad value was typed on the command line", async () => {
    const cwd = withConfig(JSON.stringify({ maxRejects: "many" }));
    const run = await runCli(["render", ...INPUTS, "--out", join(cwd, "out"), "--max-rejects", "lots"], {
      cwd,
    });
    expect(run.code).toBe(2);
    expect(run.summary).toMatchObject({ error: { code: "cli.invalid_number" } });
  });

  it("give a config file's JSON syntax error as line:column", async () => {
    const cwd = withConfig('{\n  "quiet": true,\n  "maxRejects" 2\n}\n');
    const run = await runCli(["validate", ...INPUTS], { cwd });
    expect(run.code).toBe(78);
    expect(run.summary).toMatchObject({ error: { code: "config.json_syntax" } });
    expect((run.summary.error as { message: string }).message).toMatch(
      /engage-promo\.config\.json:3:16 not valid JSON/,
    );
  });

  it("give an unfinished config file's position as its end", async () => {
    const cwd = withConfig('{\n  "quiet": ');
    const run = await runCli(["validate", ...INPUTS], { cwd });
    expect((run.summary.error as { message: string }).message).toMatch(
      /engage-promo\.config\.json:2:12 not valid JSON/,
    );
  });
});
