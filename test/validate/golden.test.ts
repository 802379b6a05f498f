import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { validateInputs, type InputEvent, type ValidateOptions } from "../../src/validate/validate-inputs.js";

const ROOT = "test/golden/validate";
const cases = readdirSync(ROOT).sort();

describe("validation, golden cases", () => {
  it.each(cases)("%s", async (name) => {
    const dir = join(ROOT, name);
    const options: Partial<ValidateOptions> = existsSync(join(dir, "options.json"))
      ? JSON.parse(readFileSync(join(dir, "options.json"), "utf8"))
      : {};
    const inputs = readdirSync(dir)
      .filter((f) => f !== "options.json" && f !== "events.json")
      .sort()
      .map((f) => join(dir, f));
    const events: InputEvent[] = [];
    for await (const batch of validateInputs(inputs, { profile: DEFAULT_PROFILE, ...options }))
      events.push(...batch);
    const lines = events.map((e) => JSON.stringify(e));
    await expect(`[\n${lines.join(",\n")}\n]\n`).toMatchFileSnapshot(
      join("..", "golden", "validate", name, "events.json"),
    );
  });
});
