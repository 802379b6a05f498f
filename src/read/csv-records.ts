import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { makeIssue, type Issue } from "../core/issue.js";
import { CsvScanner, type CsvRecord } from "./csv-scanner.js";
import { unreadable } from "./input-errors.js";
import {
  createChunkDecoder,
  ENCODING_HINT,
  type ChunkDecoder,
  type InputEncoding,
} from "./input-encoding.js";
import type { ReadStats } from "./raw-row.js";

const CHUNK = 1 << 16;

/** How the bytes of a CSV file become records. */
export interface CsvDecodeOptions {
  /** utf-8 unless named. */
  encoding?: InputEncoding | undefined;
  /** Characters; 1 MiB unless named (`--max-field-bytes`). */
  maxFieldChars?: number | undefined;
}

/** A CSV file being read: its records chunk by chunk, and what the decoder and scanner saw. */
export interface CsvFileScan {
  readonly decoder: ChunkDecoder;
  readonly scanner: CsvScanner;
  /** The separator found in the header, `;` until one is. */
  readonly delimiter: ";" | ",";
  /**
   * The records of the file, one array per chunk read, the last one at the end of the file.
   * Stops without records when the file turns out to be UTF-16 read as UTF-8 (`decoder.utf16`).
   * Fills in `stats.bytesRead` as it goes and `stats.sha256` at the end.
   */
  records(): AsyncGenerator<CsvRecord[]>;
}

/**
 * Reads a CSV file in 64 KiB chunks through one decoder and one scanner, for every reader of
 * CSV files (inputs, other systems' exports), so they decode, hash and find records alike.
 */
export function scanCsvFile(file: string, options: CsvDecodeOptions, stats: ReadStats): CsvFileScan {
  const decoder = createChunkDecoder(options.encoding);
  const scanner = new CsvScanner({ maxFieldChars: options.maxFieldChars });
  return {
    decoder,
    scanner,
    get delimiter() {
      return scanner.separator ?? ";";
    },
    async *records() {
      const hash = createHash("sha256");
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
          if (records.length > 0) yield records;
        }
      } catch (error) {
        throw unreadable(file, error);
      } finally {
        stream?.destroy();
      }
      stats.sha256 = hash.digest("hex");
      if (decoder.utf16) return;
      const last = scanner.push(decoder.end());
      for (const record of scanner.end()) last.push(record);
      yield last;
    },
  };
}

/** The issue for a file read as UTF-8 that starts with a UTF-16 byte order mark. */
export function utf16Issue(file: string): Issue {
  return makeIssue(
    "read.encoding_invalid",
    "file: expected UTF-8 text, got UTF-16 (it starts with a UTF-16 byte order mark); name it with --encoding utf-16le or utf-16be, or save it as UTF-8",
    { file, line: 1 },
  );
}

/** Where invalid bytes are reported: the file, its encoding, and whether the hint is still due. */
export interface InvalidBytesContext {
  file: string;
  encoding: InputEncoding;
  /** The next encoding issue names `--encoding` (once per file, when read as UTF-8). */
  hint: boolean;
}

/**
 * An issue for each field of the record that holds bytes not valid in the encoding, at the
 * field's own column. The decoder turned each into U+FFFD; callers search only once the decoder
 * saw such bytes, so a file with none pays nothing (and a real U+FFFD there is not mistaken).
 */
export function invalidByteIssues(
  context: InvalidBytesContext,
  record: CsvRecord,
  prefix: string,
  fieldOf?: (index: number) => string | undefined,
): Issue[] {
  const name = context.encoding.toUpperCase();
  const out: Issue[] = [];
  for (let index = 0; index < record.fields.length; index++) {
    if (!record.fields[index]!.includes("\uFFFD")) continue;
    const hint = context.hint ? `; ${ENCODING_HINT}` : "";
    context.hint = false;
    const field = fieldOf?.(index);
    out.push(
      makeIssue(
        "read.encoding_invalid",
        `${prefix}expected ${name} text, got bytes that are not ${name} (read as U+FFFD)${hint}`,
        {
          file: context.file,
          line: record.line,
          column: index + 1,
          ...(field !== undefined ? { field } : {}),
        },
      ),
    );
  }
  return out;
}

/** The issue of a record with more or fewer fields than the header, at its first missing or extra column. */
export function columnCountIssue(file: string, record: CsvRecord, headerLength: number): Issue | undefined {
  if (record.fields.length === headerLength) return undefined;
  return makeIssue(
    "read.csv_column_count",
    `expected ${headerLength} fields as in the header, got ${record.fields.length}`,
    { file, line: record.line, column: Math.min(record.fields.length, headerLength) + 1 },
  );
}
