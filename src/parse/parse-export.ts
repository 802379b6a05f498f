import { open, type FileHandle } from "node:fs/promises";
import { basename } from "node:path";
import { unreadable } from "../read/input-errors.js";
import type { Profile } from "../schemas/profile.js";
import type { ExportParseEvent } from "./export-parse-event.js";
import { createExportParser } from "./export-parser.js";
import { makeIssue } from "../core/issue.js";
import { exportEncoding } from "./declared-encoding.js";
import { createUtf8Text, type Utf8Text } from "./utf8-text.js";

export type { ExportParseEvent } from "./export-parse-event.js";

// 64 KiB reads measured faster and leaner than 1 MiB ones: the reader hands out slices of the chunk
// it is given, and a slice keeps its whole chunk alive until the record holding it is gone.
const READ_SIZE = 64 * 1024;
/**
 * At most this many events per batch. A batch is what one read chunk completed (about 60 records
 * of 64 KiB): gathering more measured no faster and raised peak memory, since records kept
 * waiting for their batch outlive the young generation.
 */
export const BATCH_SIZE = 1000;

function* batches(events: ExportParseEvent[]): Generator<ExportParseEvent[]> {
  if (events.length <= BATCH_SIZE) {
    if (events.length > 0) yield events;
    return;
  }
  for (let i = 0; i < events.length; i += BATCH_SIZE) yield events.slice(i, i + BATCH_SIZE);
}

/**
 * Streams one export file, yielding batches of records and issues as it reads.
 * Records before a fatal issue (malformed XML, a DOCTYPE, bytes that are not UTF-8) are yielded;
 * the fatal issue ends the file. A record's strings may share memory with the text read around
 * them: a consumer that keeps many records for long should keep copies of the values it needs.
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
  },
): AsyncGenerator<ExportParseEvent[]> {
  const file = options.displayPath ?? path;
  let handle: FileHandle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    throw unreadable(file, error);
  }
  // The next read is started before the current chunk is parsed, so the disk and the parser
  // work at the same time; two buffers take turns.
  let current = Buffer.allocUnsafe(READ_SIZE);
  let spare = Buffer.allocUnsafe(READ_SIZE);
  let next: Promise<{ bytesRead: number }> | undefined = handle.read(current, 0, READ_SIZE, null);
  try {
    const parser = createExportParser({
      profile: options.profile,
      file,
      fileName: basename(path),
      ...(options.maxFieldBytes === undefined ? {} : { maxFieldBytes: options.maxFieldBytes }),
      ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
    });
    let utf8: Utf8Text | undefined;
    while (next !== undefined) {
      let bytesRead: number;
      try {
        ({ bytesRead } = await next);
      } catch (error) {
        next = undefined;
        // A folder opens but fails here with EISDIR: the same code as every command's input.
        throw unreadable(file, error);
      }
      if (bytesRead === 0) {
        next = undefined;
        break;
      }
      options.onRead?.(bytesRead);
      const chunk = current.subarray(0, bytesRead);
      if (utf8 === undefined) {
        const encoding = exportEncoding(chunk);
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
        utf8 = encoding.type === "utf-8" ? createUtf8Text() : createDecodedText(encoding.label);
      }
      [current, spare] = [spare, current];
      next = handle.read(current, 0, READ_SIZE, null);
      // The decoder copies the bytes into the text it returns: the buffer is free once decoded.
      const decoded = utf8.decode(chunk);
      yield* batches(parser.write(decoded.text));
      if (decoded.error !== undefined) yield* batches(parser.abort("parse.encoding_invalid", decoded.error));
      if (parser.stopped) break;
    }
    if (!parser.stopped && utf8 !== undefined) {
      const rest = utf8.end();
      yield* batches(parser.write(rest.text));
      if (rest.error !== undefined) yield* batches(parser.abort("parse.encoding_invalid", rest.error));
    }
    yield* batches(parser.end());
  } finally {
    // A read still under way (the file stopped early, or the consumer stopped asking) must end
    // before its handle closes.
    await next?.catch(() => undefined);
    await handle.close();
  }
}

// A declared single-byte or UTF-16 export, through the platform's decoder. Single-byte decoding
// cannot fail; UTF-16 fails on an unpaired surrogate, reported where the decoder stopped.
function createDecodedText(label: "windows-1252" | "utf-16le" | "utf-16be"): Utf8Text {
  const decoder = new TextDecoder(label, { fatal: true });
  let failed = false;
  const run = (bytes: Uint8Array | undefined, stream: boolean): { text: string; error?: string } => {
    if (failed) return { text: "" };
    try {
      return { text: bytes === undefined ? decoder.decode() : decoder.decode(bytes, { stream }) };
    } catch {
      failed = true;
      return { text: "", error: `bytes that are not ${label.toUpperCase()}` };
    }
  };
  return { decode: (bytes) => run(bytes, true), end: () => run(undefined, false) };
}
