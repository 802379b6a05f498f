import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT_CODES } from "../src/core/errors.js";
import { ISSUE_CODES } from "../src/core/issue-codes.js";
import { renderJsonSchemas } from "../src/schemas/json-schemas.js";

const root = join(import.meta.dirname, "..");
const readme = readFileSync(join(root, "README.md"), "utf8");

describe("the README", () => {
  it("documents every issue code", () => {
    const missing = Object.keys(ISSUE_CODES).filter((code) => !readme.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it("documents every exit code", () => {
    for (const { code } of Object.values(EXIT_CODES)) expect(readme).toMatch(new RegExp(`\\| ${code} \\|`));
  });

  it("names the two commands: install and run on the samples, and the test command", () => {
    expect(readme).toContain("npm ci && npm start");
    expect(readme).toContain("npm run check");
  });
});

describe("the JSON Schemas in schemas/", () => {
  it("match the zod schemas (run `npm run build && node dist/bundle/main.js schema` when this fails)", () => {
    for (const [name, text] of renderJsonSchemas()) {
      expect(readFileSync(join(root, "schemas", name), "utf8"), name).toBe(text);
    }
  });
});
