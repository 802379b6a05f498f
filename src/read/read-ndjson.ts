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

const CHUNK = 1 << 16;
/** A probe looks at no more records than this for one whose keys tell the kind. */
const PROBE_RECORDS = 1000;

interface Line {
  text: string;
  line: number;
  bad: boolean;
}

/** Splits decoded chunks into physical lines, remembering which held bytes that are not UTF-8. */
async function* linesOf(file: string, onChunk?: (chunk: Buffer) => void): AsyncGenerator<Line[]> {
  const decoder = new Utf8Text();
  let pending = "";
  let line = 1;
  const bad = new Set<number>();
  const split = (text: string, final: boolean): Line[] => {
    const all = pending + text;
    const out: Line[] = [];
    let pos = 0;
    for (;;) {
      const nl = all.indexOf("\n", pos);
      if (nl < 0 && !final) break;
      const end = nl < 0 ? all.length : nl;
      if (end > pos || nl >= 0) out.push({ text: all.slice(pos, end), line, bad: bad.has(line) });
      line += 1;
      if (nl < 0) {
        pos = all.length;
        break;
      }
      pos = nl + 1;
    }
    pending = all.slice(pos);
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
): AsyncGenerator<ReadBatch> {
  const hash = createHash("sha256");
  let record = 0;
  let any = false;
  try {
    const onChunk = (chunk: Buffer) => {
      hash.update(chunk);
      stats.bytesRead = (stats.bytesRead ?? 0) + chunk.length;
    };
    for await (const lines of linesOf(file, onChunk)) {
      const rows: JsonRow[] = [];
      for (const l of lines) {
        if (l.text.trim() === "") continue;
        any = true;
        record += 1;
        const parsed = parseJson(l.text, l.line);
        if (parsed.ok) {
          rows.push(jsonRowOf(file, parsed.node, kind, record, l.text, l.bad ? [l.line] : []));
        } else {
          const p = parsed.problem;
          const problems = [
            makeIssue(p.code, p.message, { file, line: p.line, column: p.column }),
          ];
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
  else if (kind === "unknown") {
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
