import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { makeIssue, type Issue } from "../core/issue.js";
import type { RecordKind } from "./field-names.js";
import { unreadable } from "./input-errors.js";
import { JsonArrayScanner, type ArrayElement } from "./json-array-scanner.js";
import type { JsonSyntaxProblem } from "./json-parser.js";
import { createKindDetector, jsonRowOf } from "./json-records.js";
import type { JsonRow, ReadBatch, ReadStats } from "./raw-row.js";
import type { JsonReadOptions } from "./read-json.js";
import { DEFAULT_MAX_LINE_CHARS } from "./read-ndjson.js";
import { Utf8Text } from "./utf8-text.js";

const CHUNK = 1 << 16;

/** The elements that closed in one chunk, and the lines so far that held bytes which are not UTF-8. */
interface ElementChunk {
  elements: ArrayElement[];
  /** Ascending; only lines an element still to come (or of this chunk) may be on. */
  badLines: readonly number[];
}

/**
 * Turns byte chunks of a JSON array into its elements: UTF-8 decoded (BOM dropped, characters
 * split between chunks kept whole), split and parsed by the scanner as each element closes.
 * Pure, so tests feed it chunks cut anywhere.
 */
export class JsonArrayBytes {
  readonly scanner: JsonArrayScanner;
  private readonly decoder = new Utf8Text();
  private badLines: number[] = [];

  constructor(maxElementChars = DEFAULT_MAX_LINE_CHARS) {
    this.scanner = new JsonArrayScanner(maxElementChars);
  }

  /** Reads the next chunk of bytes. */
  push(chunk: Buffer): ElementChunk {
    return this.take(this.decoder.decode(chunk), false);
  }

  /** Ends the input; sets the scanner's `problem` unless the array was closed. */
  end(): ElementChunk {
    return this.take(this.decoder.end(), true);
  }

  /** True when the input starts with a UTF-16 byte order mark (it is then not read as an array). */
  get utf16(): boolean {
    return this.decoder.utf16;
  }

  private take(decoded: { text: string; badLines: number[] }, final: boolean): ElementChunk {
    const scanner = this.scanner;
    // lines before the element still open concern no later record: forget them
    const keepFrom = scanner.openLine;
    if (this.badLines.length > 0 && this.badLines[0]! < keepFrom)
      this.badLines = this.badLines.filter((line) => line >= keepFrom);
    for (const line of decoded.badLines) this.badLines.push(line);
    const elements = scanner.problem === undefined && !scanner.notArray ? scanner.push(decoded.text) : [];
    if (final && scanner.problem === undefined && !scanner.notArray) scanner.end();
    return { elements, badLines: this.badLines };
  }
}

/** What a first reading of a JSON array found: its records, its kind, and whether it is well-formed. */
export interface JsonArrayCheck {
  /** The first syntax error: the file is refused whole. */
  problem?: JsonSyntaxProblem;
  records: number;
  /** The kind of the first record whose keys tell it. */
  kind?: RecordKind;
  root: { line: number; column: number };
  /** sha256 of the bytes checked, lower-case hex, and their count. */
  sha256: string;
  bytes: number;
}

/**
 * Reads a file's byte chunks into `bytes`, handing on what each gave with the bytes themselves
 * (none for the end); stops once the file is found to hold no array.
 */
async function* chunksOf(
  file: string,
  bytes: JsonArrayBytes,
): AsyncGenerator<{ chunk: ElementChunk; raw?: Buffer }> {
  let stream;
  try {
    stream = createReadStream(file, { highWaterMark: CHUNK });
    for await (const raw of stream as AsyncIterable<Buffer>) {
      yield { chunk: bytes.push(raw), raw };
      if (bytes.scanner.notArray) return;
    }
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    stream?.destroy();
  }
  yield { chunk: bytes.end() };
}

/**
 * Reads a JSON file that holds an array through once, streaming, to check that it is
 * well-formed, count its records and tell their kind; undefined when the file holds no array
 * (an object, another value, nothing, UTF-16), which is then read whole.
 */
export async function checkJsonArray(
  file: string,
  options: JsonReadOptions & { maxElementChars?: number | undefined },
): Promise<JsonArrayCheck | undefined> {
  const bytes = new JsonArrayBytes(options.maxElementChars);
  const detect = createKindDetector(options.columns);
  let records = 0;
  let kind: RecordKind | undefined;
  const hash = createHash("sha256");
  let size = 0;
  for await (const { chunk, raw } of chunksOf(file, bytes)) {
    if (raw !== undefined) {
      hash.update(raw);
      size += raw.length;
    }
    records += chunk.elements.length;
    if (kind === undefined)
      for (const element of chunk.elements) {
        if (element.type === "value") kind = detect(element.node);
        if (kind !== undefined) break;
      }
  }
  const { scanner } = bytes;
  if (scanner.notArray || bytes.utf16 || scanner.root === undefined) return undefined;
  return {
    records,
    root: scanner.root,
    sha256: hash.digest("hex"),
    bytes: size,
    ...(kind !== undefined ? { kind } : {}),
    ...(scanner.problem !== undefined ? { problem: scanner.problem } : {}),
  };
}

/** The row of an element too long to be kept. */
function tooLongRow(
  file: string,
  element: Extract<ArrayElement, { type: "too_long" }>,
  kind: RecordKind | "unknown",
  record: number,
  maxElementChars: number,
): JsonRow {
  return {
    format: "json",
    kind,
    at: { file, line: element.line, record },
    endLine: element.endLine,
    source: "",
    problems: [
      makeIssue(
        "read.record_too_long",
        `expected a record of at most ${maxElementChars} characters (16 times --max-field-bytes), got a longer one; it is skipped`,
        { file, line: element.line, column: element.column },
      ),
    ],
  };
}

/**
 * Streams the records of a JSON array that `checkJsonArray` found well-formed, each handed on
 * as soon as its element closes, in batches of one 64 KiB chunk; memory holds one chunk and
 * the element being read. A file with a syntax error hands on no record at all, only the
 * error: a file cut or broken at its end is refused whole, never sent in part.
 */
export async function* readJsonArray(
  file: string,
  options: JsonReadOptions & {
    maxElementChars?: number | undefined;
    /** false for records that are no definitions or assignments (another system's export). */
    kindRequired?: boolean;
  },
  stats: ReadStats,
  check: JsonArrayCheck,
): AsyncGenerator<ReadBatch> {
  const maxElementChars = options.maxElementChars ?? DEFAULT_MAX_LINE_CHARS;
  const hash = createHash("sha256");
  const syntaxIssue = (p: JsonSyntaxProblem) =>
    makeIssue(p.code, p.message, { file, line: p.line, column: p.column });
  const bytes = new JsonArrayBytes(maxElementChars);
  const count = (raw: Buffer | undefined) => {
    if (raw === undefined) return;
    hash.update(raw);
    stats.bytesRead = (stats.bytesRead ?? 0) + raw.length;
  };
  if (check.problem !== undefined) {
    // no record of a broken file is handed on, and it is not read again
    stats.sha256 = check.sha256;
    stats.bytesRead = check.bytes;
    yield { rows: [], issues: [syntaxIssue(check.problem)] };
    return;
  }
  const kind: RecordKind | "unknown" = options.kind ?? check.kind ?? "unknown";
  stats.recordsExpected = check.records;
  let issues: Issue[] = [];
  if (kind === "unknown" && check.records > 0 && options.kindRequired !== false)
    issues.push(
      makeIssue(
        "read.kind_unknown",
        "records: expected the keys of definitions (promotionName, redemptionChannels…) or of assignments (contactId, promotionCodeId…), got neither; name the kind with --kind",
        { file, line: check.root.line, column: check.root.column },
      ),
    );
  let record = 0;
  for await (const { chunk, raw } of chunksOf(file, bytes)) {
    count(raw);
    const rows: JsonRow[] = [];
    for (const element of chunk.elements) {
      record += 1;
      rows.push(
        element.type === "too_long"
          ? tooLongRow(file, element, kind, record, maxElementChars)
          : jsonRowOf(file, element.node, kind, record, element.source, chunk.badLines),
      );
    }
    stats.records += rows.length;
    if (rows.length > 0 || issues.length > 0) {
      yield { rows, issues };
      issues = [];
    }
  }
  stats.sha256 = hash.digest("hex");
  const problem = bytes.scanner.problem;
  // The file changed since it was checked: what was handed on cannot be taken back, but the
  // error sits on no record, so nothing of the batch is written.
  if (problem !== undefined) issues.push(syntaxIssue(problem));
  else if (bytes.scanner.notArray)
    issues.push(
      syntaxIssue({
        code: "read.json_syntax",
        line: 1,
        column: 1,
        message: "expected a JSON array, got another value (the file changed while it was read)",
      }),
    );
  if (issues.length > 0) yield { rows: [], issues };
}
