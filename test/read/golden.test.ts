import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Issue } from "../../src/core/issue.js";
import { openInput, type OpenOptions } from "../../src/read/open-input.js";
import type { RawRow } from "../../src/read/raw-row.js";

const ROOT = "test/golden/read";
const cases = readdirSync(ROOT).sort();

function issueView(issue: Issue) {
  return {
    code: issue.code,
    severity: issue.severity,
    line: issue.line,
    column: issue.column,
    field: issue.field,
    message: issue.message,
  };
}

function rowView(row: RawRow) {
  const base = { line: row.at.line, endLine: row.endLine, record: row.at.record, kind: row.kind };
  const problems = row.problems.map(issueView);
  if (row.format === "csv") return { ...base, values: row.values, problems };
  const node = row.node;
  return {
    ...base,
    column: node?.column,
    keys: node?.type === "object" ? node.entries.map((e) => e.key) : undefined,
    text: node === undefined ? row.source : row.source.slice(node.start, node.end),
    problems,
  };
}

/** Everything the readers hand on for one input file, parts in the order validation reads them. */
async function readCase(dir: string) {
  const input = readdirSync(dir).find((f) => f.startsWith("input."))!;
  const options: OpenOptions = existsSync(join(dir, "options.json"))
    ? JSON.parse(readFileSync(join(dir, "options.json"), "utf8"))
    : {};
  const file = join(dir, input);
  const source = await openInput(file, options);
  const parts =
    source.kind === "mixed"
      ? (["definitions", "assignments"] as const)
      : ([source.kind === "definitions" ? "definitions" : "assignments"] as const);
  const out = [];
  for (const part of parts) {
    const rows = [];
    const issues = [];
    for await (const batch of source.rows(part)) {
      rows.push(...batch.rows.map(rowView));
      issues.push(...batch.issues.map(issueView));
    }
    out.push({ part, issues, rows });
  }
  return {
    file,
    format: source.format,
    kind: source.kind ?? null,
    records: source.stats.records,
    sha256: source.stats.sha256,
    parts: out,
  };
}

describe("readers, golden cases", () => {
  it.each(cases)("%s", async (name) => {
    const dir = join(ROOT, name);
    const got = await readCase(dir);
    await expect(`${JSON.stringify(got, null, 2)}\n`).toMatchFileSnapshot(
      join("..", "golden", "read", name, "output.json"),
    );
  });
});
