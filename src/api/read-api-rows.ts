import { readFile } from "node:fs/promises";
import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import { CsvScanner, detectDelimiter } from "../read/csv-scanner.js";
import { createNameResolver } from "../read/field-names.js";
import { formatOf } from "../read/input-format.js";
import { unreadable } from "../read/input-errors.js";
import { parseJson, type JsonNode } from "../read/json-parser.js";

/** One record of an api input: its text values by our field name, and where it stands. */
export interface ApiRow {
  at: Location;
  values: Record<string, string>;
}

/** What reading an api input gives: its rows in file order and the problems of the file or rows. */
export interface ApiRows {
  rows: ApiRow[];
  issues: Issue[];
}

function scalarText(node: JsonNode): string | undefined {
  if (node.type === "string") return node.value;
  if (node.type === "number") return node.raw;
  if (node.type === "boolean") return String(node.value);
  return undefined;
}

/**
 * Reads a CSV (`;` or `,`), JSON array or NDJSON file of records whose fields are `known`
 * (header names and keys matched loosely, as for the other inputs). Api batches are small next
 * to file imports (thousands of rows, not millions), so the file is read whole; identifiers stay
 * text, and empty values count as absent.
 */
export async function readApiRows(file: string, known: readonly string[]): Promise<ApiRows> {
  let text: string;
  try {
    text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  } catch (error) {
    throw unreadable(file, error);
  }
  const resolve = createNameResolver(known);
  const issues: Issue[] = [];
  const rows: ApiRow[] = [];
  if (text.trim() === "") {
    issues.push(
      makeIssue("read.file_empty", "file: expected a header or records, got an empty file", { file }),
    );
    return { rows, issues };
  }
  const format = formatOf(file, text.slice(0, 1 << 16));
  const fromNode = (node: JsonNode, record: number) => {
    const at: Location = { file, line: node.line, record };
    if (node.type !== "object") {
      issues.push(makeIssue("read.json_not_object", "record: expected an object", at));
      return;
    }
    const values: Record<string, string> = {};
    for (const entry of node.entries) {
      const field = resolve(entry.key);
      const value = scalarText(entry.value);
      if (field !== undefined && value !== undefined && value !== "") values[field] = value;
    }
    rows.push({ at, values });
  };
  if (format === "csv") {
    const firstLine = text.slice(0, text.indexOf("\n") < 0 ? undefined : text.indexOf("\n"));
    const scanner = new CsvScanner({ delimiter: detectDelimiter(firstLine) });
    const records = [...scanner.push(text), ...scanner.end()];
    const header = records.shift();
    if (header === undefined) return { rows, issues };
    const fields = header.fields.map((name) => resolve(name.trim()));
    records.forEach((r, i) => {
      const at: Location = { file, line: r.line, record: i + 1 };
      if (r.problem !== undefined) {
        issues.push(
          makeIssue(r.problem.code, r.problem.message, {
            ...at,
            line: r.problem.line,
            column: r.problem.column,
          }),
        );
        return;
      }
      if (r.fields.length !== fields.length) {
        issues.push(
          makeIssue(
            "read.csv_column_count",
            `record: expected ${fields.length} fields as in the header, got ${r.fields.length}`,
            at,
          ),
        );
        return;
      }
      const values: Record<string, string> = {};
      r.fields.forEach((value, c) => {
        const field = fields[c];
        if (field !== undefined && value !== "") values[field] = value;
      });
      rows.push({ at, values });
    });
  } else if (format === "ndjson") {
    let record = 0;
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      record += 1;
      const parsed = parseJson(line, i + 1);
      if (!parsed.ok) {
        issues.push(
          makeIssue("read.json_syntax", parsed.problem.message, {
            file,
            line: parsed.problem.line,
            column: parsed.problem.column,
            record,
          }),
        );
        return;
      }
      fromNode(parsed.node, record);
    });
  } else {
    const parsed = parseJson(text);
    if (!parsed.ok) {
      issues.push(
        makeIssue("read.json_syntax", parsed.problem.message, {
          file,
          line: parsed.problem.line,
          column: parsed.problem.column,
        }),
      );
    } else if (parsed.node.type !== "array") {
      issues.push(
        makeIssue(
          "read.json_not_object",
          `file: expected an array of records, got ${quote(parsed.node.type)}`,
          {
            file,
            line: parsed.node.line,
          },
        ),
      );
    } else parsed.node.items.forEach((node, i) => fromNode(node, i + 1));
  }
  return { rows, issues };
}
