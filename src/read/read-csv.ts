import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { open } from "node:fs/promises";
import { makeIssue, type Issue } from "../core/issue.js";
import { CsvScanner, type CsvRecord } from "./csv-scanner.js";
import { interpretCsvHeader, type HeaderOptions } from "./csv-header.js";
import { unreadable } from "./input-errors.js";
import { NO_PROBLEMS, type CsvRow, type CsvTable, type ReadBatch, type ReadStats } from "./raw-row.js";
import {
  createChunkDecoder,
  ENCODING_HINT,
  type ChunkDecoder,
  type InputEncoding,
} from "./input-encoding.js";

/** How to read a CSV file: its header mapping, its encoding and the longest field kept. */
export interface CsvReadOptions extends HeaderOptions {
  /** utf-8 unless named. */
  encoding?: InputEncoding | undefined;
  /** Characters; 1 MiB unless named (`--max-field-bytes`). */
  maxFieldChars?: number | undefined;
}

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
  const hash = createHash("sha256");
  const decoder = createChunkDecoder(options.encoding);
  const scanner = new CsvScanner({ maxFieldChars: options.maxFieldChars });
  const state: CsvState = {
    file,
    options,
    table: undefined,
    record: 0,
    decoder,
    hint: (options.encoding ?? "utf-8") === "utf-8",
    headerSeen: false,
  };
  let stream;
  try {
    stream = createReadStream(file, { highWaterMark: CHUNK });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      stats.bytesRead = (stats.bytesRead ?? 0) + chunk.length;
      if (decoder.utf16) continue;
      const decoded = decoder.decode(chunk);
      if (decoder.utf16) continue;
      const records = scanner.push(decoded);
      const batch = toRows(state, records, scanner.separator ?? ";");
      stats.records += batch.rows.length;
      if (batch.rows.length > 0 || batch.issues.length > 0) yield batch;
    }
  } catch (error) {
    throw unreadable(file, error);
  } finally {
    stream?.destroy();
  }
  stats.sha256 = hash.digest("hex");
  if (decoder.utf16) {
    yield {
      rows: [],
      issues: [
        makeIssue(
          "read.encoding_invalid",
          "file: expected UTF-8 text, got UTF-16 (it starts with a UTF-16 byte order mark); name it with --encoding utf-16le or utf-16be, or save it as UTF-8",
          { file, line: 1 },
        ),
      ],
    };
    return;
  }
  const rest = decoder.end();
  const last = scanner.push(rest);
  for (const record of scanner.end()) last.push(record);
  const batch = toRows(state, last, scanner.separator ?? ";");
  stats.records += batch.rows.length;
  if (!state.headerSeen)
    batch.issues.push(
      makeIssue("read.file_empty", "file: expected a header line and records, got an empty file", { file }),
    );
  if (batch.rows.length > 0 || batch.issues.length > 0) yield batch;
}

interface CsvState {
  file: string;
  options: CsvReadOptions;
  table: CsvTable | undefined;
  record: number;
  /** Once it saw bytes not valid in the encoding, each record's fields are searched for U+FFFD. */
  decoder: ChunkDecoder;
  /** The next encoding issue names `--encoding` (once per file, when read as UTF-8). */
  hint: boolean;
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
    } else if (record.fields.length !== table.header.length) {
      problems = [
        makeIssue(
          "read.csv_column_count",
          `expected ${table.header.length} fields as in the header, got ${record.fields.length}`,
          {
            file,
            line: record.line,
            column: Math.min(record.fields.length, table.header.length) + 1,
          },
        ),
      ];
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

/**
 * An issue for each field of the record that holds bytes not valid in the encoding, at the
 * field's own column. The decoder turned each into U+FFFD; it is searched only once the decoder
 * saw such bytes, so a file with none pays nothing (and a real U+FFFD there is not mistaken).
 */
function badFields(state: CsvState, record: CsvRecord, prefix: string, table?: CsvTable): Issue[] {
  const out: Issue[] = [];
  const encoding = state.options.encoding ?? "utf-8";
  record.fields.forEach((value, index) => {
    if (!value.includes("\uFFFD")) return;
    const hint = state.hint ? `; ${ENCODING_HINT}` : "";
    state.hint = false;
    out.push(
      makeIssue(
        "read.encoding_invalid",
        `${prefix}expected ${encoding.toUpperCase()} text, got bytes that are not ${encoding.toUpperCase()} (read as U+FFFD)${hint}`,
        {
          file: state.file,
          line: record.line,
          column: index + 1,
          ...(table !== undefined ? { field: fieldName(table, index) } : {}),
        },
      ),
    );
  });
  return out;
}

function fieldName(table: CsvTable, index: number): string {
  return table.fields[index] ?? table.header[index] ?? `#${index + 1}`;
}
