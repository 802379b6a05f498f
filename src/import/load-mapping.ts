import { dirname, resolve } from "node:path";
import * as z from "zod";
import { EngageError } from "../core/errors.js";
import { readConfigJson } from "../core/read-config-json.js";
import { readNamedFile } from "../core/read-named-file.js";
import { describeZodIssues } from "../profile/load-profile.js";
import { CsvScanner } from "../read/csv-scanner.js";
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
  origin: Map<string, string>,
): void {
  const scanner = new CsvScanner();
  const decoder = new Utf8Text();
  const decoded = decoder.decode(Buffer.from(text, "utf8")).text + decoder.end().text;
  const records = [...scanner.push(decoded), ...scanner.end()];
  const header = records[0];
  if (header === undefined)
    throw invalid(`customers file ${label}: expected a header sourceId;contactId, got an empty file`);
  const names = header.fields.map((f) => normalizeName(f.trim()));
  const source = names.findIndex((n) => n === "sourceid" || n === "customersourceid");
  const contact = names.indexOf("contactid");
  if (source < 0 || contact < 0)
    throw invalid(
      `customers file ${label}: expected the columns sourceId and contactId, got ${JSON.stringify(header.fields.join(scanner.separator ?? ";"))}`,
    );
  const problems: string[] = [];
  for (const rec of records.slice(1)) {
    const where = `${label}:${rec.line}`;
    if (rec.problem !== undefined) {
      problems.push(`${where}: ${rec.problem.message}`);
      continue;
    }
    const key = rec.fields[source]?.trim() ?? "";
    const value = rec.fields[contact]?.trim() ?? "";
    if (key === "") {
      problems.push(`${where}: sourceId: expected a customer source id, got nothing`);
      continue;
    }
    if (!GUID.safeParse(value).success) {
      problems.push(`${where}: contactId: expected an Engage contact GUID, got ${JSON.stringify(value)}`);
      continue;
    }
    const before = into.get(key);
    if (before !== undefined && before.toLowerCase() !== value.toLowerCase()) {
      problems.push(
        `${where}: sourceId ${JSON.stringify(key)} maps to ${value}, but ${origin.get(key)} maps it to ${before}`,
      );
      continue;
    }
    into.set(key, value);
    origin.set(key, where);
  }
  if (problems.length > 0) {
    const more = problems.length > SHOWN ? `; and ${problems.length - SHOWN} more` : "";
    throw invalid(`customers file ${label}: ${problems.slice(0, SHOWN).join("; ")}${more}`);
  }
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
  const origin = new Map<string, string>();
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
