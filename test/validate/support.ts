import { ASSIGNMENT_COLUMNS, DEFINITION_COLUMNS } from "../../src/read/field-names.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import {
  collectValidation,
  type ValidateOptions,
  type ValidationResult,
} from "../../src/validate/validate-inputs.js";
import { tempInputs } from "../read/temp-files.js";

export const DEFINITIONS_HEADER =
  "externalPromotionId;promotionName;published;validFromDate;validToDate;heading;description;posValueType;posValue;posInstruction;ecomValueType;ecomValue;ecomInstruction";
export const ASSIGNMENTS_HEADER =
  "externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate";

export const GUID_1 = "7b89b95e-6347-4d66-8b02-a10a9c830119";
export const GUID_2 = "0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80";
export const GUID_3 = "3e4d5c6b-7a89-4b0c-8d1e-2f3a4b5c6d7e";

type DefinitionFields = Partial<Record<(typeof DEFINITION_COLUMNS)[number], string>>;
type AssignmentFields = Partial<Record<(typeof ASSIGNMENT_COLUMNS)[number], string>>;

function quoteCsv(value: string): string {
  return /[;"\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A definitions CSV line: a valid promotion unless fields say otherwise. */
export function definition(fields: DefinitionFields = {}): string {
  const row: DefinitionFields = {
    externalPromotionId: "SPRING-26",
    promotionName: "Spring",
    validFromDate: "2026-03-01",
    validToDate: "2026-03-31",
    posValueType: "PERCENT",
    posValue: "20",
    ...fields,
  };
  return DEFINITION_COLUMNS.map((f) => quoteCsv(row[f] ?? "")).join(";");
}

/** An assignments CSV line: a valid assignment of SPRING-26 unless fields say otherwise. */
export function assignment(fields: AssignmentFields = {}): string {
  const row: AssignmentFields = {
    externalPromotionId: "SPRING-26",
    promotionCodeId: "SPRING-26-1",
    contactId: GUID_1,
    ...fields,
  };
  return ASSIGNMENT_COLUMNS.map((f) => quoteCsv(row[f] ?? "")).join(";");
}

/** Writes input files into a fresh folder and validates them in the order given. */
export async function validateFiles(
  inputs: Record<string, string | Uint8Array>,
  options: Partial<ValidateOptions> = {},
): Promise<ValidationResult & { path: (name: string) => string }> {
  const files = tempInputs("engage-validate-");
  try {
    const paths = Object.entries(inputs).map(([name, content]) => files.write(name, content));
    const result = await collectValidation(paths, { profile: DEFAULT_PROFILE, ...options });
    return { ...result, path: (name) => `${files.dir}/${name}` };
  } finally {
    files.remove();
  }
}

/** Definitions then assignments as two CSV files (lines without their header). */
export function validateCsv(
  definitions: string[],
  assignments: string[],
  options: Partial<ValidateOptions> = {},
) {
  const inputs: Record<string, string> = {};
  if (definitions.length > 0)
    inputs["definitions.csv"] = [DEFINITIONS_HEADER, ...definitions].join("\n") + "\n";
  if (assignments.length > 0)
    inputs["assignments.csv"] = [ASSIGNMENTS_HEADER, ...assignments].join("\n") + "\n";
  return validateFiles(inputs, options);
}

/** The issues as [code, file name, line, column, field] for compact assertions. */
export function positions(result: ValidationResult) {
  return result.issues.map((i) => [i.code, i.file.split("/").pop(), i.line, i.column, i.field]);
}
