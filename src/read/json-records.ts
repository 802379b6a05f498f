import { makeIssue, quote, type Issue } from "../core/issue.js";
import {
  ASSIGNMENT_KEYS,
  createNameResolver,
  DEFINITION_KEYS,
  detectKind,
  normalizeName,
  type RecordKind,
} from "./field-names.js";
import type { JsonArrayNode, JsonNode } from "./json-parser.js";
import { NO_PROBLEMS, type JsonRow } from "./raw-row.js";

const ALL_KEYS = [...new Set([...DEFINITION_KEYS, ...ASSIGNMENT_KEYS])];

/** Tells the kind of a JSON record from its keys: undefined when they do not tell (or it is no object). */
export function createKindDetector(
  columns?: Readonly<Record<string, string>>,
): (node: JsonNode) => RecordKind | undefined {
  const resolve = createNameResolver(ALL_KEYS, columns);
  return (node) => {
    if (node.type !== "object") return undefined;
    const kind = detectKind(node.entries.map((e) => resolve(e.key)));
    return kind === "definitions" || kind === "assignments" ? kind : undefined;
  };
}

/** Tells the kind of JSON records from the keys of the first record whose keys decide it. */
export function jsonKindOf(
  records: Iterable<JsonNode>,
  columns?: Readonly<Record<string, string>>,
): RecordKind | undefined {
  const detect = createKindDetector(columns);
  for (const node of records) {
    const kind = detect(node);
    if (kind !== undefined) return kind;
  }
  return undefined;
}

/** Describes a JSON value's type for messages: "a string", "an array"… */
export function describeJson(node: JsonNode): string {
  switch (node.type) {
    case "object":
      return "an object";
    case "array":
      return "an array";
    case "string":
      return `the string ${quote(node.value)}`;
    case "number":
      return `the number ${node.raw}`;
    case "boolean":
      return String(node.value);
    case "null":
      return "null";
  }
}

/** The two parts of a `{"promotions": [...], "assignments": [...]}` document. */
export interface MixedParts {
  promotions?: JsonArrayNode;
  assignments?: JsonArrayNode;
  issues: Issue[];
}

/** Splits a mixed document into its parts, reporting parts that are not arrays and unknown keys. */
export function splitMixed(file: string, root: JsonNode & { type: "object" }): MixedParts {
  const parts: MixedParts = { issues: [] };
  for (const entry of root.entries) {
    const name = normalizeName(entry.key);
    const part = name === "promotions" ? "promotions" : name === "assignments" ? "assignments" : undefined;
    const at = { file, line: entry.value.line, column: entry.value.column, field: entry.key };
    if (part === undefined) {
      parts.issues.push(
        makeIssue(
          "validate.unknown_field",
          `${entry.key}: expected "promotions" or "assignments", got an unknown key; it is ignored`,
          at,
        ),
      );
    } else if (entry.value.type !== "array") {
      parts.issues.push(
        makeIssue(
          "read.json_shape",
          `${entry.key}: expected an array of records, got ${describeJson(entry.value)}`,
          at,
        ),
      );
    } else {
      parts[part] = entry.value;
    }
  }
  if (
    parts.promotions === undefined &&
    parts.assignments === undefined &&
    parts.issues.every((i) => i.code !== "read.json_shape")
  ) {
    parts.issues.push(
      makeIssue(
        "read.json_shape",
        'file: expected an array of records or {"promotions": [...], "assignments": [...]}, got an object without either',
        {
          file,
          line: root.line,
          column: root.column,
        },
      ),
    );
  }
  return parts;
}

/** The lines of a sorted list within `from`…`to`, found by binary search so each record costs log n. */
export function badLinesWithin(badLines: readonly number[], from: number, to: number): number[] {
  if (badLines.length === 0) return [];
  let lo = 0;
  let hi = badLines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (badLines[mid]! < from) lo = mid + 1;
    else hi = mid;
  }
  const out: number[] = [];
  for (let k = lo; k < badLines.length && badLines[k]! <= to; k++) out.push(badLines[k]!);
  return out;
}

/**
 * Where on each of `lines` the record's first byte that is not UTF-8 sits: the first U+FFFD
 * the decoder put on that line, with the key whose value holds it. Only records on such lines
 * are searched, so a file without bad bytes pays nothing.
 */
function badBytesIn(
  node: JsonNode,
  source: string,
  lines: readonly number[],
): { line: number; column?: number; field?: string }[] {
  const wanted = new Set(lines);
  const out: { line: number; column?: number; field?: string }[] = [];
  let line = node.line;
  let column = node.column;
  for (let i = node.start; i < node.end && wanted.size > 0; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x0a) {
      line += 1;
      column = 1;
      continue;
    }
    if (c === 0xfffd && wanted.delete(line)) {
      const entry =
        node.type === "object" ? node.entries.find((e) => e.value.start <= i && i < e.value.end) : undefined;
      out.push({ line, column, ...(entry !== undefined ? { field: entry.key } : {}) });
    }
    column += 1;
  }
  for (const rest of wanted) out.push({ line: rest });
  return out.sort((a, b) => a.line - b.line);
}

/** Turns one JSON value standing for a record into a row, with the read problems it has. */
export function jsonRowOf(
  file: string,
  node: JsonNode,
  kind: RecordKind | "unknown",
  record: number,
  source: string,
  badLines: readonly number[],
): JsonRow {
  const endLine = node.type === "object" || node.type === "array" ? node.endLine : node.line;
  const problems: Issue[] = [];
  if (node.type !== "object") {
    problems.push(
      makeIssue("read.json_not_object", `record: expected an object, got ${describeJson(node)}`, {
        file,
        line: node.line,
        column: node.column,
      }),
    );
  } else if (node.duplicate !== undefined) {
    const d = node.duplicate;
    problems.push(
      makeIssue("read.json_key_duplicate", `${d.key}: expected each key once in a record, got it twice`, {
        file,
        line: d.line,
        column: d.column,
        field: d.key,
      }),
    );
  }
  const bad = badLinesWithin(badLines, node.line, endLine);
  if (bad.length > 0)
    for (const at of badBytesIn(node, source, bad)) {
      problems.push(
        makeIssue(
          "read.encoding_invalid",
          "expected UTF-8 text, got bytes that are not UTF-8 (read as U+FFFD)",
          { file, ...at },
        ),
      );
    }
  return {
    format: "json",
    kind,
    at: { file, line: node.line, record },
    endLine,
    node,
    source,
    problems: problems.length === 0 ? NO_PROBLEMS : problems,
  };
}
