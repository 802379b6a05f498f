import { dirname, resolve } from "node:path";
import * as z from "zod";
import { EngageError } from "../core/errors.js";
import { readConfigJson } from "../core/read-config-json.js";
import { readNamedFile } from "../core/read-named-file.js";
import { describeZodIssues } from "../profile/load-profile.js";
import { CsvScanner, type CsvRecord } from "../read/csv-scanner.js";
import { normalizeName } from "../read/field-names.js";
import { Utf8Text } from "../read/utf8-text.js";
import { VoucherifyMappingSchema, type VoucherifyMapping } from "../schemas/voucherify-mapping.js";
import type { ResolvedMapping } from "./plan-redemptions.js";

const GUID = z.guid();
/** At most this many problems of a customers file are named in the message. */
const SHOWN = 5;

function invalid(message: string): EngageError {
  return new EngageError("bad_config", "import.mapping_invalid", message);
}

/** Checks a parsed mapping document against its schema; a problem is a configuration error (exit 78). */
export function parseMapping(data: unknown, source: string): VoucherifyMapping {
  const result = VoucherifyMappingSchema.safeParse(data);
  if (!result.success) throw invalid(`mapping ${source}: ${describeZodIssues(result.error.issues)}`);
  return result.data;
}

/**
 * Reads a customers CSV (`sourceId;contactId`, or `customer.source_id` for the first column;
 * `;` or `,`): source id → Engage contact GUID. A bad GUID, or one source id given two
 * contacts, is a configuration error that names the lines.
 */
export function parseCustomersCsv(
  text: string,
  label: string,
  into: Map<string, string>,
  origin: Map<string, string | number>,
): void {
  const scanner = new CsvScanner();
  const decoder = new Utf8Text();
  const bytes = Buffer.from(text, "utf8");
  let columns: { source: number; contact: number } | undefined;
  const problems: string[] = [];
  // Read in slices, each slice's records checked and dropped before the next is scanned: a
  // customer base of hundreds of thousands is held only as the lookup table it becomes.
  const take = (records: CsvRecord[]): void => {
    for (const rec of records) {
      if (columns === undefined) columns = headerColumns(rec, label, scanner.separator);
      else takeCustomer(rec, columns, label, into, origin, problems);
    }
  };
  for (let at = 0; at < bytes.length; at += CUSTOMERS_SLICE)
    take(scanner.push(decoder.decode(bytes.subarray(at, at + CUSTOMERS_SLICE)).text));
  take(scanner.push(decoder.end().text));
  take(scanner.end());
  if (columns === undefined)
    throw invalid(`customers file ${label}: expected a header sourceId;contactId, got an empty file`);
  if (problems.length > 0) {
    const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : "";
    throw invalid(`customers file ${label}: ${problems.slice(0, SHOWN).join("; ")}${more}`);
  }
}

/** Bytes of a customers file scanned at a time. */
const CUSTOMERS_SLICE = 1024 * 1024;

function headerColumns(
  header: CsvRecord,
  label: string,
  separator: string | undefined,
): { source: number; contact: number } {
  const names = header.fields.map((f) => normalizeName(f.trim()));
  const source = names.findIndex((n) => n === "sourceid" || n === "customersourceid");
  const contact = names.indexOf("contactid");
  if (source < 0 || contact < 0)
    throw invalid(
      `customers file ${label}: expected the columns sourceId and contactId, got ${JSON.stringify(header.fields.join(separator ?? ";"))}`,
    );
  return { source, contact };
}

/**
 * One customer line into the table, or its problem into `problems`. `origin` keeps where each
 * source id came from, as the line number for a file's (a number takes no memory of its own).
 */
function takeCustomer(
  rec: CsvRecord,
  { source, contact }: { source: number; contact: number },
  label: string,
  into: Map<string, string>,
  origin: Map<string, string | number>,
  problems: string[],
): void {
  const where = (): string => `${label}:${rec.line}`;
  if (rec.problem !== undefined) {
    problems.push(`${where()}: ${rec.problem.message}`);
    return;
  }
  const key = rec.fields[source]?.trim() ?? "";
  const value = rec.fields[contact]?.trim() ?? "";
  if (key === "") {
    problems.push(`${where()}: sourceId: expected a customer source id, got nothing`);
    return;
  }
  if (!GUID.safeParse(value).success) {
    problems.push(`${where()}: contactId: expected an Engage contact GUID, got ${JSON.stringify(value)}`);
    return;
  }
  const before = into.get(key);
  if (before !== undefined && before.toLowerCase() !== value.toLowerCase()) {
    const first = origin.get(key);
    problems.push(
      `${where()}: sourceId ${JSON.stringify(key)} maps to ${value}, but ${typeof first === "number" ? `${label}:${first}` : first} maps it to ${before}`,
    );
    return;
  }
  into.set(key, value);
  origin.set(key, rec.line);
}

/** Loads `--map`: the JSON mapping and, when it names one, its customers CSV, merged into lookup tables. */
export async function loadMapping(path: string, cwd: string): Promise<ResolvedMapping> {
  const full = resolve(cwd, path);
  const data = readConfigJson(full, `mapping ${path}`, {
    unreadable: "import.mapping_unreadable",
    syntax: "import.mapping_invalid",
  });
  const mapping = parseMapping(data, path);
  const customers = new Map<string, string>();
  const origin = new Map<string, string | number>();
  for (const [key, value] of Object.entries(mapping.customers ?? {})) {
    customers.set(key, value);
    origin.set(key, `${path} customers`);
  }
  if (mapping.customersFile !== undefined) {
    const text = await readNamedFile(
      resolve(dirname(full), mapping.customersFile),
      `mapping ${path}: customersFile ${mapping.customersFile}`,
      { kind: "bad_config", code: "import.mapping_unreadable" },
    );
    parseCustomersCsv(text, mapping.customersFile, customers, origin);
  }
  const channels = mapping.channels;
  return {
    tiers: new Map(Object.entries(mapping.tiers)),
    customers,
    channels: {
      byId: new Map(Object.entries(channels?.byId ?? {})),
      byType: new Map(Object.entries(channels?.byType ?? {})),
      default: channels?.default ?? "OTHER",
    },
  };
}
