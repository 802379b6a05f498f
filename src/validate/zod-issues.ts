import type * as z from "zod";
import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { IssueCode } from "../core/issue-codes.js";
import type { Location } from "../core/location.js";
import { CHANNEL_TYPES, VALUE_TYPES } from "../schemas/profile.js";
import { XML_INVALID_CHAR } from "../schemas/promotion-input.js";
import { isLocalDateTime } from "./dates.js";
import { valueAt } from "./row-input.js";

type ZodIssue = z.core.$ZodIssue;
type Path = readonly PropertyKey[];

/** Describes what was got, for "expected …, got …" messages. */
export function got(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (typeof value === "string") return quote(value);
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return String(value);
}

const DATE_FIELDS = new Set(["validFromDate", "validToDate"]);

function last(path: Path): string {
  for (let i = path.length - 1; i >= 0; i--) if (typeof path[i] === "string") return path[i] as string;
  return "";
}

/** Whether a path names a channel's value type (`redemptionChannels[i].valueType`). */
function isChannelValueType(path: Path): boolean {
  return path.length === 3 && path[0] === "redemptionChannels" && path[2] === "valueType";
}

function dateIssue(field: string, value: unknown): [IssueCode, string] {
  if (typeof value === "string" && isLocalDateTime(value)) {
    return [
      "validate.date_without_offset",
      `${field}: expected a date-time with an offset like 2026-03-01T08:00:00+01:00 (or name the zone with --timezone), got ${got(value)}`,
    ];
  }
  if (typeof value === "string" && value.includes("T")) {
    return [
      "validate.invalid_date",
      `${field}: expected a real date-time with seconds and an offset like 2026-03-01T08:00:00+01:00, got ${got(value)}`,
    ];
  }
  return ["validate.invalid_date", `${field}: expected a date like 2026-03-01, got ${got(value)}`];
}

/** Describes the first character XML 1.0 cannot carry, with its 1-based character offset. */
function badCharacter(value: unknown): string {
  const text = typeof value === "string" ? value : "";
  const match = XML_INVALID_CHAR.exec(text);
  if (match === null) return got(value);
  const codePoint = match[0].codePointAt(0) ?? 0;
  const offset = [...text.slice(0, match.index)].length + 1;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")} at character ${offset}`;
}

/**
 * Maps the issues zod reports for one record to our issues: one code per problem, positioned by
 * `locate` (the field's line and column in the file), each message "what, expected, got".
 * This is the only place that knows zod's issue shapes.
 */
export function issuesFromZod(
  zodIssues: readonly ZodIssue[],
  input: unknown,
  locate: (path: Path) => Location,
): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  for (const zi of zodIssues) {
    const path = zi.path;
    const value = valueAt(input, path);
    const at = locate(path);
    const f = at.field ?? (last(path) || "record");
    const name = last(path);
    let code: IssueCode = "validate.invalid_value";
    let message = `${f}: expected a valid value, got ${got(value)}`;
    let related: Location[] | undefined;

    if (zi.code === "custom") {
      const params = (zi.params ?? {}) as { code?: IssueCode; first?: number; from?: string };
      code = params.code ?? "validate.invalid_value";
      switch (code) {
        case "validate.invalid_percent":
          message = `${f}: expected a whole number from 1 to 100 for PERCENT, got ${got(value)}`;
          break;
        case "validate.invalid_money":
          message = `${f}: expected a non-negative decimal with "." such as 20.50 for MONEY, got ${got(value)}`;
          break;
        case "validate.manual_on_ecom":
          message = `${f}: expected EXTERNALOFFER, PERCENT or MONEY on an ECOM channel (MANUAL is for stores only), got ${got(value)}`;
          break;
        case "validate.duplicate_channel": {
          const first = locate(["redemptionChannels", params.first ?? 0, "type"]);
          related = [first];
          message = `${f}: expected at most one ${String(value)} channel, got a second one (the first is ${first.field ?? "earlier"})`;
          break;
        }
        case "validate.valid_to_before_from":
          message = `${f}: expected a date not before validFromDate ${params.from ?? ""}, got ${got(value)}`;
          break;
        default:
          message = `${f}: expected a valid value, got ${got(value)}`;
      }
    } else if (
      value === undefined ||
      ((zi.code === "too_small" || zi.code === "invalid_type") && value === "")
    ) {
      if (isChannelValueType(path)) {
        code = "validate.channel_incomplete";
        message = `${f}: expected a value type (${VALUE_TYPES.join(", ")}) for this channel's value or instruction, got nothing`;
      } else {
        code = "validate.required";
        message = `${f}: expected a value, got nothing`;
      }
    } else if (
      zi.code === "invalid_format" &&
      zi.format === "regex" &&
      typeof value === "string" &&
      XML_INVALID_CHAR.test(value)
    ) {
      code = "validate.xml_invalid_char";
      message = `${f}: expected text XML 1.0 can carry, got ${badCharacter(value)}`;
    } else if (zi.code === "too_big" && typeof value === "string") {
      code = "validate.too_long";
      message = `${f}: expected at most ${String(zi.maximum)} characters, got ${value.length}`;
    } else if (
      DATE_FIELDS.has(name) &&
      (zi.code === "invalid_union" || zi.code === "invalid_format" || zi.code === "invalid_type")
    ) {
      [code, message] = dateIssue(f, value);
    } else if (name === "published") {
      code = "validate.invalid_boolean";
      message = `${f}: expected true or false, got ${got(value)}`;
    } else if (zi.code === "invalid_format" && zi.format === "guid") {
      code = "validate.not_guid";
      message = `${f}: expected a GUID like 7b89b95e-6347-4d66-8b02-a10a9c830119, got ${got(value)}`;
    } else if (zi.code === "invalid_value" && name === "type") {
      code = "validate.invalid_channel_type";
      message = `${f}: expected ${CHANNEL_TYPES.join(" or ")}, got ${got(value)}`;
    } else if (zi.code === "invalid_value" && name === "valueType") {
      code = "validate.invalid_value_type";
      message = `${f}: expected one of ${VALUE_TYPES.join(", ")}, got ${got(value)}`;
    } else if (zi.code === "invalid_type" || zi.code === "invalid_union") {
      const expected =
        zi.code === "invalid_type" && zi.expected === "array"
          ? "a list"
          : zi.code === "invalid_type" && zi.expected === "object"
            ? "an object"
            : "text";
      message = `${f}: expected ${expected}, got ${got(value)}`;
    }

    const key = `${code}|${path.join(".")}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(makeIssue(code, message, at, related === undefined ? {} : { related }));
  }
  return out;
}
