import type { Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import type { IssueCode } from "../core/issue-codes.js";
import type { RecordKind } from "./field-names.js";
import type { JsonNode } from "./json-parser.js";

export type InputFormat = "csv" | "json" | "ndjson";

/** How a CSV file's header maps its columns to our fields. */
export interface CsvTable {
  file: string;
  delimiter: ";" | ",";
  /** The header names as written. */
  header: string[];
  /** Our field for each column, undefined for a column the tool ignores. */
  fields: (string | undefined)[];
  /** The column (0-based) of each of our fields present. */
  columnOf: ReadonlyMap<string, number>;
  kind: RecordKind | "unknown";
  /** Set when no row of the file can be read safely (kind unknown, a column twice): each is rejected with it. */
  fileProblem?: IssueCode;
}

/** One CSV record with where it came from and the read problems it has. */
export interface CsvRow {
  format: "csv";
  kind: RecordKind | "unknown";
  /** file, first physical line, record number (1-based, the header not counted). */
  at: Location;
  endLine: number;
  values: string[];
  table: CsvTable;
  /** Read problems (malformed CSV, bad bytes): the row is rejected with them. */
  problems: readonly Issue[];
}

/** One JSON or NDJSON record (an object, or whatever stood in its place). */
export interface JsonRow {
  format: "json";
  kind: RecordKind | "unknown";
  at: Location;
  endLine: number;
  /** Absent when the record could not be parsed (an NDJSON line with a syntax error). */
  node?: JsonNode;
  /** The text the node was parsed from, for the raw values of a rejected record. */
  source: string;
  problems: readonly Issue[];
}

export type RawRow = CsvRow | JsonRow;

/** The problems of a row that has none: shared, as most rows have none. */
export const NO_PROBLEMS: readonly Issue[] = Object.freeze([]);

/** What a reader hands on at a time: rows, and issues about the file itself. */
export interface ReadBatch {
  rows: RawRow[];
  issues: Issue[];
}

/** Filled in by a reader as it goes: valid once it has read the whole file. */
export interface ReadStats {
  /** sha256 of the file's bytes, lower-case hex. */
  sha256: string;
  /** Records read (rows handed on), the CSV header not counted. */
  records: number;
  /** Bytes of the file read so far (a JSON document that is not an array is read whole at once). */
  bytesRead?: number;
  /** All the records the file holds, when known before they are handed on (JSON, from its check). */
  recordsExpected?: number;
}
