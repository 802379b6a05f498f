import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../src/core/error-codes.js";
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

describe("the README's error-code table", () => {
  const rows = new Map(
    [...readme.matchAll(/^\| `([a-z_.]+)` \| (\d+) \| /gm)].map((m) => [m[1]!, Number(m[2])] as const),
  );

  it("lists every error code with its exit code, and no other", () => {
    const expected = new Map(
      Object.entries(ERROR_CODES).map(([code, { kind }]) => [code, EXIT_CODES[kind].code]),
    );
    const documented = new Map([...rows].filter(([code]) => !(code in ISSUE_CODES)));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(expected));
  });

  it("matches the exit kind every thrown EngageError gives its code", () => {
    const wrong: string[] = [];
    for (const file of sourceFiles(join(root, "src"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/EngageError\(\s*"([a-z_]+)",\s*"([a-z_.]+)"/g)) {
        const entry = (ERROR_CODES as Record<string, { kind: string }>)[m[2]!];
        if (entry?.kind !== m[1]) wrong.push(`${file}: ${m[2]} thrown as ${m[1]}, listed as ${entry?.kind}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}
