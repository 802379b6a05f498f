import { open, stat } from "node:fs/promises";
import { csvKindOf } from "./csv-header.js";
import type { RecordKind } from "./field-names.js";
import { formatOf } from "./input-format.js";
import { unreadable } from "./input-errors.js";
import { probeCsvHeader, readCsv } from "./read-csv.js";
import { probeJsonKind, readJson } from "./read-json.js";
import { checkJsonArray, readJsonArray } from "./read-json-array.js";
import { probeNdjsonKind, readNdjson } from "./read-ndjson.js";
import type { InputFormat, ReadBatch, ReadStats } from "./raw-row.js";
import type { InputEncoding } from "./input-encoding.js";

export interface OpenOptions {
  /** Forces the kind of every file (a mixed JSON document keeps its two parts). */
  kind?: RecordKind | undefined;
  /** Their header name or key → our field name. */
  columns?: Readonly<Record<string, string>> | undefined;
  /** The encoding of CSV files (JSON and NDJSON are UTF-8, as RFC 8259 says). */
  encoding?: InputEncoding | undefined;
  /** The longest field (CSV) kept, in characters; a record or NDJSON line may hold 16 of them. */
  maxFieldChars?: number | undefined;
}

/** An input file whose format and kind are known, ready to be read. */
export interface InputSource {
  file: string;
  format: InputFormat;
  /** What the header or keys tell (or the forced kind); undefined when nothing tells. */
  kind: RecordKind | "mixed" | undefined;
  /** The file's size in bytes when it was opened. */
  size: number;
  /** sha256 and record count, complete once every part has been read. */
  stats: ReadStats;
  /** Reads the rows; for a mixed document, only those of `part`. */
  rows(part: RecordKind): AsyncGenerator<ReadBatch>;
}

/** Fails with exit 66 unless `file` is a readable file. */
export async function assertReadable(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    const handle = await open(file, "r");
    await handle.close();
  } catch (error) {
    throw unreadable(file, error);
  }
}

async function head(file: string, bytes = 1 << 16): Promise<string> {
  try {
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(bytes);
      const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
      return buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unreadable(file, error);
  }
}

/** Tells a file's format by its name, else by its first 64 KiB (`[`, one object a line, a header). */
export async function formatOfFile(file: string): Promise<InputFormat> {
  return formatOf(file, await head(file));
}

/** Looks at a file (its name, header or first records) to tell its format and kind. */
export async function openInput(file: string, options: OpenOptions): Promise<InputSource> {
  const format = await formatOfFile(file);
  const stats: ReadStats = { sha256: "", records: 0 };
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    throw unreadable(file, error);
  }
  if (format === "csv") {
    const probe = await probeCsvHeader(file, options);
    const detected = probe === undefined ? undefined : csvKindOf(probe.header, options);
    return {
      file,
      format,
      kind: detected === "ambiguous" ? undefined : detected,
      size,
      stats,
      rows: () => readCsv(file, options, stats),
    };
  }
  if (format === "ndjson") {
    const kind = await probeNdjsonKind(file, options);
    const maxLine = options.maxFieldChars === undefined ? undefined : options.maxFieldChars * 16;
    return {
      file,
      format,
      kind,
      size,
      stats,
      rows: () => readNdjson(file, kind ?? "unknown", stats, { maxLineChars: maxLine }),
    };
  }
  const maxElementChars = options.maxFieldChars === undefined ? undefined : options.maxFieldChars * 16;
  // An array is checked whole here, streaming, before any record of it is handed on.
  const check = await checkJsonArray(file, { ...options, maxElementChars });
  if (check !== undefined) {
    if (check.problem === undefined) stats.recordsExpected = check.records;
    return {
      file,
      format,
      // a broken file tells no kind, as one read whole would not
      kind: check.problem === undefined ? (options.kind ?? check.kind) : options.kind,
      size,
      stats,
      rows: () => readJsonArray(file, { ...options, maxElementChars }, stats, check),
    };
  }
  const kind = await probeJsonKind(file, options);
  let reads = 0;
  return {
    file,
    format,
    kind,
    size,
    stats,
    rows: (part) => {
      reads += 1;
      // a mixed document is read once per part: the second read keeps quiet about the file
      return readJson(file, { ...options, part, fileIssues: reads === 1 }, stats);
    },
  };
}
