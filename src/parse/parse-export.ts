import { closeSync, openSync, readSync } from "node:fs";
import { basename } from "node:path";
import { unreadable } from "../read/input-errors.js";
import type { ExportKind } from "../schemas/export-record.js";
import type { Profile } from "../schemas/profile.js";
import type { ExportParseEvent } from "./export-parse-event.js";
import { createExportParser } from "./export-parser.js";
import { makeIssue } from "../core/issue.js";
import { exportEncoding } from "./declared-encoding.js";
import type { JsonBytes } from "./json-bytes.js";

export type { ExportParseEvent } from "./export-parse-event.js";

// 1 MiB reads into one reused buffer: the parser copies what it keeps, so nothing holds on to a
// chunk, and a synchronous read of a local file costs less than the promise around an async one.
const READ_SIZE = 1024 * 1024;
/**
 * At most this many events per batch. A batch is what one read chunk completed (about 1,000
 * records of 1 MiB): larger batches would only make their consumer's peak memory larger.
 */
export const BATCH_SIZE = 1000;

function* batches(events: ExportParseEvent[]): Generator<ExportParseEvent[]> {
  if (events.length <= BATCH_SIZE) {
    if (events.length > 0) yield events;
    return;
  }
  for (let i = 0; i < events.length; i += BATCH_SIZE) yield events.slice(i, i + BATCH_SIZE);
}

/** Where `parse` writes NDJSON straight from the export's bytes, and the records it wrote, by kind. */
export interface NdjsonTarget {
  out: JsonBytes;
  kinds: Record<ExportKind, number>;
}

/**
 * Streams one export file, yielding batches of records and issues as it reads (with `ndjson`,
 * records are written there and only issues are yielded).
 * Records before a fatal issue (malformed XML, a DOCTYPE, bytes that are not UTF-8) are yielded;
 * the fatal issue ends the file.
 */
export async function* parseExportFile(
  path: string,
  options: {
    profile: Profile;
    displayPath?: string;
    maxFieldBytes?: number;
    maxDepth?: number;
    /** Told the size of each chunk read from the file, for progress by bytes. */
    onRead?: (bytes: number) => void;
    ndjson?: NdjsonTarget;
  },
): AsyncGenerator<ExportParseEvent[]> {
  const file = options.displayPath ?? path;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (error) {
    throw unreadable(file, error);
  }
  try {
    const ndjson = options.ndjson;
    const parser = createExportParser({
      profile: options.profile,
      file,
      fileName: basename(path),
      ...(options.maxFieldBytes === undefined ? {} : { maxFieldBytes: options.maxFieldBytes }),
      ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
      ...(ndjson === undefined ? {} : { ndjson: ndjson.out }),
    });
    const counted: Record<ExportKind, number> = { assigned: 0, redeemed: 0, deleted: 0 };
    // The kinds of the records written since the last count, added to the target's.
    const count = (): void => {
      if (ndjson === undefined) return;
      for (const kind of ["assigned", "redeemed", "deleted"] as const) {
        ndjson.kinds[kind] += parser.kinds[kind] - counted[kind];
        counted[kind] = parser.kinds[kind];
      }
    };
    const chunk = Buffer.allocUnsafe(READ_SIZE);
    let transcode: ((bytes: Uint8Array | undefined) => { bytes: Uint8Array; error?: string }) | undefined;
    let first = true;
    for (;;) {
      let bytesRead: number;
      try {
        bytesRead = readSync(fd, chunk, 0, READ_SIZE, null);
      } catch (error) {
        // A folder opens but fails here with EISDIR: the same code as every command's input.
        throw unreadable(file, error);
      }
      if (bytesRead === 0) break;
      options.onRead?.(bytesRead);
      const bytes = chunk.subarray(0, bytesRead);
      if (first) {
        first = false;
        const encoding = exportEncoding(bytes);
        if (encoding.type === "unsupported") {
          yield [
            {
              type: "issue",
              issue: makeIssue("parse.encoding_unsupported", `${encoding.message}; the file is refused`, {
                file,
                line: 1,
                column: encoding.column,
              }),
            },
          ];
          return;
        }
        if (encoding.type === "decoder") transcode = createTranscoder(encoding.label);
      }
      if (transcode === undefined) {
        yield* batches(parser.write(bytes));
      } else {
        const decoded = transcode(bytes);
        yield* batches(parser.write(decoded.bytes));
        if (decoded.error !== undefined)
          yield* batches(parser.abort("parse.encoding_invalid", decoded.error));
      }
      count();
      if (parser.stopped) break;
    }
    if (!parser.stopped && transcode !== undefined) {
      const rest = transcode(undefined);
      yield* batches(parser.write(rest.bytes));
      if (rest.error !== undefined) yield* batches(parser.abort("parse.encoding_invalid", rest.error));
    }
    yield* batches(parser.end());
    count();
  } finally {
    closeSync(fd);
  }
}

// A declared single-byte or UTF-16 export, through the platform's decoder, into the UTF-8 the
// parser reads (positions count characters, so they are those of the file as declared).
// Single-byte decoding cannot fail; UTF-16 fails on an unpaired surrogate, reported where the
// decoder stopped.
function createTranscoder(
  label: "windows-1252" | "utf-16le" | "utf-16be",
): (bytes: Uint8Array | undefined) => { bytes: Uint8Array; error?: string } {
  const decoder = new TextDecoder(label, { fatal: true });
  let failed = false;
  return (bytes) => {
    if (failed) return { bytes: new Uint8Array(0) };
    try {
      const text = bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream: true });
      return { bytes: Buffer.from(text, "utf8") };
    } catch {
      failed = true;
      return { bytes: new Uint8Array(0), error: `bytes that are not ${label.toUpperCase()}` };
    }
  };
}
