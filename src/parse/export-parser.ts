import { makeIssue, quote, type Severity } from "../core/issue.js";
import type { IssueCode } from "../core/issue-codes.js";
import type { Location } from "../core/location.js";
import type { ExportInstant, ExportKind, ExportRecord } from "../schemas/export-record.js";
import type { Profile } from "../schemas/profile.js";
import type { ExportParseEvent } from "./export-parse-event.js";
import { exportFieldNames, RecordSlot, SLOT_COUNT, type NameInfo } from "./export-field-names.js";
import { parseExportInstant } from "./export-timestamp.js";
import { kindFromFileName, kindLookup } from "./record-kind.js";
import { createTextCache } from "./text-cache.js";
import { createXmlReader, type XmlErrorKind } from "./xml-reader.js";

type ExportChannel = ExportRecord["redemptionChannels"][number];

// How an export becomes records (ENGAGE-FORMATS.md, section 3):
// - A record is any element with a child named as the profile's record key (`couponId`), at any
//   depth. Element names match without regard to case or namespace prefix.
// - Its kind: the record element's name (profile `recordKinds`), else the nearest wrapping
//   element's name, else the file name (redeem / delete / new or assign), else `redeemed` when it
//   has a redeemedDateTime; with none of these it is `assigned`, and one `parse.kind_unknown`
//   warning per file counts such records.
// - Values are text, trimmed of XML white space; an empty element is an absent field. Timestamps
//   keep `raw` beside `instant` and `day`; one that does not parse is a `parse.invalid_value`
//   error, its field is left out and its text kept in `extra` under the element's name.
// - Children the profile does not name go to `extra` as text: nested ones by their path
//   (`loyalty.level`), repeats as `name[1]`, `name[2]` …, a channel's as
//   `redemptionChannels[0].name`. Attributes, comments and processing instructions are ignored.
// - Any child of `redemptionChannels` is a channel, and so is a `redemptionChannel` written
//   straight in the record.
// - The first well-formedness problem, a DOCTYPE, or bytes that are not UTF-8 end the file with
//   one error at its line and column (a truncated file: its last non-blank character); records
//   completed before it have been produced already.

export interface ExportParserOptions {
  profile: Profile;
  /** The export file as reports name it (the `file` of every location). */
  file: string;
  /** The name whose words tell a record's kind when its elements do not; defaults to `file`. */
  fileName?: string;
  /** At most this many issues of one code are listed per file; the rest are counted in one more. */
  issueLimit?: number;
  /** The longest text node, name, comment or declaration accepted, in UTF-8 bytes. */
  maxFieldBytes?: number;
  /** The deepest element nesting accepted (the root is depth 1). */
  maxDepth?: number;
}

/** The default `maxFieldBytes`: 1 MiB, far above any real field and far below what costs memory. */
export const DEFAULT_MAX_FIELD_BYTES = 1024 * 1024;
/** The default `maxDepth`: an export nests four levels; 64 leaves room for any wrapping. */
export const DEFAULT_MAX_DEPTH = 64;
/** The pure core of the export parser: text in, records and issues out, no I/O. */
export interface ExportParser {
  /** Feeds the next piece of the decoded text; returns what it completed. */
  write(text: string): ExportParseEvent[];
  /**
   * Stops at the current position with a fatal issue the caller found below the XML level (bytes
   * that are not UTF-8); returns what that completed.
   */
  abort(code: "parse.encoding_invalid", message: string): ExportParseEvent[];
  /** Ends the input: reports a truncated file, no records, and the counted issues. */
  end(): ExportParseEvent[];
  /** True once a fatal issue stopped the file: further text is ignored. */
  readonly stopped: boolean;
  /** Records produced so far. */
  readonly recordCount: number;
}

/** An open or closed element while it may still belong to a record. */
interface Frame {
  name: string;
  line: number;
  column: number;
  /** Text of a leaf; text beside child elements (indentation) is dropped. */
  text: string;
  /** Kept children; null while there are none. */
  children: Frame[] | null;
  hasChild: boolean;
  /** Set when a child is the record key (`couponId`): this element is a record. */
  isRecord: boolean;
  /** Set once this element has text that is not white space. */
  hasText: boolean;
  /** Set once this element was reported for mixed content. */
  mixed: boolean;
  /** Elements in this subtree, to bound what a non-record container may hold. */
  nodes: number;
  info: NameInfo | undefined;
}

// No real record has this many elements; a container that grows past it (a wrong key in the
// profile, say) stops keeping children, so memory stays flat whatever the file holds.
const MAX_RECORD_NODES = 10_000;
// The text before the root element, kept to point at a DOCTYPE's or ENTITY's first character.
const PROLOG_LIMIT = 64 * 1024;

const INSTANT_FIELDS = ["validFromDate", "expireDateTime", "redeemedDateTime"] as const;

// Only XML's own white space (space, tab, CR, LF): a no-break space in a value is data.
function trimXml(text: string): string {
  const n = text.length;
  if (n === 0 || (text.charCodeAt(0) > 32 && text.charCodeAt(n - 1) > 32)) return text;
  return text.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, "");
}

/** Creates the streaming export parser for one file. */
export function createExportParser(options: ExportParserOptions): ExportParser {
  const { file, profile } = options;
  const names = exportFieldNames(profile);
  const kindOf = kindLookup(profile);
  const fileKind = kindFromFileName(options.fileName ?? file);
  const issueLimit = options.issueLimit ?? 1000;
  const fieldNames = profile.export.fields;

  const maxFieldBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const stack: Frame[] = [];
  let out: ExportParseEvent[] = [];
  let records = 0;
  let stopped = false;
  // The text before the root element, kept to tell an empty file from a truncated one.
  let prolog: string | null = "";
  const issueCounts = new Map<IssueCode, number>();
  let unknownKinds = 0;
  let firstUnknownKind: Location | undefined;
  const values: (string | undefined)[] = new Array<string | undefined>(SLOT_COUNT);
  const valueFrames: (Frame | undefined)[] = new Array<Frame | undefined>(SLOT_COUNT);
  const channelValues: (string | undefined)[] = [undefined, undefined, undefined, undefined];
  // The last index given to each repeated `extra` path of the current record.
  const repeats = new Map<string, number>();

  // `extra` keys are element paths (`loyalty.level`); a path seen again gets `[1]`, `[2]` … so no
  // value is lost. `__proto__` is a valid element name, but the record schema (like any plain
  // object) cannot hold it as a key: it is left out rather than allowed near the prototype.
  function putExtra(extra: Record<string, string>, path: string, value: string, repeated = false): void {
    if (path === "__proto__") return;
    if (!repeated && !Object.hasOwn(extra, path)) {
      extra[path] = value;
      return;
    }
    let i = (repeats.get(path) ?? 0) + 1;
    while (Object.hasOwn(extra, `${path}[${i}]`)) i += 1;
    repeats.set(path, i);
    extra[`${path}[${i}]`] = value;
  }

  function addExtra(extra: Record<string, string>, frame: Frame, prefix: string): void {
    const path = prefix + frame.name;
    if (frame.children === null) putExtra(extra, path, frame.hasChild ? "" : trimXml(frame.text));
    else for (const child of frame.children) addExtra(extra, child, `${path}.`);
  }

  function report(code: IssueCode, message: string, at: Location, severity?: Severity): void {
    const count = (issueCounts.get(code) ?? 0) + 1;
    issueCounts.set(code, count);
    if (count > issueLimit) return;
    out.push({
      type: "issue",
      issue: makeIssue(code, message, at, severity === undefined ? {} : { severity }),
    });
  }

  function take(): ExportParseEvent[] {
    const events = out;
    out = [];
    return events;
  }

  function stop(): void {
    stopped = true;
    reader.stop();
  }

  // Validity dates repeat across the records of a promotion: parse each text once (slots by the
  // month, day and time digits of `YYYY-MM-DDTHH:MM:SS`). The copy keeps records from sharing an
  // object a consumer might change.
  const instants = createTextCache((raw) => parseExportInstant(raw) ?? null, {
    size: 256,
    sample: [3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18],
  });
  function cachedInstant(raw: string): ExportInstant | undefined {
    const parsed = instants.get(raw);
    if (parsed === null) return undefined;
    return parsed.instant === undefined
      ? { raw, day: parsed.day }
      : { raw, instant: parsed.instant, day: parsed.day };
  }

  function buildChannel(frame: Frame, extra: Record<string, string>, index: number): ExportChannel {
    const prefix = `${fieldNames.redemptionChannels}[${index}]`;
    channelValues.fill(undefined);
    if (frame.children === null) {
      const text = trimXml(frame.text);
      if (text !== "") putExtra(extra, prefix, text);
    } else {
      for (const child of frame.children) {
        const slot = names.channel(child.name);
        if (slot < 0 || child.children !== null || channelValues[slot] !== undefined) {
          addExtra(extra, child, `${prefix}.`);
          continue;
        }
        const text = trimXml(child.text);
        if (text !== "") channelValues[slot] = text;
      }
    }
    const channel: ExportChannel = {};
    const [type, valueType, value, instruction] = channelValues;
    if (type !== undefined) channel.type = type;
    if (valueType !== undefined) channel.valueType = valueType;
    if (value !== undefined) channel.value = value;
    if (instruction !== undefined) channel.instruction = instruction;
    return channel;
  }

  function instant(slot: 7 | 8 | 13, record: ExportRecord, extra: Record<string, string>): void {
    const raw = values[slot];
    if (raw === undefined) return;
    const parsed = cachedInstant(raw);
    const field = INSTANT_FIELDS[slot === 7 ? 0 : slot === 8 ? 1 : 2];
    if (parsed !== undefined) {
      record[field] = parsed;
      return;
    }
    // The field is left out (its `day` could not be trusted) and the raw text kept in `extra`,
    // so nothing Engage wrote is lost; the issue makes the run exit 65.
    putExtra(extra, fieldNames[field], raw);
    const at = valueFrames[slot];
    const where: Location = { file, field, record: records };
    if (at !== undefined) {
      where.line = at.line;
      where.column = at.column;
    }
    report(
      "parse.invalid_value",
      `${field}: expected a date like 2026-03-05 or a timestamp like 2026-03-05T00:00:00+01:00, got ${quote(raw)}`,
      where,
    );
  }

  function buildRecord(frame: Frame): ExportRecord {
    if (repeats.size > 0) repeats.clear();
    values.fill(undefined);
    valueFrames.fill(undefined);
    const channels: ExportChannel[] = [];
    const extra: Record<string, string> = {};
    for (const child of frame.children ?? []) {
      const slot = (child.info ?? names.record(child.name)).slot;
      if (slot < 0) {
        addExtra(extra, child, "");
      } else if (slot === RecordSlot.redemptionChannels) {
        if (child.children !== null) {
          for (const channel of child.children) channels.push(buildChannel(channel, extra, channels.length));
        } else if (trimXml(child.text) !== "") {
          addExtra(extra, child, "");
        }
      } else if (slot === RecordSlot.redemptionChannel) {
        channels.push(buildChannel(child, extra, channels.length));
      } else if (values[slot] !== undefined) {
        // A field given twice: the first counts, the others are kept as `name[1]`, `name[2]` ….
        if (child.children !== null) addExtra(extra, child, "");
        else putExtra(extra, child.name, trimXml(child.text), true);
      } else if (child.children !== null) {
        // Structure where text belongs: kept, not guessed at.
        addExtra(extra, child, "");
      } else {
        const text = trimXml(child.text);
        if (text !== "") {
          values[slot] = text;
          valueFrames[slot] = child;
        }
      }
    }

    records += 1;
    const at: Location = { file, line: frame.line, column: frame.column, record: records };

    // The record element's name, then its ancestors' (a `<redeemed>` wrapper), then the file
    // name, then the fields: a redemption time means redeemed.
    let kind: ExportKind | undefined = kindOf(frame.name);
    for (let i = stack.length - 1; kind === undefined && i >= 0; i -= 1) kind = kindOf(stack[i]!.name);
    kind ??= fileKind;
    if (kind === undefined) {
      if (values[RecordSlot.redeemedDateTime] !== undefined) {
        kind = "redeemed";
      } else {
        // Nothing tells assigned from deleted: assigned is what an export without a kind most
        // often holds, and the warning says the guess was made.
        kind = "assigned";
        unknownKinds += 1;
        firstUnknownKind ??= at;
      }
    }

    // Built field by field in the schema's order, so every output lists fields the same way.
    const record = { kind } as ExportRecord;
    const v = values;
    if (v[0] !== undefined) record.contactId = v[0];
    if (v[1] !== undefined) record.contactKey = v[1];
    if (v[2] !== undefined) record.contactType = v[2];
    if (v[3] !== undefined) record.couponId = v[3];
    if (v[4] !== undefined) record.promotionId = v[4];
    if (v[5] !== undefined) record.externalPromotionId = v[5];
    if (v[6] !== undefined) record.description = v[6];
    instant(RecordSlot.validFromDate, record, extra);
    instant(RecordSlot.expireDateTime, record, extra);
    record.redemptionChannels = channels;
    if (v[10] !== undefined) record.currency = v[10];
    if (v[11] !== undefined) record.storeId = v[11];
    if (v[12] !== undefined) record.storeType = v[12];
    instant(RecordSlot.redeemedDateTime, record, extra);
    record.extra = extra;
    record.at = at;
    return record;
  }

  function open(name: string, line: number, column: number): void {
    if (stopped) return;
    prolog = null;
    const parent = stack[stack.length - 1];
    if (parent !== undefined) {
      parent.hasChild = true;
      if (parent.hasText) reportMixed(parent);
    }
    if (stack.length >= maxDepth) {
      report(
        "parse.too_deep",
        `<${name}> is nested ${stack.length + 1} elements deep: at most ${maxDepth} are read (--max-depth); the file is refused`,
        { file, line, column },
      );
      stop();
      return;
    }
    stack.push({
      name,
      line,
      column,
      text: "",
      children: null,
      hasChild: false,
      isRecord: false,
      hasText: false,
      mixed: false,
      nodes: 1,
      info: undefined,
    });
  }

  function text(source: string, start: number, end: number, space: boolean): void {
    if (stopped) return;
    const top = stack[stack.length - 1];
    if (top === undefined) return;
    if (!space && !top.hasText) {
      top.hasText = true;
      if (top.hasChild) reportMixed(top);
    }
    // Text beside child elements is indentation (or reported above), and white space before a
    // value is trimmed anyway: neither is kept.
    if (top.hasChild || (space && top.text === "")) return;
    const piece = source.slice(start, end);
    top.text = top.text === "" ? piece : top.text + piece;
    if (top.text.length > maxFieldBytes / 3 && Buffer.byteLength(top.text) > maxFieldBytes) {
      refuseLarge(`the text of <${top.name}>`, top.line, top.column);
    }
  }

  // Text beside child elements is not a value: kept nowhere, so it is reported, once per element.
  function reportMixed(frame: Frame): void {
    if (frame.mixed) return;
    frame.mixed = true;
    report(
      "parse.mixed_content",
      `<${frame.name}> holds both text and child elements: expected either a value or elements, its text is not read`,
      { file, line: frame.line, column: frame.column },
    );
  }

  // A construct past the limit ends the file at its position: what it holds is never gathered
  // whole, so memory stays bounded by the limit plus one read chunk.
  function refuseLarge(what: string, line: number, column: number): void {
    if (stopped) return;
    report(
      "parse.field_too_large",
      `${what} is longer than ${maxFieldBytes} bytes (--max-field-bytes): the file is refused`,
      { file, line, column },
    );
    stop();
  }

  function close(): void {
    if (stopped) return;
    const frame = stack.pop();
    if (frame === undefined) return;
    if (frame.isRecord) {
      out.push({ type: "record", record: buildRecord(frame) });
      return;
    }
    const parent = stack[stack.length - 1];
    if (parent === undefined) return;
    const info = names.record(frame.name);
    frame.info = info;
    if (info.isKey) parent.isRecord = true;
    else if (parent.nodes + frame.nodes > MAX_RECORD_NODES) return;
    if (parent.children === null) parent.children = [frame];
    else parent.children.push(frame);
    parent.nodes += frame.nodes;
  }

  function doctype(entity: boolean, line: number, column: number): void {
    if (stopped) return;
    report(
      "parse.doctype_refused",
      entity
        ? "an entity declaration is refused: exports declare no entities, and none is ever expanded"
        : "a DOCTYPE declaration is refused: exports carry none, and nothing it names is fetched or expanded",
      { file, line, column },
    );
    stop();
  }

  function error(kind: XmlErrorKind, message: string, line: number, column: number): void {
    if (stopped) return;
    let text = `not well-formed XML: ${message}`;
    const top = stack[stack.length - 1];
    if (kind === "mismatched_close" && top !== undefined) {
      text = `not well-formed XML: this closing tag does not close <${top.name}> opened at ${top.line}:${top.column}`;
    } else if (kind === "undefined_entity") {
      text =
        "not well-formed XML: undefined entity reference (only &lt; &gt; &amp; &quot; &apos; and character references such as &#228; are defined)";
    }
    report("parse.xml_malformed", text, { file, line, column });
    stop();
  }

  const reader = createXmlReader(
    {
      open,
      text,
      close,
      doctype,
      error,
      tooLarge: (line, column) => refuseLarge("a name, comment, CDATA section or attribute", line, column),
    },
    { maxMarkupBytes: maxFieldBytes },
  );

  return {
    write(piece) {
      if (stopped || piece.length === 0) return take();
      if (prolog !== null && prolog.length < PROLOG_LIMIT) prolog += piece.slice(0, PROLOG_LIMIT);
      reader.write(piece);
      return take();
    },
    abort(code, message) {
      if (stopped) return take();
      report(code, message, { file, ...reader.position() });
      stop();
      return take();
    },
    end() {
      if (!stopped) {
        const complete = reader.end();
        if (!stopped && !complete) {
          if (prolog !== null && prolog.length < PROLOG_LIMIT && trimXml(prolog) === "") {
            // An empty file is not a broken one: it holds no records, which is a warning.
            report("parse.no_records", "the file is empty: no records", { file });
          } else {
            const open = stack[stack.length - 1];
            const text =
              open === undefined
                ? "the file ends before its root element"
                : `the file ends before <${open.name}> opened at ${open.line}:${open.column} is closed: it looks truncated`;
            report("parse.xml_truncated", text, { file, ...reader.endPosition() });
          }
          stopped = true;
        }
        if (!stopped && records === 0)
          report(
            "parse.no_records",
            "no records: no element has a child named " +
              quote(fieldNames[profile.export.recordKey as keyof typeof fieldNames]),
            { file },
          );
      }
      if (unknownKinds > 0 && firstUnknownKind !== undefined) {
        report(
          "parse.kind_unknown",
          `${unknownKinds} record${unknownKinds === 1 ? "" : "s"} without a kind (no known record element name, no redeem/delete/new/assign in the file name, no redeemedDateTime): taken as assigned`,
          firstUnknownKind,
        );
      }
      for (const [code, count] of issueCounts) {
        if (count > issueLimit) {
          out.push({
            type: "issue",
            issue: makeIssue(code, `${count - issueLimit} more ${code} issues in this file are not listed`, {
              file,
            }),
          });
        }
      }
      return take();
    },
    get stopped() {
      return stopped;
    },
    get recordCount() {
      return records;
    },
  };
}
