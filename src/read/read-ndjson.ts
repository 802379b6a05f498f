import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { makeIssue } from "../core/issue.js";
import type { RecordKind } from "./field-names.js";
import { unreadable } from "./input-errors.js";
import { parseJson, type JsonNode } from "./json-parser.js";
import { jsonKindOf, jsonRowOf } from "./json-records.js";
import type { JsonReadOptions } from "./read-json.js";
import type { JsonRow, ReadBatch, ReadStats } from "./raw-row.js";
import { Utf8Text } from "./utf8-text.js";
import { DEFAULT_MAX_FIELD_CHARS } from "./csv-scanner.js";

const CHUNK = 1 << 16;
/** A probe looks at no more records than this for one whose keys tell the kind. */
const PROBE_RECORDS = 1000;

interface Line {
  text: string;
  line: number;
  bad: boolean;
  /** The line was longer than the limit: its text is not kept. */
  tooLong?: boolean;
}

/** The longest NDJSON line read by default: 16 fields at the CSV field limit. */
export const DEFAULT_MAX_LINE_CHARS = DEFAULT_MAX_FIELD_CHARS * 16;

/**
 * Splits decoded chunks into physical lines, remembering which held bytes that are not UTF-8.
 * Each chunk is searched once (a line spanning chunks is kept as parts), and a line longer than
 * `maxLineChars` is dropped as it comes: linear time and bounded memory for any line.
 */
async function* linesOf(
  file: string,
  onChunk?: (chunk: Buffer) => void,
  maxLineChars = DEFAULT_MAX_LINE_CHARS,
): AsyncGenerator<Line[]> {
  const decoder = new Utf8Text();
  let parts: string[] = [];
  let partsChars = 0;
  let skipping = false;
  let line = 1;
  const bad = new Set<number>();
  const split = (text: string, final: boolean): Line[] => {
    const out: Line[] = [];
    let pos = 0;
    for (;;) {
      const nl = text.indexOf("\n", pos);
      const end = nl < 0 ? text.length : nl;
      if (!skipping) {
        if (partsChars + end - pos > maxLineChars) {
          out.push({ text: "", line, bad: bad.has(line), tooLong: true });
          skipping = true;
          parts = [];
          partsChars = 0;
        } else if (end > pos) {
          parts.push(text.slice(pos, end));
          partsChars += end - pos;
        }
      }
      if (nl < 0 && !final) break;
      if (!skipping && (nl >= 0 || partsChars > 0))
        out.push({ text: parts.length === 1 ? parts[0]! : parts.join(""), line, bad: bad.has(line) });
      parts = [];
      partsChars = 0;
      skipping = false;
      line += 1;
      if (nl < 0) break;
      pos = nl + 1;
    }
    return out;
  };
  let stream;
  try {
    stream = createReadStream(file, { highWaterMark: CHUNK });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      onChunk?.(chunk);
      if (decoder.utf16) continue; // the whole file is still hashed
      const decoded = decoder.decode(chunk);
      if (decoder.utf16) continue;
      for (const b of decoded.badLines) bad.add(b);
      yield split(decoded.text, false);
    }
    const rest = decoder.end();
    if (decoder.utf16) throw new Utf16Error();
    for (const b of rest.badLines) bad.add(b);
    yield split(rest.text, true);
  } catch (error) {
    if (error instanceof Utf16Error) throw error;
    throw unreadable(file, error);
  } finally {
    stream?.destroy();
  }
}

class Utf16Error extends Error {}

/** Tells the kind of an NDJSON file from its first records (or the forced kind). */
export async function probeNdjsonKind(
  file: string,
  options: JsonReadOptions,
): Promise<RecordKind | undefined> {
  if (options.kind !== undefined) return options.kind;
  const nodes: JsonNode[] = [];
  try {
    for await (const lines of linesOf(file)) {
      for (const l of lines) {
        if (l.text.trim() === "") continue;
        const parsed = parseJson(l.text, l.line);
        if (parsed.ok) nodes.push(parsed.node);
        const kind = jsonKindOf(nodes.slice(-1), options.columns);
        if (kind !== undefined) return kind;
        if (nodes.length >= PROBE_RECORDS) return undefined;
      }
    }
  } catch (error) {
    if (error instanceof Utf16Error) return undefined;
    throw error;
  }
  return undefined;
}

/** Streams the records of an NDJSON file, one JSON object a line; a bad line is one rejected row. */
export async function* readNdjson(
  file: string,
  kind: RecordKind | "unknown",
  stats: ReadStats,
  options: { kindRequired?: boolean; maxLineChars?: number | undefined } = {},
): AsyncGenerator<ReadBatch> {
  const maxLineChars = options.maxLineChars ?? DEFAULT_MAX_LINE_CHARS;
  const hash = createHash("sha256");
  let record = 0;
  let any = false;
  try {
    const onChunk = (chunk: Buffer) => {
      hash.update(chunk);
      stats.bytesRead = (stats.bytesRead ?? 0) + chunk.length;
    };
    for await (const lines of linesOf(file, onChunk, maxLineChars)) {
      const rows: JsonRow[] = [];
      for (const l of lines) {
        if (l.tooLong === true) {
          any = true;
          record += 1;
          rows.push({
            format: "json",
            kind,
            at: { file, line: l.line, record },
            endLine: l.line,
            source: "",
            problems: [
              makeIssue(
                "read.record_too_long",
                `expected a line of at most ${maxLineChars} characters (16 times --max-field-bytes), got a longer one; it is skipped`,
                { file, line: l.line, column: 1 },
              ),
            ],
          });
          continue;
        }
        if (l.text.trim() === "") continue;
        any = true;
        record += 1;
        const parsed = parseJson(l.text, l.line);
        if (parsed.ok) {
          rows.push(jsonRowOf(file, parsed.node, kind, record, l.text, l.bad ? [l.line] : []));
        } else {
          const p = parsed.problem;
          const problems = [makeIssue(p.code, p.message, { file, line: p.line, column: p.column })];
          if (l.bad)
            problems.push(
              makeIssue(
                "read.encoding_invalid",
                "expected UTF-8 text, got bytes that are not UTF-8 (read as U+FFFD)",
                { file, line: l.line },
              ),
            );
          rows.push({
            format: "json",
            kind,
            at: { file, line: l.line, record },
            endLine: l.line,
            source: l.text,
            problems,
          });
        }
      }
      stats.records += rows.length;
      if (rows.length > 0) yield { rows, issues: [] };
    }
  } catch (error) {
    if (!(error instanceof Utf16Error)) throw error;
    stats.sha256 = hash.digest("hex");
    yield {
      rows: [],
      issues: [
        makeIssue(
          "read.encoding_invalid",
          "file: expected UTF-8 text, got UTF-16 (it starts with a UTF-16 byte order mark); save it as UTF-8",
          { file, line: 1 },
        ),
      ],
    };
    return;
  }
  stats.sha256 = hash.digest("hex");
  const issues = [];
  if (!any)
    issues.push(
      makeIssue("read.file_empty", "file: expected one JSON record a line, got an empty file", { file }),
    );
  else if (kind === "unknown" && options.kindRequired !== false) {
    issues.push(
      makeIssue(
        "read.kind_unknown",
        "records: expected the keys of definitions (promotionName, redemptionChannels…) or of assignments (contactId, promotionCodeId…), got neither; name the kind with --kind",
        {
          file,
          line: 1,
        },
      ),
    );
  }
  if (issues.length > 0) yield { rows: [], issues };
}
