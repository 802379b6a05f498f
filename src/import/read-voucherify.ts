import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { makeIssue, type Issue } from "../core/issue.js";
import {
  columnCountIssue,
  invalidByteIssues,
  scanCsvFile,
  utf16Issue,
  type CsvDecodeOptions,
  type InvalidBytesContext,
} from "../read/csv-records.js";
import type { CsvRecord } from "../read/csv-scanner.js";
import type { ChunkDecoder } from "../read/input-encoding.js";
import { unreadable } from "../read/input-errors.js";
import { parseJson, type JsonNode } from "../read/json-parser.js";
import { describeJson, jsonRowOf } from "../read/json-records.js";
import type { InputFormat, ReadBatch, ReadStats } from "../read/raw-row.js";
import { checkJsonArray, readJsonArray } from "../read/read-json-array.js";
import { readNdjson } from "../read/read-ndjson.js";
import { Utf8Text } from "../read/utf8-text.js";
import {
  fieldsOfJson,
  VOUCHERIFY_FIELDS,
  type FieldValue,
  type VoucherifyFields,
} from "./voucherify-record.js";

/** What the reader hands on at a time: records, and issues about the file itself. */
export interface VoucherifyBatch {
  records: VoucherifyFields[];
  issues: Issue[];
}

const BATCH = 1000;

/** Columns a CSV export must have: without them no record can be read. */
const REQUIRED_GROUPS: readonly (readonly string[])[] = [["id"], ["result", "status"]];

function recordOf(
  file: string,
  node: JsonNode,
  record: number,
  source: string,
  badLines: readonly number[],
): VoucherifyFields {
  const row = jsonRowOf(file, node, "unknown", record, source, badLines);
  return {
    at: row.at,
    fields: node.type === "object" ? fieldsOfJson(node) : new Map(),
    problems: row.problems,
  };
}

/**
 * Reads Voucherify redemption and rollback objects from a JSON array, a list response
 * (`{"object": "list", "data_ref": "redemptions", "redemptions": [...]}`), NDJSON or a CSV
 * export with dotted column names; every record carries its file and line.
 */
export async function* readVoucherify(
  file: string,
  format: InputFormat,
  stats: ReadStats,
  options: CsvDecodeOptions = {},
): AsyncGenerator<VoucherifyBatch> {
  if (format === "csv") yield* readCsvExport(file, options, stats);
  else if (format === "ndjson") yield* readNdjsonRecords(file, stats);
  else yield* readJsonDocument(file, stats);
}

/** A JSON or NDJSON record as the Voucherify reader hands it on. */
function voucherifyBatchOf(batch: ReadBatch): VoucherifyBatch {
  return {
    issues: batch.issues,
    records: batch.rows.map((row) =>
      row.format === "json" && row.node !== undefined
        ? {
            at: row.at,
            fields: row.node.type === "object" ? fieldsOfJson(row.node) : new Map(),
            problems: row.problems,
          }
        : { at: row.at, fields: new Map(), problems: row.problems },
    ),
  };
}

async function* readNdjsonRecords(file: string, stats: ReadStats): AsyncGenerator<VoucherifyBatch> {
  for await (const batch of readNdjson(file, "unknown", stats, { kindRequired: false }))
    yield voucherifyBatchOf(batch);
}

/** The records of a JSON document: an array, a list response, or one object standing alone. */
function recordsOf(file: string, root: JsonNode): { items: JsonNode[]; issues: Issue[] } {
  if (root.type === "array") return { items: root.items, issues: [] };
  if (root.type === "object") {
    const ref = root.entries.find((e) => e.key === "data_ref")?.value;
    const key = ref?.type === "string" ? ref.value : "redemptions";
    const list = root.entries.find((e) => e.key === key)?.value;
    if (list?.type === "array") return { items: list.items, issues: [] };
    // a wrapped list (`{"redemptions": {"data": [...]}}`) as some list calls return it
    if (list?.type === "object") {
      const data = list.entries.find((e) => e.key === "data")?.value;
      if (data?.type === "array") return { items: data.items, issues: [] };
    }
    if (root.entries.some((e) => e.key === "object")) return { items: [root], issues: [] };
  }
  return {
    items: [],
    issues: [
      makeIssue(
        "read.json_shape",
        `file: expected an array of redemptions or a list response {"object": "list", "redemptions": [...]}, got ${describeJson(root)}`,
        { file, line: root.line, column: root.column },
      ),
    ],
  };
}

async function* readJsonDocument(file: string, stats: ReadStats): AsyncGenerator<VoucherifyBatch> {
  // A top-level array streams in bounded memory, checked whole first as the inputs are; a list
  // response (an object around the array) is read whole.
  const check = await checkJsonArray(file, {});
  if (check !== undefined) {
    for await (const batch of readJsonArray(file, { kindRequired: false }, stats, check))
      yield voucherifyBatchOf(batch);
    return;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw unreadable(file, error);
  }
  stats.sha256 = createHash("sha256").update(bytes).digest("hex");
  stats.bytesRead = bytes.length;
  const decoder = new Utf8Text();
  const a = decoder.decode(bytes);
  const b = decoder.end();
  if (decoder.utf16) {
    yield { records: [], issues: [jsonUtf16Issue(file)] };
    return;
  }
  const text = a.text + b.text;
  const badLines = [...a.badLines, ...b.badLines];
  if (text.trim() === "") {
    yield {
      records: [],
      issues: [
        makeIssue("read.file_empty", "file: expected a JSON array of redemptions, got an empty file", {
          file,
        }),
      ],
    };
    return;
  }
  const parsed = parseJson(text);
  if (!parsed.ok) {
    const p = parsed.problem;
    yield {
      records: [],
      issues: [makeIssue("read.json_syntax", p.message, { file, line: p.line, column: p.column })],
    };
    return;
  }
  const { items, issues } = recordsOf(file, parsed.node);
  stats.recordsExpected = items.length;
  let records: VoucherifyFields[] = [];
  for (let i = 0; i < items.length; i++) {
    records.push(recordOf(file, items[i]!, i + 1, text, badLines));
    stats.records += 1;
    if (records.length >= BATCH) {
      yield { records, issues: issues.splice(0) };
      records = [];
    }
  }
  yield { records, issues: issues.splice(0) };
}

function jsonUtf16Issue(file: string): Issue {
  return makeIssue(
    "read.encoding_invalid",
    "file: expected UTF-8 text, got UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8",
    { file, line: 1 },
  );
}

interface CsvState {
  file: string;
  header: string[] | undefined;
  /** The header's columns by name, once known; undefined while no record can be read. */
  columns: Map<string, number> | undefined;
  record: number;
  decoder: ChunkDecoder;
  bytes: InvalidBytesContext;
}

async function* readCsvExport(
  file: string,
  options: CsvDecodeOptions,
  stats: ReadStats,
): AsyncGenerator<VoucherifyBatch> {
  const scan = scanCsvFile(file, options, stats);
  const encoding = options.encoding ?? "utf-8";
  const state: CsvState = {
    file,
    header: undefined,
    columns: undefined,
    record: 0,
    decoder: scan.decoder,
    bytes: { file, encoding, hint: encoding === "utf-8" },
  };
  for await (const records of scan.records()) {
    const batch = csvRecords(state, records);
    stats.records += batch.records.length;
    if (batch.records.length > 0 || batch.issues.length > 0) yield batch;
  }
  if (scan.decoder.utf16) yield { records: [], issues: [utf16Issue(file)] };
  else if (state.header === undefined) {
    const empty = "file: expected a header line and records, got an empty file";
    yield { records: [], issues: [makeIssue("read.file_empty", empty, { file })] };
  }
}

function csvRecords(state: CsvState, records: CsvRecord[]): VoucherifyBatch {
  const out: VoucherifyFields[] = [];
  const issues: Issue[] = [];
  const { file } = state;
  for (const rec of records) {
    if (state.header === undefined) {
      state.header = rec.fields.map((f) => f.trim());
      for (const issue of headerIssues(state, rec)) issues.push(issue);
      for (const issue of invalidBytes(state, rec, "header: ")) issues.push(issue);
      continue;
    }
    state.record += 1;
    // with the header unusable every record is still counted, but none is read
    if (state.columns === undefined) continue;
    const problems: Issue[] = [];
    if (rec.problem !== undefined) {
      const p = rec.problem;
      problems.push(makeIssue(p.code, p.message, { file, line: p.line, column: p.column }));
    } else {
      const count = columnCountIssue(file, rec, state.header.length);
      if (count !== undefined) problems.push(count);
    }
    for (const issue of invalidBytes(state, rec, "")) problems.push(issue);
    const fields = new Map<string, FieldValue>();
    for (const [name, index] of state.columns) {
      const value = rec.fields[index];
      if (value !== undefined) fields.set(name, { value, line: rec.line, column: index + 1 });
    }
    out.push({ at: { file, line: rec.line, record: state.record }, fields, problems });
  }
  return { records: out, issues };
}

function invalidBytes(state: CsvState, rec: CsvRecord, prefix: string): Issue[] {
  if (!state.decoder.invalid) return [];
  return invalidByteIssues(state.bytes, rec, prefix, prefix === "" ? (i) => state.header?.[i] : undefined);
}

/** Reads the header: known columns by name; a column twice, or one every record needs missing, stops the file. */
function headerIssues(state: CsvState, rec: CsvRecord): Issue[] {
  const { file } = state;
  const header = state.header!;
  const issues: Issue[] = [];
  const known = new Set<string>(VOUCHERIFY_FIELDS);
  const columns = new Map<string, number>();
  let usable = rec.problem === undefined;
  if (rec.problem !== undefined)
    issues.push(
      makeIssue(rec.problem.code, `header: ${rec.problem.message}`, { file, line: rec.problem.line }),
    );
  header.forEach((name, index) => {
    // other columns of an export (metadata, order amounts…) are not needed and pass unseen
    if (!known.has(name)) return;
    const first = columns.get(name);
    if (first !== undefined) {
      usable = false;
      issues.push(
        makeIssue(
          "read.csv_header_duplicate",
          `header: expected each column once, got ${name} in columns ${first + 1} and ${index + 1}; no row of this file is read`,
          { file, line: rec.line, column: index + 1, field: name },
          { related: [{ file, line: rec.line, column: first + 1, field: name }] },
        ),
      );
      return;
    }
    columns.set(name, index);
  });
  for (const group of REQUIRED_GROUPS) {
    if (group.some((name) => columns.has(name))) continue;
    usable = false;
    issues.push(
      makeIssue(
        "import.csv_column_missing",
        `header: expected a column ${group.join(" or ")}, got ${JSON.stringify(header.join(";")).slice(0, 200)}; no row of this file is read`,
        { file, line: rec.line },
      ),
    );
  }
  if (usable) state.columns = columns;
  return issues;
}
