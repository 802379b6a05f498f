import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { makeIssue, type Issue } from "../core/issue.js";
import type { RecordKind } from "./field-names.js";
import { unreadable } from "./input-errors.js";
import { parseJson, type JsonNode } from "./json-parser.js";
import { jsonKindOf, jsonRowOf, splitMixed } from "./json-records.js";
import type { RawRow, ReadBatch, ReadStats } from "./raw-row.js";
import { Utf8Text } from "./utf8-text.js";

export interface JsonReadOptions {
  kind?: RecordKind | undefined;
  columns?: Readonly<Record<string, string>> | undefined;
}

const BATCH = 1000;

interface LoadedJson {
  text: string;
  sha256: string;
  badLines: number[];
  utf16: boolean;
  bytes: number;
}

async function loadJson(file: string): Promise<LoadedJson> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw unreadable(file, error);
  }
  const decoder = new Utf8Text();
  const head = decoder.decode(bytes);
  const tail = decoder.end();
  return {
    text: head.text + tail.text,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    badLines: [...head.badLines, ...tail.badLines],
    utf16: decoder.utf16,
    bytes: bytes.length,
  };
}

/**
 * Tells the kind of a JSON file read whole: `mixed` for `{"promotions", "assignments"}`; for an array, the
 * forced kind or that of its first record whose keys decide it; undefined when nothing tells.
 */
export async function probeJsonKind(
  file: string,
  options: JsonReadOptions,
): Promise<RecordKind | "mixed" | undefined> {
  const loaded = await loadJson(file);
  if (loaded.utf16) return undefined;
  const parsed = parseJson(loaded.text);
  if (!parsed.ok) return options.kind;
  if (parsed.node.type === "object") return "mixed";
  if (parsed.node.type !== "array") return options.kind;
  return options.kind ?? jsonKindOf(parsed.node.items, options.columns);
}

/**
 * Reads a JSON file whole (a mixed document, of which `part` picks one, or anything else that
 * is not an array; arrays are streamed by `readJsonArray`) and hands its records on in batches. Problems with the file itself come only with
 * `fileIssues`, so a mixed file read in two parts reports them once.
 */
export async function* readJson(
  file: string,
  options: JsonReadOptions & { part?: RecordKind; fileIssues?: boolean },
  stats: ReadStats,
): AsyncGenerator<ReadBatch> {
  const loaded = await loadJson(file);
  stats.sha256 = loaded.sha256;
  stats.bytesRead = loaded.bytes;
  const fileIssues = options.fileIssues ?? true;
  const issues: Issue[] = [];
  const report = (issue: Issue) => {
    if (fileIssues) issues.push(issue);
  };
  if (loaded.utf16) {
    report(
      makeIssue(
        "read.encoding_invalid",
        "file: expected UTF-8 text, got UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8",
        { file, line: 1 },
      ),
    );
    yield { rows: [], issues };
    return;
  }
  if (loaded.text.trim() === "") {
    report(
      makeIssue("read.file_empty", "file: expected a JSON array of records, got an empty file", { file }),
    );
    yield { rows: [], issues };
    return;
  }
  const parsed = parseJson(loaded.text);
  if (!parsed.ok) {
    const p = parsed.problem;
    report(makeIssue(p.code, p.message, { file, line: p.line, column: p.column }));
    yield { rows: [], issues };
    return;
  }
  const root = parsed.node;
  let records: JsonNode[] = [];
  let kind: RecordKind | "unknown" = "unknown";
  let first = 1;
  if (root.type === "array") {
    records = root.items;
    kind = options.kind ?? jsonKindOf(records, options.columns) ?? "unknown";
    if (kind === "unknown" && records.length > 0) {
      report(
        makeIssue(
          "read.kind_unknown",
          "records: expected the keys of definitions (promotionName, redemptionChannels…) or of assignments (contactId, promotionCodeId…), got neither; name the kind with --kind",
          {
            file,
            line: root.line,
            column: root.column,
          },
        ),
      );
    }
  } else if (root.type === "object") {
    const parts = splitMixed(file, root);
    for (const issue of parts.issues) report(issue);
    const part = options.part ?? "definitions";
    const array = part === "definitions" ? parts.promotions : parts.assignments;
    const other = part === "definitions" ? parts.assignments : parts.promotions;
    records = array?.items ?? [];
    kind = part;
    // records are numbered in document order across both parts
    if (array !== undefined && other !== undefined && other.start < array.start) first += other.items.length;
  } else {
    report(
      makeIssue(
        "read.json_shape",
        `file: expected an array of records or {"promotions": [...], "assignments": [...]}, got ${root.type === "string" ? "a string" : root.type}`,
        { file, line: root.line, column: root.column },
      ),
    );
  }
  stats.recordsExpected = records.length;
  let rows: RawRow[] = [];
  for (let i = 0; i < records.length; i++) {
    rows.push(jsonRowOf(file, records[i]!, kind, first + i, loaded.text, loaded.badLines));
    stats.records += 1;
    if (rows.length >= BATCH) {
      yield { rows, issues: issues.splice(0) };
      rows = [];
    }
  }
  yield { rows, issues: issues.splice(0) };
}
