import { READ_CODES } from "../read/codes.js";
import { VALIDATE_CODES } from "../validate/codes.js";
import { RULES_CODES } from "../validate/rules-codes.js";
import { RENDER_CODES } from "../render/codes.js";
import { PARSE_CODES } from "../parse/codes.js";
import { DIFF_CODES } from "../diff/codes.js";
import { TRANSPORT_CODES } from "../transport/codes.js";
import { IMPORT_CODES } from "../import/codes.js";
import { API_CODES } from "../api/codes.js";

/** A code's entry: its default severity and a one-line summary, documented in the README. */
export interface IssueCodeInfo {
  readonly severity: "error" | "warning";
  readonly summary: string;
}

/** Every issue code the tool can report, one table per stage, keyed `stage.snake_case`. */
export const ISSUE_CODES = {
  ...READ_CODES,
  ...VALIDATE_CODES,
  ...RULES_CODES,
  ...RENDER_CODES,
  ...PARSE_CODES,
  ...DIFF_CODES,
  ...TRANSPORT_CODES,
  ...IMPORT_CODES,
  ...API_CODES,
} as const satisfies Record<string, IssueCodeInfo>;

export type IssueCode = keyof typeof ISSUE_CODES;
