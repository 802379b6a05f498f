import { makeIssue, quote, type Severity } from "../core/issue.js";
import type { IssueCode } from "../core/issue-codes.js";
import type { Location } from "../core/location.js";
import type { ExportInstant, ExportKind, ExportRecord } from "../schemas/export-record.js";
import type { Profile } from "../schemas/profile.js";
import type { ExportParseEvent } from "./export-parse-event.js";
import { exportFieldNames, RecordSlot, SLOT_COUNT, type NameInfo } from "./export-field-names.js";
import { parseExportInstant } from "./export-timestamp.js";
import {
  jsonStringRoom,
  putBytes,
  putInteger,
  putPlainString,
  putString,
  type JsonBytes,
} from "./json-bytes.js";
import { kindFromFileName, kindLookup } from "./record-kind.js";
import { createUtf8Check } from "./utf8-text.js";
import { createXmlReader, type XmlErrorKind, type XmlEvents } from "./xml-reader.js";

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
// - Text is kept as bytes (in one buffer reused from record to record) until a record is
//   complete; it becomes strings only for a consumer of record objects, while NDJSON output is
//   copied from those bytes into the output buffer.

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
  /** Records are written here as NDJSON lines (as `recordJson` writes them) instead of given back. */
  ndjson?: JsonBytes;
}

/** The default `maxFieldBytes`: 1 MiB, far above any real field and far below what costs memory. */
export const DEFAULT_MAX_FIELD_BYTES = 1024 * 1024;
/** The default `maxDepth`: an export nests four levels; 64 leaves room for any wrapping. */
export const DEFAULT_MAX_DEPTH = 64;
/** The pure core of the export parser: bytes in, records and issues out, no I/O. */
export interface ExportParser {
  /** Feeds the next bytes of the file (UTF-8, cut anywhere); returns what they completed. */
  write(bytes: Uint8Array): ExportParseEvent[];
  /**
   * Stops at the current position with a fatal issue the caller found below the XML level (bytes
   * that are not of the declared encoding); returns what that completed.
   */
  abort(code: "parse.encoding_invalid", message: string): ExportParseEvent[];
  /** Ends the input: reports a truncated file, no records, and the counted issues. */
  end(): ExportParseEvent[];
  /** True once a fatal issue stopped the file: further bytes are ignored. */
  readonly stopped: boolean;
  /** Records produced so far. */
  readonly recordCount: number;
  /** Records produced so far, by kind. */
  readonly kinds: Readonly<Record<ExportKind, number>>;
}

/** An open or closed element while it may still belong to a record. */
interface Frame {
  name: string;
  line: number;
  column: number;
  /** Text of a leaf, as a range of the text buffer; text beside child elements is dropped. */
  textStart: number;
  textEnd: number;
  /** Where the text buffer ended when this element opened: all its subtree's text is after. */
  mark: number;
  /** Kept children, the first `childCount` of the list (kept with the frame when it is reused). */
  children: Frame[] | null;
  childCount: number;
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
// The text before the root element, looked at to tell an empty file from a truncated one.
const PROLOG_LIMIT = 64 * 1024;

const INSTANT_FIELDS = ["validFromDate", "expireDateTime", "redeemedDateTime"] as const;

// Only XML's own white space (space, tab, CR, LF): a no-break space in a value is data.
function isXmlSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** A parsed timestamp text, remembered by its bytes. */
interface CachedInstant {
  /** The text's bytes (the first `keyLength` of them): an entry is overwritten in place. */
  key: Buffer;
  keyLength: number;
  raw: string;
  parsed: ExportInstant | null;
  /** Found again since it was written (the JSON is kept from then on). */
  seen: boolean;
  json: Buffer | undefined;
}

// Positions of `YYYY-MM-DDTHH:MM:SS` whose digits tell validity dates apart.
const INSTANT_SAMPLE = [3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
// How many of those positions a text of each length (up to 19) has.
const INSTANT_SAMPLES_BELOW = Array.from(
  { length: 20 },
  (_, n) => INSTANT_SAMPLE.filter((at) => at < n).length,
);

const ascii = (text: string): Buffer => Buffer.from(text, "latin1");
const KIND_JSON: Record<ExportKind, Buffer> = {
  assigned: ascii('{"kind":"assigned"'),
  redeemed: ascii('{"kind":"redeemed"'),
  deleted: ascii('{"kind":"deleted"'),
};
// The keys before each value slot's JSON, in the schema's order (timestamps and channels apart).
const SLOT_KEYS = [
  ',"contactId":',
  ',"contactKey":',
  ',"contactType":',
  ',"couponId":',
  ',"promotionId":',
  ',"externalPromotionId":',
  ',"description":',
  ',"validFromDate":',
  ',"expireDateTime":',
  "",
  ',"currency":',
  ',"storeId":',
  ',"storeType":',
  ',"redeemedDateTime":',
].map(ascii);
const CHANNEL_KEYS = ['"type":', '"valueType":', '"value":', '"instruction":'].map(ascii);
const CHANNELS_OPEN = ascii(',"redemptionChannels":[');
const RAW_KEY = ascii('{"raw":');
const INSTANT_KEY = ascii(',"instant":');
const DAY_KEY = ascii(',"day":');
const EMPTY_EXTRA = ascii(',"extra":{}');
const COLUMN_KEY = ascii(',"column":');
const RECORD_KEY = ascii(',"record":');
const RECORD_END = ascii("}}\n");

/** Creates the streaming export parser for one file. */
export function createExportParser(options: ExportParserOptions): ExportParser {
  const { file, profile } = options;
  const names = exportFieldNames(profile);
  const kindOf = kindLookup(profile);
  const fileKind = kindFromFileName(options.fileName ?? file);
  const issueLimit = options.issueLimit ?? 1000;
  const fieldNames = profile.export.fields;
  const ndjson = options.ndjson;

  const maxFieldBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  const stack: Frame[] = [];
  let out: ExportParseEvent[] = [];
  let records = 0;
  const kinds: Record<ExportKind, number> = { assigned: 0, redeemed: 0, deleted: 0 };
  let stopped = false;
  const utf8 = createUtf8Check();
  // The bytes before the root element, looked at to tell an empty file from a truncated one.
  let inProlog = true;
  let prologBytes = 0;
  let prologBlank = true;
  const issueCounts = new Map<IssueCode, number>();
  let unknownKinds = 0;
  let firstUnknownKind: Location | undefined;
  // Trimmed value ranges of the record being built, by slot (-1: none).
  const valueStart = new Int32Array(SLOT_COUNT).fill(-1);
  const valueEnd = new Int32Array(SLOT_COUNT);
  const valueFrames: (Frame | undefined)[] = new Array<Frame | undefined>(SLOT_COUNT);
  // The record's channels: four value ranges each (start, end; -1 when absent).
  let channelRanges = new Int32Array(64);
  let channelCount = 0;
  // The last index given to each repeated `extra` path of the current record.
  const repeats = new Map<string, number>();

  // Every element's leaf text, in document order: a record's subtree is one stretch at the end,
  // cut off again when the record is done, so the buffer stays as large as one record.
  let texts = Buffer.allocUnsafe(64 * 1024);
  let textsLength = 0;

  // Set by `trimmed`: the range of a frame's text without XML white space around it.
  let trimStart = 0;
  let trimEnd = 0;
  function trimmed(frame: Frame): boolean {
    let a = frame.textStart;
    let b = frame.textEnd;
    while (a < b && isXmlSpace(texts[a]!)) a += 1;
    while (b > a && isXmlSpace(texts[b - 1]!)) b -= 1;
    trimStart = a;
    trimEnd = b;
    return b > a;
  }

  function textOf(start: number, end: number): string {
    return texts.toString("utf8", start, end);
  }

  function trimmedText(frame: Frame): string {
    return trimmed(frame) ? textOf(trimStart, trimEnd) : "";
  }

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
    if (frame.childCount === 0) putExtra(extra, path, frame.hasChild ? "" : trimmedText(frame));
    else for (let k = 0; k < frame.childCount; k += 1) addExtra(extra, frame.children![k]!, `${path}.`);
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

  // Validity dates repeat across the records of a promotion: each text is parsed once (slots by
  // the length and the month, day and time digits), found again by comparing bytes. One cache
  // per field, so the redemption times (all different) do not push the validity dates out.
  const instantCaches = [0, 1, 2].map(() => new Array<CachedInstant | undefined>(256).fill(undefined));
  function cachedInstant(cache: (CachedInstant | undefined)[], start: number, end: number): CachedInstant {
    const n = end - start;
    let hash = n;
    const sampled = INSTANT_SAMPLES_BELOW[Math.min(n, 19)]!;
    for (let k = 0; k < sampled; k += 1) hash = (hash * 31 + texts[start + INSTANT_SAMPLE[k]!]!) | 0;
    const slot = (hash ^ (hash >>> 9)) & 255;
    let entry = cache[slot];
    if (entry !== undefined && entry.keyLength === n) {
      const key = entry.key;
      let k = 0;
      while (k < n && key[k] === texts[start + k]) k += 1;
      if (k === n) {
        entry.seen = true;
        return entry;
      }
    }
    const raw = textOf(start, end);
    const parsed = parseExportInstant(raw) ?? null;
    if (entry === undefined || entry.key.length < n) {
      entry = {
        key: Buffer.allocUnsafe(Math.max(n, 40)),
        keyLength: 0,
        raw,
        parsed,
        seen: false,
        json: undefined,
      };
      cache[slot] = entry;
    }
    texts.copy(entry.key, 0, start, end);
    entry.keyLength = n;
    entry.raw = raw;
    entry.parsed = parsed;
    entry.seen = false;
    entry.json = undefined;
    return entry;
  }

  // The copy keeps records from sharing an object a consumer might change.
  function instantValue(entry: CachedInstant): ExportInstant | undefined {
    const parsed = entry.parsed;
    if (parsed === null) return undefined;
    return parsed.instant === undefined
      ? { raw: entry.raw, day: parsed.day }
      : { raw: entry.raw, instant: parsed.instant, day: parsed.day };
  }

  // A timestamp's JSON (as `recordJson` writes it): `raw` from the bytes, escaped as any text;
  // the instant and day, which the parser wrote in digits and `-T:.Z+`, as they are.
  // A text found again keeps its JSON, so a validity date repeated across a promotion's records
  // is one copy; one seen once (a redemption time) is not worth the copy.
  function putInstant(b: Buffer, at: number, slot: number, entry: CachedInstant): number {
    if (entry.json !== undefined) return putBytes(b, at, entry.json);
    const from = at;
    const parsed = entry.parsed!;
    at = putBytes(b, at, RAW_KEY);
    at = putString(b, at, texts, valueStart[slot]!, valueEnd[slot]!);
    if (parsed.instant !== undefined) {
      at = putBytes(b, at, INSTANT_KEY);
      at = putPlainString(b, at, parsed.instant);
    }
    at = putBytes(b, at, DAY_KEY);
    at = putPlainString(b, at, parsed.day);
    b[at++] = 0x7d;
    if (entry.seen) entry.json = Buffer.from(b.subarray(from, at));
    return at;
  }

  function addChannel(frame: Frame, extra: Record<string, string> | null): Record<string, string> | null {
    const index = channelCount;
    channelCount += 1;
    if (channelRanges.length < channelCount * 8) {
      const grown = new Int32Array(channelRanges.length * 2);
      grown.set(channelRanges);
      channelRanges = grown;
    }
    const ranges = channelRanges;
    const base = index * 8;
    for (let k = 0; k < 8; k += 2) ranges[base + k] = -1;
    const prefix = `${fieldNames.redemptionChannels}[${index}]`;
    if (frame.childCount === 0) {
      if (trimmed(frame)) putExtra((extra ??= {}), prefix, textOf(trimStart, trimEnd));
      return extra;
    }
    for (let c = 0; c < frame.childCount; c += 1) {
      const child = frame.children![c]!;
      const slot = names.channel(child.name);
      if (slot < 0 || child.childCount > 0 || ranges[base + slot * 2]! >= 0) {
        addExtra((extra ??= {}), child, `${prefix}.`);
        continue;
      }
      if (trimmed(child)) {
        ranges[base + slot * 2] = trimStart;
        ranges[base + slot * 2 + 1] = trimEnd;
      }
    }
    return extra;
  }

  function channelObjects(): ExportChannel[] {
    const channels: ExportChannel[] = [];
    const ranges = channelRanges;
    for (let c = 0; c < channelCount; c += 1) {
      const base = c * 8;
      const channel: ExportChannel = {};
      if (ranges[base]! >= 0) channel.type = textOf(ranges[base]!, ranges[base + 1]!);
      if (ranges[base + 2]! >= 0) channel.valueType = textOf(ranges[base + 2]!, ranges[base + 3]!);
      if (ranges[base + 4]! >= 0) channel.value = textOf(ranges[base + 4]!, ranges[base + 5]!);
      if (ranges[base + 6]! >= 0) channel.instruction = textOf(ranges[base + 6]!, ranges[base + 7]!);
      channels.push(channel);
    }
    return channels;
  }

  // A timestamp slot's text, parsed; one that does not parse is left out (its `day` could not be
  // trusted) and its raw text kept in `extra`, so nothing Engage wrote is lost; the issue makes
  // the run exit 65.
  const instants: (CachedInstant | undefined)[] = [undefined, undefined, undefined];
  function instant(
    slot: 7 | 8 | 13,
    index: 0 | 1 | 2,
    extra: Record<string, string> | null,
  ): Record<string, string> | null {
    instants[index] = undefined;
    if (valueStart[slot]! < 0) return extra;
    const entry = cachedInstant(instantCaches[index]!, valueStart[slot]!, valueEnd[slot]!);
    if (entry.parsed !== null) {
      instants[index] = entry;
      return extra;
    }
    const field = INSTANT_FIELDS[index];
    putExtra((extra ??= {}), fieldNames[field], entry.raw);
    const at = valueFrames[slot];
    const where: Location = { file, field, record: records };
    if (at !== undefined) {
      where.line = at.line;
      where.column = at.column;
    }
    report(
      "parse.invalid_value",
      `${field}: expected a date like 2026-03-05 or a timestamp like 2026-03-05T00:00:00+01:00, got ${quote(entry.raw)}`,
      where,
    );
    return extra;
  }

  function buildRecord(frame: Frame): void {
    if (repeats.size > 0) repeats.clear();
    valueStart.fill(-1);
    valueFrames.fill(undefined);
    channelCount = 0;
    let extra: Record<string, string> | null = null;
    const children = frame.children;
    for (let c = 0; c < frame.childCount; c += 1) {
      const child = children![c]!;
      const slot = (child.info ?? names.record(child.name)).slot;
      if (slot < 0) {
        addExtra((extra ??= {}), child, "");
      } else if (slot === RecordSlot.redemptionChannels) {
        if (child.childCount > 0) {
          for (let k = 0; k < child.childCount; k += 1) extra = addChannel(child.children![k]!, extra);
        } else if (trimmed(child)) {
          addExtra((extra ??= {}), child, "");
        }
      } else if (slot === RecordSlot.redemptionChannel) {
        extra = addChannel(child, extra);
      } else if (valueStart[slot]! >= 0) {
        // A field given twice: the first counts, the others are kept as `name[1]`, `name[2]` ….
        if (child.childCount > 0) addExtra((extra ??= {}), child, "");
        else putExtra((extra ??= {}), child.name, trimmedText(child), true);
      } else if (child.childCount > 0) {
        // Structure where text belongs: kept, not guessed at.
        addExtra((extra ??= {}), child, "");
      } else if (trimmed(child)) {
        valueStart[slot] = trimStart;
        valueEnd[slot] = trimEnd;
        valueFrames[slot] = child;
      }
    }

    records += 1;
    const recordNumber = records;

    // The record element's name, then its ancestors' (a `<redeemed>` wrapper), then the file
    // name, then the fields: a redemption time means redeemed.
    let kind: ExportKind | undefined = kindOf(frame.name);
    for (let i = stack.length - 1; kind === undefined && i >= 0; i -= 1) kind = kindOf(stack[i]!.name);
    kind ??= fileKind;
    if (kind === undefined) {
      if (valueStart[RecordSlot.redeemedDateTime]! >= 0) {
        kind = "redeemed";
      } else {
        // Nothing tells assigned from deleted: assigned is what an export without a kind most
        // often holds, and the warning says the guess was made.
        kind = "assigned";
        unknownKinds += 1;
        firstUnknownKind ??= { file, line: frame.line, column: frame.column, record: recordNumber };
      }
    }
    kinds[kind] += 1;

    // Timestamps first: their issues come before the record, as when the record was built.
    extra = instant(RecordSlot.validFromDate, 0, extra);
    extra = instant(RecordSlot.expireDateTime, 1, extra);
    extra = instant(RecordSlot.redeemedDateTime, 2, extra);
    if (ndjson === undefined) out.push({ type: "record", record: recordObject(kind, frame, extra) });
    else writeRecord(ndjson, kind, frame, extra);
  }

  // Built field by field in the schema's order, so every output lists fields the same way.
  function recordObject(kind: ExportKind, frame: Frame, extra: Record<string, string> | null): ExportRecord {
    const record = { kind } as ExportRecord;
    const s = valueStart;
    const e = valueEnd;
    if (s[0]! >= 0) record.contactId = textOf(s[0]!, e[0]!);
    if (s[1]! >= 0) record.contactKey = textOf(s[1]!, e[1]!);
    if (s[2]! >= 0) record.contactType = textOf(s[2]!, e[2]!);
    if (s[3]! >= 0) record.couponId = textOf(s[3]!, e[3]!);
    if (s[4]! >= 0) record.promotionId = textOf(s[4]!, e[4]!);
    if (s[5]! >= 0) record.externalPromotionId = textOf(s[5]!, e[5]!);
    if (s[6]! >= 0) record.description = textOf(s[6]!, e[6]!);
    if (instants[0] !== undefined) record.validFromDate = instantValue(instants[0])!;
    if (instants[1] !== undefined) record.expireDateTime = instantValue(instants[1])!;
    record.redemptionChannels = channelObjects();
    if (s[10]! >= 0) record.currency = textOf(s[10]!, e[10]!);
    if (s[11]! >= 0) record.storeId = textOf(s[11]!, e[11]!);
    if (s[12]! >= 0) record.storeType = textOf(s[12]!, e[12]!);
    if (instants[2] !== undefined) record.redeemedDateTime = instantValue(instants[2])!;
    record.extra = extra ?? {};
    record.at = { file, line: frame.line, column: frame.column, record: records };
    return record;
  }

  // The NDJSON line of a record, byte for byte what `recordJson` writes for its object, written
  // into room asked for once: every value is a range of the record's text, at most six bytes
  // of JSON each.
  const fileJson = Buffer.from(`,"at":{"file":${JSON.stringify(file)},"line":`);
  function writeRecord(
    json: JsonBytes,
    kind: ExportKind,
    frame: Frame,
    extra: Record<string, string> | null,
  ): void {
    const extraJson = extra === null ? EMPTY_EXTRA : Buffer.from(`,"extra":${JSON.stringify(extra)}`);
    const most =
      1024 +
      channelCount * 64 +
      jsonStringRoom(textsLength - frame.mark) +
      extraJson.length +
      fileJson.length;
    const b = json.room(most);
    let at = putBytes(b, json.length, KIND_JSON[kind]);
    const s = valueStart;
    const e = valueEnd;
    for (let slot = 0; slot < 7; slot += 1) {
      if (s[slot]! < 0) continue;
      at = putBytes(b, at, SLOT_KEYS[slot]!);
      at = putString(b, at, texts, s[slot]!, e[slot]!);
    }
    if (instants[0] !== undefined) {
      at = putBytes(b, at, SLOT_KEYS[7]!);
      at = putInstant(b, at, 7, instants[0]);
    }
    if (instants[1] !== undefined) {
      at = putBytes(b, at, SLOT_KEYS[8]!);
      at = putInstant(b, at, 8, instants[1]);
    }
    at = putBytes(b, at, CHANNELS_OPEN);
    const ranges = channelRanges;
    for (let c = 0; c < channelCount; c += 1) {
      if (c > 0) b[at++] = 0x2c;
      b[at++] = 0x7b;
      let first = true;
      for (let k = 0; k < 4; k += 1) {
        const from = c * 8 + k * 2;
        if (ranges[from]! < 0) continue;
        if (!first) b[at++] = 0x2c;
        first = false;
        at = putBytes(b, at, CHANNEL_KEYS[k]!);
        at = putString(b, at, texts, ranges[from]!, ranges[from + 1]!);
      }
      b[at++] = 0x7d;
    }
    b[at++] = 0x5d;
    for (let slot = 10; slot < 13; slot += 1) {
      if (s[slot]! < 0) continue;
      at = putBytes(b, at, SLOT_KEYS[slot]!);
      at = putString(b, at, texts, s[slot]!, e[slot]!);
    }
    if (instants[2] !== undefined) {
      at = putBytes(b, at, SLOT_KEYS[13]!);
      at = putInstant(b, at, 13, instants[2]);
    }
    at = putBytes(b, at, extraJson);
    at = putBytes(b, at, fileJson);
    at = putInteger(b, at, frame.line);
    at = putBytes(b, at, COLUMN_KEY);
    at = putInteger(b, at, frame.column);
    at = putBytes(b, at, RECORD_KEY);
    at = putInteger(b, at, records);
    json.length = putBytes(b, at, RECORD_END);
  }

  // What the profile makes of each element name, by the reader's id for it: found by one
  // comparison instead of a lookup per element.
  const infoNames = new Array<string | undefined>(1024).fill(undefined);
  const infos = new Array<NameInfo | undefined>(1024).fill(undefined);

  function open(name: string, line: number, column: number, id: number): void {
    if (stopped) return;
    events.spaceWanted = false;
    inProlog = false;
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
    let frame = framePool.pop();
    if (frame === undefined) {
      frame = {
        name,
        line,
        column,
        textStart: textsLength,
        textEnd: textsLength,
        mark: textsLength,
        children: null,
        childCount: 0,
        hasChild: false,
        isRecord: false,
        hasText: false,
        mixed: false,
        nodes: 1,
        info: undefined,
      };
    } else {
      frame.name = name;
      frame.line = line;
      frame.column = column;
      frame.textStart = textsLength;
      frame.textEnd = textsLength;
      frame.mark = textsLength;
      frame.hasChild = false;
      frame.isRecord = false;
      frame.hasText = false;
      frame.mixed = false;
      frame.nodes = 1;
    }
    if (infoNames[id] === name) frame.info = infos[id];
    else {
      const info = names.record(name);
      infoNames[id] = name;
      infos[id] = info;
      frame.info = info;
    }
    stack.push(frame);
  }

  // Frames of a finished record (or of a subtree not kept) are used again for the next elements:
  // an export has millions of elements, each a frame, and reuse spares the collector.
  const framePool: Frame[] = [];
  function release(frame: Frame): void {
    const children = frame.children;
    for (let k = 0; k < frame.childCount; k += 1) release(children![k]!);
    frame.childCount = 0;
    frame.info = undefined;
    if (framePool.length < 4096) framePool.push(frame);
  }

  function text(source: Uint8Array, start: number, end: number, space: boolean): void {
    if (stopped) return;
    const top = stack[stack.length - 1];
    if (top === undefined) return;
    if (!space && !top.hasText) {
      top.hasText = true;
      if (top.hasChild) reportMixed(top);
    }
    // Text beside child elements is indentation (or reported above), and white space before a
    // value is trimmed anyway: neither is kept.
    const held = top.textEnd - top.textStart;
    if (top.hasChild || (space && held === 0)) return;
    const length = end - start;
    // Refused before it is copied: memory stays bounded by the limit plus one read.
    if (held + length > maxFieldBytes) {
      refuseLarge(`the text of <${top.name}>`, top.line, top.column);
      return;
    }
    // A leaf's pieces follow each other at the end of the buffer (nothing else is kept while
    // it is the innermost element), so its text stays one range.
    if (held === 0) top.textStart = textsLength;
    if (textsLength + length > texts.length) {
      const grown = Buffer.allocUnsafe(Math.max(texts.length * 2, textsLength + length));
      texts.copy(grown, 0, 0, textsLength);
      texts = grown;
    }
    if (length < 48) {
      const b = texts;
      let at = textsLength;
      for (let k = start; k < end; k += 1) b[at++] = source[k]!;
    } else {
      texts.set(source.subarray(start, end), textsLength);
    }
    textsLength += length;
    top.textEnd = textsLength;
    // White space after this text belongs to it, until the next tag.
    events.spaceWanted = true;
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
    events.spaceWanted = false;
    const frame = stack.pop();
    if (frame === undefined) return;
    if (frame.isRecord) {
      buildRecord(frame);
      textsLength = frame.mark;
      release(frame);
      return;
    }
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      textsLength = frame.mark;
      release(frame);
      return;
    }
    const info = frame.info!;
    if (info.isKey) parent.isRecord = true;
    else if (parent.nodes + frame.nodes > MAX_RECORD_NODES) {
      // Not kept: its text, the last in the buffer, goes too.
      textsLength = frame.mark;
      release(frame);
      return;
    }
    (parent.children ??= [])[parent.childCount] = frame;
    parent.childCount += 1;
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

  const events: XmlEvents = {
    open,
    text,
    close,
    leaf(name, line, column, id, source, start, end, space) {
      open(name, line, column, id);
      if (!space && end > start) text(source, start, end, false);
      close();
    },
    doctype,
    error,
    tooLarge: (line, column) => refuseLarge("a name, comment, CDATA section or attribute", line, column),
    spaceWanted: false,
  };
  const reader = createXmlReader(events, { maxMarkupBytes: maxFieldBytes });

  // The prolog's bytes, as far as they are looked at: only white space (a byte order mark
  // aside) makes a file that ends there empty rather than truncated.
  function notePrologue(piece: Uint8Array): void {
    let k = 0;
    if (prologBytes === 0 && piece[0] === 0xef && piece[1] === 0xbb && piece[2] === 0xbf) k = 3;
    const n = Math.min(piece.length, PROLOG_LIMIT);
    for (; k < n && prologBlank; k += 1) if (!isXmlSpace(piece[k]!)) prologBlank = false;
    prologBytes += n;
  }

  function abort(code: "parse.encoding_invalid", message: string): void {
    if (stopped) return;
    report(code, message, { file, ...reader.position() });
    stop();
  }

  return {
    write(bytes) {
      if (stopped || bytes.length === 0) return take();
      const checked = utf8.check(bytes);
      for (const piece of checked.pieces) {
        if (inProlog && prologBytes < PROLOG_LIMIT) notePrologue(piece);
        reader.write(piece);
        if (stopped) break;
      }
      if (checked.error !== undefined) abort("parse.encoding_invalid", checked.error);
      return take();
    },
    abort(code, message) {
      abort(code, message);
      return take();
    },
    end() {
      if (!stopped) {
        const rest = utf8.end();
        if (rest.error !== undefined) abort("parse.encoding_invalid", rest.error);
      }
      if (!stopped) {
        const complete = reader.end();
        if (!stopped && !complete) {
          if (inProlog && prologBytes < PROLOG_LIMIT && prologBlank) {
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
    get kinds() {
      return kinds;
    },
  };
}
