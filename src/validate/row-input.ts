import type { Location } from "../core/location.js";
import {
  CHANNEL_KEYS,
  createNameResolver,
  namesOf,
  PRESENTATION_KEYS,
  type RecordKind,
} from "../read/field-names.js";
import type { JsonNode } from "../read/json-parser.js";
import type { CsvRow, CsvTable, JsonRow, RawRow } from "../read/raw-row.js";
import { withZoneOffset } from "./dates.js";

/** What shaping needs besides the row. */
export interface ShapeContext {
  /** IANA zone that offset-less date-times are read in. */
  timezone?: string | undefined;
  columns?: Readonly<Record<string, string>> | undefined;
  /** Called for a JSON key the tool does not know (path as `presentation.foo`). */
  unknownKey?: (path: string, at: Location) => void;
}

type Path = readonly PropertyKey[];

/** An input record in the shape of the input schemas: text values, empty text as absent. */
export type InputRecord = Record<string, unknown>;

const DATE_FIELDS = new Set(["validFromDate", "validToDate"]);

function dateValue(value: string | undefined, timezone: string | undefined): string | undefined {
  if (value === undefined || timezone === undefined) return value;
  return withZoneOffset(value, timezone) ?? value;
}

// ---------------------------------------------------------------------------------- CSV

interface AssignmentColumns {
  externalPromotionId: number;
  promotionCodeId: number;
  contactId: number;
  externalContactId: number;
  validFromDate: number;
}

const assignmentColumns = new WeakMap<CsvTable, AssignmentColumns>();

function columnsOf(table: CsvTable): AssignmentColumns {
  let columns = assignmentColumns.get(table);
  if (columns === undefined) {
    const at = (field: string) => table.columnOf.get(field) ?? -1;
    columns = {
      externalPromotionId: at("externalPromotionId"),
      promotionCodeId: at("promotionCodeId"),
      contactId: at("contactId"),
      externalContactId: at("externalContactId"),
      validFromDate: at("validFromDate"),
    };
    assignmentColumns.set(table, columns);
  }
  return columns;
}

function cell(values: readonly string[], index: number): string | undefined {
  if (index < 0) return undefined;
  const value = values[index];
  return value === undefined || value === "" ? undefined : value;
}

function csvValue(row: CsvRow, field: string): string | undefined {
  return cell(row.values, row.table.columnOf.get(field) ?? -1);
}

/** The channel prefixes of a CSV definition row, in the order its channels are built. */
function csvChannels(row: CsvRow): ("pos" | "ecom")[] {
  const out: ("pos" | "ecom")[] = [];
  for (const prefix of ["pos", "ecom"] as const) {
    if (
      csvValue(row, `${prefix}ValueType`) !== undefined ||
      csvValue(row, `${prefix}Value`) !== undefined ||
      csvValue(row, `${prefix}Instruction`) !== undefined
    ) {
      out.push(prefix);
    }
  }
  return out;
}

function assignmentFromCsv(row: CsvRow, context: ShapeContext): InputRecord {
  const c = columnsOf(row.table);
  const v = row.values;
  return {
    externalPromotionId: cell(v, c.externalPromotionId),
    promotionCodeId: cell(v, c.promotionCodeId),
    contactId: cell(v, c.contactId),
    externalContactId: cell(v, c.externalContactId),
    validFromDate: dateValue(cell(v, c.validFromDate), context.timezone),
  };
}

function promotionFromCsv(row: CsvRow, context: ShapeContext): InputRecord {
  const heading = csvValue(row, "heading");
  const description = csvValue(row, "description");
  const channels = csvChannels(row).map((prefix) => ({
    type: prefix === "pos" ? "POS" : "ECOM",
    valueType: csvValue(row, `${prefix}ValueType`),
    value: csvValue(row, `${prefix}Value`),
    instruction: csvValue(row, `${prefix}Instruction`),
  }));
  return {
    externalPromotionId: csvValue(row, "externalPromotionId"),
    promotionName: csvValue(row, "promotionName"),
    published: csvValue(row, "published"),
    validFromDate: dateValue(csvValue(row, "validFromDate"), context.timezone),
    validToDate: dateValue(csvValue(row, "validToDate"), context.timezone),
    presentation: heading === undefined && description === undefined ? undefined : { heading, description },
    redemptionChannels: channels.length === 0 ? undefined : channels,
  };
}

function locateCsv(row: CsvRow, path: Path): Location {
  let field = String(path[0] ?? "");
  if (field === "presentation") field = String(path[1] ?? "heading");
  if (field === "redemptionChannels") {
    const prefix = csvChannels(row)[Number(path[1] ?? 0)] ?? "pos";
    const sub = String(path[2] ?? "valueType");
    field = prefix + sub[0]!.toUpperCase() + sub.slice(1);
  }
  const index = row.table.columnOf.get(field);
  const at: Location = { file: row.at.file, line: row.at.line ?? 1, field };
  if (index !== undefined) at.column = index + 1;
  return at;
}

function rawFromCsv(row: CsvRow): Record<string, string> {
  const raw: Record<string, string> = {};
  row.values.forEach((value, index) => {
    const name = row.table.header[index];
    const key = name === undefined || name === "" || Object.hasOwn(raw, name) ? `#${index + 1}` : name;
    raw[key] = value;
  });
  return raw;
}

// --------------------------------------------------------------------------------- JSON

/** The known keys at each level of a record: top level by kind, then nested objects. */
interface Level {
  resolve: (key: string) => string | undefined;
  child: (field: string) => Level | undefined;
  items?: Level;
}

const resolvers = new Map<string, (key: string) => string | undefined>();

function resolverFor(
  names: readonly string[],
  columns?: Readonly<Record<string, string>>,
): (key: string) => string | undefined {
  const id = `${names.join(",")}|${JSON.stringify(columns ?? {})}`;
  let resolve = resolvers.get(id);
  if (resolve === undefined) {
    resolve = createNameResolver(names, columns);
    resolvers.set(id, resolve);
  }
  return resolve;
}

function levelsFor(kind: RecordKind, columns?: Readonly<Record<string, string>>): Level {
  const channel: Level = { resolve: resolverFor(CHANNEL_KEYS), child: () => undefined };
  const presentation: Level = { resolve: resolverFor(PRESENTATION_KEYS), child: () => undefined };
  const channels: Level = { resolve: () => undefined, child: () => undefined, items: channel };
  return {
    resolve: resolverFor(namesOf(kind, "json"), columns),
    child: (field) =>
      field === "presentation" ? presentation : field === "redemptionChannels" ? channels : undefined,
  };
}

function plain(
  node: JsonNode,
  level: Level | undefined,
  path: string,
  row: JsonRow,
  context: ShapeContext,
  dates: boolean,
): unknown {
  switch (node.type) {
    case "string":
      if (node.value === "") return undefined;
      return dates ? dateValue(node.value, context.timezone) : node.value;
    case "number":
      return node.raw;
    case "boolean":
      return node.value;
    case "null":
      return undefined;
    case "array":
      return node.items.map((item, i) => plain(item, level?.items, `${path}[${i}]`, row, context, false));
    case "object": {
      const out: Record<string, unknown> = {};
      for (const entry of node.entries) {
        const field = level === undefined ? entry.key : level.resolve(entry.key);
        const here = path === "" ? (field ?? entry.key) : `${path}.${field ?? entry.key}`;
        if (field === undefined) {
          context.unknownKey?.(here, {
            file: row.at.file,
            line: entry.line,
            column: entry.column,
            field: here,
          });
          continue;
        }
        out[field] = plain(
          entry.value,
          level?.child(field),
          here,
          row,
          context,
          level !== undefined && path === "" && DATE_FIELDS.has(field),
        );
      }
      return out;
    }
  }
}

function inputFromJson(row: JsonRow, kind: RecordKind, context: ShapeContext): InputRecord {
  const node = row.node;
  if (node === undefined || node.type !== "object") return {};
  return plain(node, levelsFor(kind, context.columns), "", row, context, false) as InputRecord;
}

/** Formats a path as our JSON field name: `redemptionChannels[0].value`. */
export function pathName(path: Path): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

function locateJson(
  row: JsonRow,
  kind: RecordKind,
  path: Path,
  columns?: Readonly<Record<string, string>>,
): Location {
  let node: JsonNode | undefined = row.node;
  let level: Level | undefined = levelsFor(kind, columns);
  let line = row.at.line ?? 1;
  let column: number | undefined = node?.column;
  for (const part of path) {
    if (node === undefined) break;
    if (typeof part === "number" && node.type === "array") {
      node = node.items[part];
      level = level?.items;
    } else if (node.type === "object") {
      const l: Level | undefined = level;
      const entry = node.entries.find((e) => (l === undefined ? e.key : l.resolve(e.key)) === String(part));
      node = entry?.value;
      level = level?.child(String(part));
    } else {
      node = undefined;
    }
    if (node !== undefined) {
      line = node.line;
      column = node.column;
    }
  }
  const at: Location = { file: row.at.file, line, field: pathName(path) };
  if (column !== undefined) at.column = column;
  return at;
}

function flatten(node: JsonNode, path: string, out: Record<string, string>): void {
  switch (node.type) {
    case "object":
      for (const entry of node.entries)
        flatten(entry.value, path === "" ? entry.key : `${path}.${entry.key}`, out);
      return;
    case "array":
      node.items.forEach((item, i) => flatten(item, `${path}[${i}]`, out));
      return;
    case "string":
      out[path] = node.value;
      return;
    case "number":
      out[path] = node.raw;
      return;
    case "boolean":
      out[path] = String(node.value);
      return;
    case "null":
      out[path] = "";
      return;
  }
}

function rawFromJson(row: JsonRow): Record<string, string> {
  const node = row.node;
  if (node === undefined) return { "#text": row.source };
  if (node.type !== "object") return { "#value": row.source.slice(node.start, node.end) };
  const out: Record<string, string> = {};
  flatten(node, "", out);
  return out;
}

// ------------------------------------------------------------------------------- shared

/** Shapes a row of an assignments file into the record the assignment input schema checks. */
export function assignmentInputOf(row: RawRow, context: ShapeContext): InputRecord {
  return row.format === "csv" ? assignmentFromCsv(row, context) : inputFromJson(row, "assignments", context);
}

/** Shapes a row of a definitions file into the record the promotion input schema checks. */
export function promotionInputOf(row: RawRow, context: ShapeContext): InputRecord {
  return row.format === "csv" ? promotionFromCsv(row, context) : inputFromJson(row, "definitions", context);
}

/** Where a field of the shaped record sits in the file: line, column, and its name there. */
export function locateField(row: RawRow, kind: RecordKind, path: Path, context: ShapeContext): Location {
  return row.format === "csv" ? locateCsv(row, path) : locateJson(row, kind, path, context.columns);
}

/** The values of a row as the user gave them, for rejects.csv (CSV: by header name; JSON: by path). */
export function rawValuesOf(row: RawRow): Record<string, string> {
  return row.format === "csv" ? rawFromCsv(row) : rawFromJson(row);
}

/** The value at a path of a shaped record. */
export function valueAt(record: unknown, path: Path): unknown {
  let value = record;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}
