import { readFile } from "node:fs/promises";
import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import {
  columnCountIssue,
  invalidByteIssues,
  scanCsvFile,
  utf16Issue,
  type CsvDecodeOptions,
  type InvalidBytesContext,
} from "../read/csv-records.js";
import { createNameResolver } from "../read/field-names.js";
import { unreadable } from "../read/input-errors.js";
import { parseJson, type JsonNode } from "../read/json-parser.js";
import { formatOfFile } from "../read/open-input.js";
import type { ReadBatch, ReadStats } from "../read/raw-row.js";
import { checkJsonArray, readJsonArray } from "../read/read-json-array.js";
import { readNdjson } from "../read/read-ndjson.js";

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

/** The issue of an api input with nothing in it, CSV or JSON. */
function emptyFile(file: string): Issue {
  return makeIssue("read.file_empty", "file: expected a header or records, got an empty file", { file });
}

/** Where the rows and issues of one api input gather. */
interface Gathered {
  file: string;
  resolve: (name: string) => string | undefined;
  rows: ApiRow[];
  issues: Issue[];
}

function fromNode(g: Gathered, node: JsonNode, at: Location): void {
  if (node.type !== "object") {
    g.issues.push(makeIssue("read.json_not_object", "record: expected an object", at));
    return;
  }
  const values: Record<string, string> = {};
  for (const entry of node.entries) {
    const field = g.resolve(entry.key);
    const value = scalarText(entry.value);
    if (field !== undefined && value !== undefined && value !== "") values[field] = value;
  }
  g.rows.push({ at, values });
}

/** Takes a batch of the shared JSON readers: a row with read problems is reported, not kept. */
function takeJson(g: Gathered, batch: ReadBatch): void {
  for (const issue of batch.issues) g.issues.push(issue);
  for (const row of batch.rows) {
    if (row.problems.length > 0) for (const issue of row.problems) g.issues.push(issue);
    else if (row.format === "json" && row.node !== undefined)
      fromNode(g, row.node, { file: g.file, line: row.node.line, record: row.at.record ?? 0 });
  }
}

async function readCsvRows(g: Gathered, options: CsvDecodeOptions, stats: ReadStats): Promise<void> {
  const { file } = g;
  const scan = scanCsvFile(file, options, stats);
  const encoding = options.encoding ?? "utf-8";
  const bytes: InvalidBytesContext = { file, encoding, hint: encoding === "utf-8" };
  let header: string[] | undefined;
  let fields: (string | undefined)[] | undefined;
  let record = 0;
  const columnName = (index: number) => header?.[index];
  for await (const records of scan.records()) {
    for (const r of records) {
      const bad = !scan.decoder.invalid
        ? []
        : fields === undefined
          ? invalidByteIssues(bytes, r, "header: ")
          : invalidByteIssues(bytes, r, "", columnName);
      if (fields === undefined) {
        header = r.fields.map((name) => name.trim());
        fields = header.map((name) => g.resolve(name));
        if (r.problem !== undefined)
          g.issues.push(
            makeIssue(r.problem.code, `header: ${r.problem.message}`, { file, line: r.problem.line }),
          );
        for (const issue of bad) g.issues.push(issue);
        continue;
      }
      record += 1;
      const at: Location = { file, line: r.line, record };
      const count = r.problem === undefined ? columnCountIssue(file, r, fields.length) : undefined;
      if (r.problem !== undefined)
        g.issues.push(
          makeIssue(r.problem.code, r.problem.message, {
            ...at,
            line: r.problem.line,
            column: r.problem.column,
          }),
        );
      else if (count !== undefined) g.issues.push({ ...count, record });
      for (const issue of bad) g.issues.push({ ...issue, record });
      if (r.problem !== undefined || count !== undefined || bad.length > 0) continue;
      const values: Record<string, string> = {};
      r.fields.forEach((value, c) => {
        const field = fields![c];
        if (field !== undefined && value !== "") values[field] = value;
      });
      g.rows.push({ at, values });
    }
  }
  if (scan.decoder.utf16) g.issues.push(utf16Issue(file));
  else if (fields === undefined) g.issues.push(emptyFile(file));
}

/** A JSON document that holds no array: an empty file, or another value, refused. */
async function readJsonDocument(g: Gathered): Promise<void> {
  const { file } = g;
  let text: string;
  try {
    text = (await readFile(file, "utf8")).replace(/^\uFEFF/, "");
  } catch (error) {
    throw unreadable(file, error);
  }
  if (text.trim() === "") {
    g.issues.push(emptyFile(file));
    return;
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const p = parsed.problem;
    g.issues.push(makeIssue(p.code, p.message, { file, line: p.line, column: p.column }));
    return;
  }
  g.issues.push(
    makeIssue("read.json_not_object", `file: expected an array of records, got ${quote(parsed.node.type)}`, {
      file,
      line: parsed.node.line,
    }),
  );
}

/**
 * Reads a CSV (`;` or `,`), JSON array or NDJSON file of records whose fields are `known`
 * (header names and keys matched loosely, as for the other inputs), through the same readers
 * as the file inputs: the same decoding (`--encoding` for CSV), invalid bytes at their column,
 * syntax errors at their line, and a JSON array checked whole before any row is kept.
 * Identifiers stay text, and empty values count as absent.
 */
export async function readApiRows(
  file: string,
  known: readonly string[],
  options: CsvDecodeOptions = {},
): Promise<ApiRows> {
  const g: Gathered = { file, resolve: createNameResolver(known), rows: [], issues: [] };
  const stats: ReadStats = { sha256: "", records: 0 };
  const format = await formatOfFile(file);
  if (format === "csv") await readCsvRows(g, options, stats);
  else if (format === "ndjson")
    for await (const batch of readNdjson(file, "unknown", stats, { kindRequired: false })) takeJson(g, batch);
  else {
    const check = await checkJsonArray(file, {});
    if (check === undefined) await readJsonDocument(g);
    else
      for await (const batch of readJsonArray(file, { kindRequired: false }, stats, check))
        takeJson(g, batch);
  }
  return { rows: g.rows, issues: g.issues };
}
