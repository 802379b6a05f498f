import { isAbsolute, relative, resolve } from "node:path";
import type { Options } from "yargs";
import { EngageError } from "../core/errors.js";
import type { Profile } from "../schemas/profile.js";
import type { ValidateOptions } from "../validate/validate-inputs.js";
import { DEFAULT_MAX_FIELD_CHARS } from "../read/csv-scanner.js";
import type { CsvDecodeOptions } from "../read/csv-records.js";
import { INPUT_ENCODINGS } from "../read/input-encoding.js";

/** Options of every command that reads definition and assignment files. */
export const INPUT_OPTIONS = {
  kind: {
    type: "string",
    choices: ["definitions", "assignments"],
    describe: "The kind of every input file (default: detected from each file's header or keys)",
  },
  columns: {
    type: "string",
    describe: 'Rename your headers to ours: "Kampanj=externalPromotionId,Kund=contactId" or a JSON object',
  },
  timezone: {
    type: "string",
    describe:
      "IANA zone (Europe/Stockholm) for date-times written without an offset; without it they are errors",
  },
  "require-definitions": {
    type: "boolean",
    describe: "An assignment whose promotion is not defined in the batch is an error, not a warning",
  },
  encoding: {
    type: "string",
    choices: ["utf-8", "windows-1252", "iso-8859-1", "utf-16le", "utf-16be"],
    describe: "The encoding of CSV inputs (default utf-8); Excel often saves windows-1252",
  },
  "max-field-bytes": {
    type: "string",
    describe:
      "The longest CSV field read (default 1048576); a longer one rejects its record, a record may hold 16 times it",
  },
  "allow-empty": {
    type: "boolean",
    describe: "Accept a batch whose inputs hold no record (only headers, or []) instead of failing",
  },
  profile: {
    type: "string",
    describe: "Format profile (JSON) that renames elements or restricts value types",
  },
  format: {
    type: "string",
    choices: ["text", "json"],
    default: "text",
    describe: "How issues are shown: text on stderr, or JSON on stdout",
  },
} as const satisfies Record<string, Options>;

/** Parses `--columns`: `theirs=ours` pairs separated by commas, or a JSON object. */
export function parseColumns(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const trimmed = text.trim();
  if (trimmed.startsWith("{")) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch {
      throw new EngageError(
        "usage",
        "cli.columns_invalid",
        `--columns: expected a JSON object or "theirs=ours,…", got ${JSON.stringify(text)}`,
      );
    }
    if (
      typeof data !== "object" ||
      data === null ||
      Array.isArray(data) ||
      !Object.values(data).every((v) => typeof v === "string")
    ) {
      throw new EngageError(
        "usage",
        "cli.columns_invalid",
        "--columns: the JSON object must map header names to field names (strings)",
      );
    }
    return data as Record<string, string>;
  }
  const out: Record<string, string> = {};
  for (const pair of trimmed.split(",")) {
    const eq = pair.indexOf("=");
    const from = pair.slice(0, eq).trim();
    const to = pair.slice(eq + 1).trim();
    if (eq < 1 || from === "" || to === "") {
      throw new EngageError(
        "usage",
        "cli.columns_invalid",
        `--columns: expected "theirs=ours" pairs, got ${JSON.stringify(pair)}`,
      );
    }
    out[from] = to;
  }
  return out;
}

/** The CSV decoding flags (`--encoding`, `--max-field-bytes`) as the readers take them. */
export function csvDecodeOptionsFromArgs(args: {
  encoding?: string | undefined;
  maxFieldBytes?: string | undefined;
}): CsvDecodeOptions {
  const options: CsvDecodeOptions = {};
  const encoding = INPUT_ENCODINGS.find((e) => e === args.encoding);
  if (encoding !== undefined) options.encoding = encoding;
  if (args.maxFieldBytes !== undefined)
    options.maxFieldChars = parseCount("max-field-bytes", args.maxFieldBytes, DEFAULT_MAX_FIELD_CHARS, 1);
  return options;
}

/** Builds the validate stage's options from parsed flags. */
export function validateOptionsFromArgs(
  args: {
    kind?: string | undefined;
    columns?: string | undefined;
    timezone?: string | undefined;
    requireDefinitions?: boolean | undefined;
    allowEmpty?: boolean | undefined;
    encoding?: string | undefined;
    maxFieldBytes?: string | undefined;
  },
  profile: Profile,
): ValidateOptions {
  const options: ValidateOptions = { profile, requireDefinitions: args.requireDefinitions === true };
  if (args.allowEmpty === true) options.allowEmpty = true;
  Object.assign(options, csvDecodeOptionsFromArgs(args));
  if (args.kind === "definitions" || args.kind === "assignments") options.kind = args.kind;
  const columns = parseColumns(args.columns);
  if (columns !== undefined) options.columns = columns;
  // The zone itself is checked by the validate stage, against the runtime's zone database.
  if (args.timezone !== undefined && args.timezone !== "") options.timezone = args.timezone;
  return options;
}

/** Parses `--timestamp`: an ISO 8601 instant with `Z` or an offset. */
export function parseTimestamp(text: string | undefined, fallback: Date): Date {
  if (text === undefined || text === "") return fallback;
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text);
  const date = new Date(text);
  if (!ok || Number.isNaN(date.getTime())) {
    throw new EngageError(
      "usage",
      "cli.timestamp_invalid",
      `--timestamp: expected an ISO 8601 instant such as 2026-03-01T02:00:00Z, got ${JSON.stringify(text)}`,
    );
  }
  return date;
}

/** Checks a whole-number flag (typed a number for yargs, so `abc` arrives as NaN). */
export function parseCount(
  name: string,
  value: number | string | undefined,
  fallback: number,
  min = 0,
): number {
  if (value === undefined || value === "") return fallback;
  const n = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    const got =
      Number.isNaN(n) && typeof value === "number" ? "something that is not a number" : String(value);
    throw new EngageError(
      "usage",
      "cli.invalid_number",
      `--${name}: expected a whole number of at least ${min}, got ${got}`,
    );
  }
  return n;
}

/**
 * Names input files for the readers: relative to the process's folder when the command runs in
 * another one (so messages keep short paths), unchanged when absolute.
 */
export function inputPaths(files: readonly string[], cwd: string): string[] {
  return files.map((f) => (isAbsolute(f) ? f : relative(process.cwd(), resolve(cwd, f)) || "."));
}
