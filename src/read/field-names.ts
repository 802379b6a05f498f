import { AssignmentInputSchema } from "../schemas/assignment-input.js";
import {
  PresentationInputSchema,
  PromotionInputSchema,
  RedemptionChannelInputSchema,
} from "../schemas/promotion-input.js";

/** What a record is: a promotion definition or an assignment of a promotion to a contact. */
export type RecordKind = "definitions" | "assignments";

/** CSV columns of a definitions file, in their documented order. */
export const DEFINITION_COLUMNS = [
  "externalPromotionId",
  "promotionName",
  "published",
  "validFromDate",
  "validToDate",
  "heading",
  "description",
  "posValueType",
  "posValue",
  "posInstruction",
  "ecomValueType",
  "ecomValue",
  "ecomInstruction",
] as const;

/** CSV columns of an assignments file, in their documented order. */
export const ASSIGNMENT_COLUMNS = [
  "externalPromotionId",
  "promotionCodeId",
  "contactId",
  "externalContactId",
  "validFromDate",
] as const;

export type DefinitionColumn = (typeof DEFINITION_COLUMNS)[number];
export type AssignmentColumn = (typeof ASSIGNMENT_COLUMNS)[number];

/** Top-level keys of JSON records: the input schemas are their one definition. */
export const DEFINITION_KEYS = Object.keys(PromotionInputSchema.shape);
export const ASSIGNMENT_KEYS = Object.keys(AssignmentInputSchema.shape);
export const PRESENTATION_KEYS = Object.keys(PresentationInputSchema.shape);
export const CHANNEL_KEYS = Object.keys(RedemptionChannelInputSchema.shape);

/** Every name a `columns` mapping may point at. */
export const KNOWN_FIELDS: readonly string[] = [
  ...new Set([...DEFINITION_COLUMNS, ...ASSIGNMENT_COLUMNS, ...DEFINITION_KEYS, ...ASSIGNMENT_KEYS]),
];

const DEFINITION_NAMES = new Set<string>([...DEFINITION_COLUMNS, ...DEFINITION_KEYS]);
const ASSIGNMENT_NAMES = new Set<string>([...ASSIGNMENT_COLUMNS, ...ASSIGNMENT_KEYS]);

/** Lower case without spaces, `_`, `-` or `.`, so `External_Promotion_ID` finds `externalPromotionId`. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[\s_.-]/g, "");
}

/**
 * Returns a function that maps a header name or JSON key to our field name: first through the
 * user's `columns` mapping (exactly, then loosely), then by a loose match against `known`.
 */
export function createNameResolver(
  known: readonly string[],
  columns: Readonly<Record<string, string>> = {},
): (name: string) => string | undefined {
  const byLooseName = new Map<string, string>();
  for (const field of known) byLooseName.set(normalizeName(field), field);
  const mapped = new Map<string, string>();
  for (const [theirs, ours] of Object.entries(columns)) mapped.set(normalizeName(theirs), ours);
  const cache = new Map<string, string | undefined>();
  return (name) => {
    if (cache.has(name)) return cache.get(name);
    const exact = Object.hasOwn(columns, name) ? columns[name] : undefined;
    const loose = normalizeName(name);
    const target = exact ?? mapped.get(loose) ?? name;
    const field = known.includes(target) ? target : byLooseName.get(normalizeName(target));
    cache.set(name, field);
    return field;
  };
}

/**
 * Tells the kind of a file from its field names: definitions when a name only definitions
 * have is present (`promotionName`, a channel column…), assignments likewise (`contactId`,
 * `promotionCodeId`…); `ambiguous` when both, undefined when neither.
 */
export function detectKind(fields: Iterable<string | undefined>): RecordKind | "ambiguous" | undefined {
  let definitions = false;
  let assignments = false;
  for (const field of fields) {
    if (field === undefined) continue;
    const d = DEFINITION_NAMES.has(field);
    const a = ASSIGNMENT_NAMES.has(field);
    if (d && !a) definitions = true;
    if (a && !d) assignments = true;
  }
  if (definitions && assignments) return "ambiguous";
  if (definitions) return "definitions";
  if (assignments) return "assignments";
  return undefined;
}

/** The names a record of this kind may have (CSV columns and JSON keys). */
export function namesOf(kind: RecordKind, format: "csv" | "json"): readonly string[] {
  if (format === "csv") return kind === "definitions" ? DEFINITION_COLUMNS : ASSIGNMENT_COLUMNS;
  return kind === "definitions" ? DEFINITION_KEYS : ASSIGNMENT_KEYS;
}
