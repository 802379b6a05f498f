import { open } from "node:fs/promises";
import { makeIssue, type Issue } from "../core/issue.js";
import { CsvScanner, type CsvRecord } from "./csv-scanner.js";
import { interpretCsvHeader, type HeaderOptions } from "./csv-header.js";
import { unreadable } from "./input-errors.js";
import { NO_PROBLEMS, type CsvRow, type CsvTable, type ReadBatch, type ReadStats } from "./raw-row.js";
import {
  columnCountIssue,
  invalidByteIssues,
  scanCsvFile,
  utf16Issue,
  type CsvDecodeOptions,
  type InvalidBytesContext,
} from "./csv-records.js";
import { createChunkDecoder, type ChunkDecoder } from "./input-encoding.js";

/** How to read a CSV file: its header mapping, its encoding and the longest field kept. */
export interface CsvReadOptions extends HeaderOptions, CsvDecodeOptions {}

const CHUNK = 1 << 16;
/** The header must fit in this much text; a probe reads no further. */
const PROBE_LIMIT = 1 << 20;

/** The header of a CSV file (its first record), or undefined when the file has none. */
export async function probeCsvHeader(
  file: string,
  options: CsvReadOptions = {},
): Promise<{ header: string[]; line: number; delimiter: ";" | "," } | undefined> {
  let handle;
  try {
    handle = await open(file, "r");
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    const decoder = createChunkDecoder(options.encoding);
    const scanner = new CsvScanner({ maxFieldChars: PROBE_LIMIT, maxRecordChars: PROBE_LIMIT });
    const buffer = Buffer.alloc(CHUNK);
    let total = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      const records =
        bytesRead === 0
          ? [...scanner.push(decoder.end()), ...scanner.end()]
          : scanner.push(decoder.decode(Buffer.from(buffer.subarray(0, bytesRead))));
      if (decoder.utf16) return undefined;
      const first = records[0];
      if (first?.problem?.code === "read.record_too_long") return undefined;
      if (first !== undefined)
        return { header: first.fields, line: first.line, delimiter: scanner.separator ?? ";" };
      total += bytesRead;
      if (bytesRead === 0 || total > PROBE_LIMIT) return undefined;
    }
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    await handle.close();
  }
}

/**
 * Streams the rows of a CSV file (semicolon or comma, UTF-8 with or without BOM, CRLF or LF,
 * RFC 4180 quoting) in batches of about one 64 KiB chunk each. Malformed records come out
 * as rows carrying their problems, so the caller counts and reports every one.
 */
export async function* readCsv(
  file: string,
  options: CsvReadOptions,
  stats: ReadStats,
): AsyncGenerator<ReadBatch> {
  const scan = scanCsvFile(file, options, stats);
  const state: CsvState = {
    file,
    options,
    table: undefined,
    record: 0,
    decoder: scan.decoder,
    bytes: { file, encoding: options.encoding ?? "utf-8", hint: (options.encoding ?? "utf-8") === "utf-8" },
    headerSeen: false,
  };
  for await (const records of scan.records()) {
    const batch = toRows(state, records, scan.delimiter);
    stats.records += batch.rows.length;
    if (batch.rows.length > 0 || batch.issues.length > 0) yield batch;
  }
  if (scan.decoder.utf16) yield { rows: [], issues: [utf16Issue(file)] };
  else if (!state.headerSeen) {
    const empty = "file: expected a header line and records, got an empty file";
    yield { rows: [], issues: [makeIssue("read.file_empty", empty, { file })] };
  }
}

interface CsvState {
  file: string;
  options: CsvReadOptions;
  table: CsvTable | undefined;
  record: number;
  /** Once it saw bytes not valid in the encoding, each record's fields are searched for U+FFFD. */
  decoder: ChunkDecoder;
  bytes: InvalidBytesContext;
  headerSeen: boolean;
}

function toRows(state: CsvState, records: CsvRecord[], delimiter: ";" | ","): ReadBatch {
  const rows: CsvRow[] = [];
  const issues: Issue[] = [];
  const { file } = state;
  for (const record of records) {
    if (state.table === undefined) {
      state.headerSeen = true;
      const { table, issues: headerIssues } = interpretCsvHeader(
        file,
        record.fields,
        record.line,
        delimiter,
        state.options,
      );
      state.table = table;
      // a loop, not a spread: a header of 130,000 columns would overflow the call stack
      for (const issue of headerIssues) issues.push(issue);
      if (state.decoder.invalid) for (const issue of badFields(state, record, "header: ")) issues.push(issue);
      if (record.problem)
        issues.push(
          makeIssue(record.problem.code, `header: ${record.problem.message}`, {
            file,
            line: record.problem.line,
          }),
        );
      continue;
    }
    const table = state.table;
    state.record += 1;
    let problems: readonly Issue[] = NO_PROBLEMS;
    if (record.problem !== undefined) {
      const p = record.problem;
      problems = [
        makeIssue(p.code, p.message, {
          file,
          line: p.line,
          column: p.column,
          field: fieldName(table, p.column - 1),
        }),
      ];
    } else {
      const count = columnCountIssue(file, record, table.header.length);
      if (count !== undefined) problems = [count];
    }
    if (state.decoder.invalid) {
      const bad = badFields(state, record, "", table);
      if (bad.length > 0) problems = [...problems, ...bad];
    }
    rows.push({
      format: "csv",
      kind: table.kind,
      at: { file, line: record.line, record: state.record },
      endLine: record.endLine,
      values: record.fields,
      table,
      problems,
    });
  }
  return { rows, issues };
}

function badFields(state: CsvState, record: CsvRecord, prefix: string, table?: CsvTable): Issue[] {
  return invalidByteIssues(
    state.bytes,
    record,
    prefix,
    table === undefined ? undefined : (index) => fieldName(table, index),
  );
}

function fieldName(table: CsvTable, index: number): string {
  return table.fields[index] ?? table.header[index] ?? `#${index + 1}`;
}
