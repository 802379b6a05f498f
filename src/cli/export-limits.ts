import { EngageError } from "../core/errors.js";
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_FIELD_BYTES } from "../parse/export-parser.js";

/** The export reader's limits as flags, shared by `parse` and `diff`. */
export const EXPORT_LIMIT_OPTIONS = {
  "max-field-bytes": {
    type: "string",
    describe: `Refuse an export with a text node, name or comment longer than this many bytes (default ${DEFAULT_MAX_FIELD_BYTES})`,
  },
  "max-depth": {
    type: "string",
    describe: `Refuse an export whose elements nest deeper than this (default ${DEFAULT_MAX_DEPTH})`,
  },
} as const;

function positiveInteger(flag: string, value: unknown, max: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new EngageError(
      "usage",
      "cli.invalid_number",
      `--${flag}: expected a whole number from 1 to ${max}, got "${text}"`,
    );
  }
  return n;
}

/** Reads `--max-field-bytes` and `--max-depth`; a value that is not a positive whole number is a usage error. */
export function exportLimitsFromArgs(args: Record<string, unknown>): {
  maxFieldBytes?: number;
  maxDepth?: number;
} {
  const limits: { maxFieldBytes?: number; maxDepth?: number } = {};
  // A text node is held whole while it is read: 256 MiB is where a string stops being cheap.
  const maxFieldBytes = positiveInteger("max-field-bytes", args["max-field-bytes"], 256 * 1024 * 1024);
  const maxDepth = positiveInteger("max-depth", args["max-depth"], 10_000);
  if (maxFieldBytes !== undefined) limits.maxFieldBytes = maxFieldBytes;
  if (maxDepth !== undefined) limits.maxDepth = maxDepth;
  return limits;
}
