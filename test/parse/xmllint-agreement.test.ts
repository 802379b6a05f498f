import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseExportFile } from "../../src/parse/parse-export.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import type { Issue } from "../../src/core/issue.js";

const GOLDEN = join(import.meta.dirname, "..", "golden", "parse");

function inputOf(name: string): string {
  const dir = join(GOLDEN, name);
  const file = readdirSync(dir).find((f) => f.endsWith(".xml"));
  if (file === undefined) throw new Error(`${name}: no .xml input`);
  return join(dir, file);
}

// xmllint's verdict: null when well-formed, else the line of its first error.
function xmllint(path: string): number | null {
  const run = spawnSync("/usr/bin/xmllint", ["--noout", "--nonet", path], { encoding: "utf8" });
  if (run.status === 0) return null;
  const line = /:(\d+): parser error/.exec(run.stderr);
  if (line === null) throw new Error(`xmllint failed without a parser error: ${run.stderr}`);
  return Number(line[1]);
}

async function fatalIssues(path: string): Promise<Issue[]> {
  const issues: Issue[] = [];
  for await (const batch of parseExportFile(path, { profile: DEFAULT_PROFILE })) {
    for (const event of batch)
      if (
        event.type === "issue" &&
        event.issue.severity === "error" &&
        event.issue.code !== "parse.invalid_value"
      )
        issues.push(event.issue);
  }
  return issues;
}

const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((d) => d.isDirectory() && readdirSync(join(GOLDEN, d.name)).some((f) => f.endsWith(".xml")))
  .map((d) => d.name)
  .sort();

describe("the parser and xmllint agree on well-formedness", () => {
  it.each(
    cases.filter(
      (c) => !c.startsWith("malformed-doctype") && !c.startsWith("malformed-entity") && c !== "empty-file",
    ),
  )("%s", async (name) => {
    const path = inputOf(name);
    const theirs = xmllint(path);
    const ours = await fatalIssues(path);
    if (theirs === null) expect(ours).toEqual([]);
    else expect(ours.map((i) => i.line)).toEqual([theirs]);
  });

  it.each(["malformed-doctype", "malformed-entity-declaration"])(
    "%s is well-formed XML, refused on purpose",
    async (name) => {
      const path = inputOf(name);
      expect(xmllint(path)).toBeNull();
      expect((await fatalIssues(path)).map((i) => i.code)).toEqual(["parse.doctype_refused"]);
    },
  );
});
