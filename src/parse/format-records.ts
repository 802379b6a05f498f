import type { ExportRecord } from "../schemas/export-record.js";

export const RECORD_FORMATS = ["json", "ndjson", "csv"] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

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

/** Creates the formatter for an output format: a JSON array (one record a line), NDJSON, or semicolon CSV. */
export function createRecordFormatter(format: RecordFormat): RecordFormatter {
  if (format === "ndjson") {
    return {
      start: () => "",
      format(records) {
        let text = "";
        for (const record of records) text += `${JSON.stringify(record)}\n`;
        return text;
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
        text += `${first ? "\n" : ",\n"}${JSON.stringify(record)}`;
        first = false;
      }
      return text;
    },
    end: () => (first ? "]\n" : "\n]\n"),
  };
}

/** The format an output file's extension names (`.csv`, `.ndjson`, `.jsonl`, `.json`), if any. */
export function formatOfPath(path: string): RecordFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".ndjson") || lower.endsWith(".jsonl")) return "ndjson";
  if (lower.endsWith(".json")) return "json";
  return undefined;
}
