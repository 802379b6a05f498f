import type { DataFormat } from "../core/data-format.js";
import type { ExportRecord } from "../schemas/export-record.js";

/** The formats `parse` writes its records in. */
export type RecordFormat = DataFormat;

/** Turns records into output text piece by piece, so any number of them streams. */
export interface RecordFormatter {
  /** Text before the first record (a CSV header, an opening bracket). */
  start(): string;
  /** Text for the next records. */
  format(records: readonly ExportRecord[]): string;
  /** Text after the last record. */
  end(): string;
}

/** The CSV columns, in order: channels flattened to one set of columns per channel type. */
export const CSV_COLUMNS = [
  "kind",
  "contactId",
  "contactKey",
  "contactType",
  "couponId",
  "promotionId",
  "externalPromotionId",
  "description",
  "validFromDate",
  "expireDateTime",
  "posValueType",
  "posValue",
  "posInstruction",
  "ecomValueType",
  "ecomValue",
  "ecomInstruction",
  "currency",
  "storeId",
  "storeType",
  "redeemedDateTime",
  "otherChannels",
  "extra",
  "file",
  "line",
] as const;

const NEEDS_QUOTES = /[;"\r\n]/;

function csvField(value: string | undefined): string {
  if (value === undefined || value === "") return "";
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV row (without its line break) for a record. */
export function recordCsvRow(record: ExportRecord): string {
  let pos: ExportRecord["redemptionChannels"][number] | undefined;
  let ecom: ExportRecord["redemptionChannels"][number] | undefined;
  const others: ExportRecord["redemptionChannels"] = [];
  for (const channel of record.redemptionChannels) {
    const type = channel.type?.toUpperCase();
    if (type === "POS" && pos === undefined) pos = channel;
    else if (type === "ECOM" && ecom === undefined) ecom = channel;
    else others.push(channel);
  }
  const extraKeys = Object.keys(record.extra);
  // Timestamps as Engage wrote them: the raw text is what a person compares with the export.
  return [
    record.kind,
    record.contactId,
    record.contactKey,
    record.contactType,
    record.couponId,
    record.promotionId,
    record.externalPromotionId,
    record.description,
    record.validFromDate?.raw,
    record.expireDateTime?.raw,
    pos?.valueType,
    pos?.value,
    pos?.instruction,
    ecom?.valueType,
    ecom?.value,
    ecom?.instruction,
    record.currency,
    record.storeId,
    record.storeType,
    record.redeemedDateTime?.raw,
    // Channels without a POS or ECOM slot, and children the profile does not name, as JSON so
    // that a spreadsheet still shows everything the export held.
    others.length > 0 ? JSON.stringify(others) : undefined,
    extraKeys.length > 0 ? JSON.stringify(record.extra) : undefined,
    record.at.file,
    record.at.line === undefined ? undefined : String(record.at.line),
  ]
    .map(csvField)
    .join(";");
}

// Characters JSON.stringify escapes: quote, backslash, controls, and surrogates (a lone one is
// escaped; a pair merely sends the text down the slower exact path). A loop, not a regular
// expression: values are short, and the call costs more than the scan.
function jsonString(text: string): string {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

type Instant = NonNullable<ExportRecord["validFromDate"]>;

function jsonInstant(value: Instant): string {
  // A parsed instant's text is digits and -T:.,+Z only (the parser accepts nothing else), so
  // it needs no escaping; a hand-built one still gets the exact path.
  const raw = value.raw;
  if (value.instant === undefined) return `{"raw":${jsonString(raw)},"day":${jsonString(value.day)}}`;
  return SAFE_TIMESTAMP.test(raw)
    ? `{"raw":"${raw}","instant":"${value.instant}","day":"${value.day}"}`
    : `{"raw":${jsonString(raw)},"instant":${jsonString(value.instant)},"day":${jsonString(value.day)}}`;
}

const SAFE_TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.,]+(?:Z|z|[+-][0-9:]+)$/;

// Every record of a file names the same file: quote it once.
let lastFile = "";
let lastFileJson = '""';
function jsonFile(file: string): string {
  if (file !== lastFile) {
    lastFile = file;
    lastFileJson = jsonString(file);
  }
  return lastFileJson;
}

/**
 * A record as JSON, exactly as JSON.stringify writes it (a test holds the two together), but
 * faster: the keys are known, and most values need no escaping. Output speed is parse speed.
 */
export function recordJson(record: ExportRecord): string {
  let json = `{"kind":${jsonString(record.kind)}`;
  if (record.contactId !== undefined) json += `,"contactId":${jsonString(record.contactId)}`;
  if (record.contactKey !== undefined) json += `,"contactKey":${jsonString(record.contactKey)}`;
  if (record.contactType !== undefined) json += `,"contactType":${jsonString(record.contactType)}`;
  if (record.couponId !== undefined) json += `,"couponId":${jsonString(record.couponId)}`;
  if (record.promotionId !== undefined) json += `,"promotionId":${jsonString(record.promotionId)}`;
  if (record.externalPromotionId !== undefined)
    json += `,"externalPromotionId":${jsonString(record.externalPromotionId)}`;
  if (record.description !== undefined) json += `,"description":${jsonString(record.description)}`;
  if (record.validFromDate !== undefined) json += `,"validFromDate":${jsonInstant(record.validFromDate)}`;
  if (record.expireDateTime !== undefined) json += `,"expireDateTime":${jsonInstant(record.expireDateTime)}`;
  json += ',"redemptionChannels":[';
  const channels = record.redemptionChannels;
  for (let i = 0; i < channels.length; i += 1) {
    const channel = channels[i]!;
    let item = "";
    if (channel.type !== undefined) item += `,"type":${jsonString(channel.type)}`;
    if (channel.valueType !== undefined) item += `,"valueType":${jsonString(channel.valueType)}`;
    if (channel.value !== undefined) item += `,"value":${jsonString(channel.value)}`;
    if (channel.instruction !== undefined) item += `,"instruction":${jsonString(channel.instruction)}`;
    json += `${i === 0 ? "" : ","}{${item.slice(1)}}`;
  }
  json += "]";
  if (record.currency !== undefined) json += `,"currency":${jsonString(record.currency)}`;
  if (record.storeId !== undefined) json += `,"storeId":${jsonString(record.storeId)}`;
  if (record.storeType !== undefined) json += `,"storeType":${jsonString(record.storeType)}`;
  if (record.redeemedDateTime !== undefined)
    json += `,"redeemedDateTime":${jsonInstant(record.redeemedDateTime)}`;
  json += `,"extra":${JSON.stringify(record.extra)}`;
  const at = record.at;
  let where = `{"file":${jsonFile(at.file)}`;
  if (at.line !== undefined) where += `,"line":${at.line}`;
  if (at.column !== undefined) where += `,"column":${at.column}`;
  if (at.field !== undefined) where += `,"field":${jsonString(at.field)}`;
  if (at.record !== undefined) where += `,"record":${at.record}`;
  return `${json},"at":${where}}}`;
}

/** Creates the formatter for an output format: a JSON array (one record a line), NDJSON, or semicolon CSV. */
export function createRecordFormatter(format: RecordFormat): RecordFormatter {
  if (format === "ndjson") {
    return {
      start: () => "",
      format(records) {
        // One join, rather than a string grown piece by piece, which the write would then have to
        // flatten.
        const lines = new Array<string>(records.length + 1);
        for (let i = 0; i < records.length; i += 1) lines[i] = recordJson(records[i]!);
        lines[records.length] = "";
        return records.length === 0 ? "" : lines.join("\n");
      },
      end: () => "",
    };
  }
  if (format === "csv") {
    return {
      start: () => `${CSV_COLUMNS.join(";")}\n`,
      format(records) {
        let text = "";
        for (const record of records) text += `${recordCsvRow(record)}\n`;
        return text;
      },
      end: () => "",
    };
  }
  let first = true;
  return {
    start: () => "[",
    format(records) {
      let text = "";
      for (const record of records) {
        text += `${first ? "\n" : ",\n"}${recordJson(record)}`;
        first = false;
      }
      return text;
    },
    end: () => (first ? "]\n" : "\n]\n"),
  };
}
