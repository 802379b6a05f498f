import { EngageError } from "../core/errors.js";
import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { IssueCode } from "../core/issue-codes.js";
import type { Location } from "../core/location.js";
import { KNOWN_FIELDS } from "../read/field-names.js";
import { assertReadable, openInput, type InputSource } from "../read/open-input.js";
import type { RawRow } from "../read/raw-row.js";
import type { InputEncoding } from "../read/input-encoding.js";
import type { Profile } from "../schemas/profile.js";
import type { Assignment, Promotion, RedemptionChannel } from "../schemas/promotion.js";
import { BatchRules } from "./batch-rules.js";
import { isTimeZone } from "./dates.js";
import { openSpillFile } from "./spill-file.js";
import { locateField, rawValuesOf, type ShapeContext } from "./row-input.js";
import { checkAssignmentRow, checkPromotionRow } from "./validate-row.js";

export interface ValidateOptions {
  profile: Profile;
  /** Forces the kind of every file (a `{"promotions", "assignments"}` document keeps its parts). */
  kind?: "definitions" | "assignments";
  /** Their header name → our field name. */
  columns?: Record<string, string>;
  /** IANA zone for offset-less date-times. */
  timezone?: string;
  requireDefinitions?: boolean;
  /** The encoding of CSV inputs; UTF-8 unless named. */
  encoding?: InputEncoding;
  /** The longest CSV field read, in characters (1 MiB unless named). */
  maxFieldChars?: number;
  /** A batch whose inputs hold no record at all is accepted instead of being `read.no_rows`. */
  allowEmpty?: boolean;
  previousPromotions?: ReadonlyMap<string, { redemptionChannels: RedemptionChannel[]; at: Location }>;
  /** Told the input bytes read so far, of all the files, after each batch the readers hand on. */
  onBytes?: (bytesRead: number) => void;
}

export type InputKind = "definitions" | "assignments" | "mixed";

export type InputEvent =
  | { type: "input"; file: string; kind: InputKind }
  | { type: "input-done"; file: string; kind: InputKind; sha256: string; records: number }
  | { type: "promotion"; promotion: Promotion; at: Location }
  | { type: "assignment"; assignment: Assignment; at: Location }
  | {
      type: "rejected";
      at: Location;
      kind: "definitions" | "assignments" | "unknown";
      raw: Record<string, string>;
      codes: IssueCode[];
    }
  | { type: "issue"; issue: Issue };

/** Events are handed on in batches of about this many, to keep the cost per row low. */
const BATCH = 1000;

function checkOptions(options: ValidateOptions): void {
  if (options.timezone !== undefined && !isTimeZone(options.timezone)) {
    throw new EngageError(
      "usage",
      "validate.timezone_unknown",
      `--timezone: expected an IANA time zone such as Europe/Stockholm, got ${quote(options.timezone)}`,
    );
  }
  for (const [theirs, ours] of Object.entries(options.columns ?? {})) {
    if (!KNOWN_FIELDS.includes(ours)) {
      throw new EngageError(
        "bad_config",
        "read.columns_unknown_field",
        `columns: ${quote(theirs)} maps to ${quote(ours)}, expected one of ${KNOWN_FIELDS.join(", ")}`,
      );
    }
  }
}

/** Per-file state of a validation run. */
interface FileState {
  source: InputSource;
  kind: InputKind;
  unknownKeys: Set<string>;
  deprecatedReported: boolean;
}

/**
 * Reads every file (all definitions before any assignment), validates each row and the rules
 * across rows. A file whose kind nothing tells is read with the assignments and announced as
 * such; each of its rows is rejected with kind "unknown". A `{"promotions", "assignments"}`
 * document is announced once ("input") and finished once ("input-done"), after its assignments.
 */
export async function* validateInputs(
  files: readonly string[],
  options: ValidateOptions,
): AsyncGenerator<InputEvent[]> {
  checkOptions(options);
  for (const file of files) await assertReadable(file);
  const openOptions = {
    kind: options.kind,
    columns: options.columns,
    encoding: options.encoding,
    maxFieldChars: options.maxFieldChars,
  };
  const states: FileState[] = [];
  for (const file of files) {
    const source = await openInput(file, openOptions);
    states.push({
      source,
      kind: source.kind ?? "assignments",
      unknownKeys: new Set(),
      deprecatedReported: false,
    });
  }
  const rules = new BatchRules({
    requireDefinitions: options.requireDefinitions,
    previousPromotions: options.previousPromotions,
    spill: () => openSpillFile(),
  });
  try {
    yield* validateAll(states, options, rules);
  } finally {
    rules.close();
  }
}

function inPhase(kind: InputKind, phase: "definitions" | "assignments"): boolean {
  return kind === "mixed" || (phase === "definitions" ? kind === "definitions" : kind !== "definitions");
}

/**
 * Announces to the rules about how many assignments the batch holds: the rows per byte of what
 * the first file gave so far, times the bytes of every file with assignments. False while the
 * file has given no row yet.
 */
function announceAssignments(rules: BatchRules, source: InputSource, phaseBytes: number): boolean {
  const { records, bytesRead, recordsExpected } = source.stats;
  if (records === 0) return false;
  const perByte =
    recordsExpected !== undefined
      ? recordsExpected / Math.max(1, source.size)
      : records / Math.max(1, bytesRead ?? source.size);
  // a little over, so a batch a bit denser than its start still fits the tables sized for it
  rules.expectAssignments(Math.ceil(perByte * phaseBytes * 1.02) + 1000);
  return true;
}

async function* validateAll(
  states: readonly FileState[],
  options: ValidateOptions,
  rules: BatchRules,
): AsyncGenerator<InputEvent[]> {
  let batch: InputEvent[] = [];
  let announced = false;
  let assignmentBytes = 0;
  /** An error about a file itself (empty, not JSON): the batch fails already, for that reason. */
  let fileErrors = false;
  for (const state of states) if (inPhase(state.kind, "assignments")) assignmentBytes += state.source.size;
  // Bytes of the files read to their end; a mixed document is read twice and counted once.
  let bytesDone = 0;

  for (const phase of ["definitions", "assignments"] as const) {
    for (const state of states) {
      const { source, kind } = state;
      if (!inPhase(kind, phase)) continue;
      if (kind !== "mixed" || phase === "definitions") batch.push({ type: "input", file: source.file, kind });
      const context: ShapeContext = {
        timezone: options.timezone,
        columns: options.columns,
        unknownKey: (path, at) => {
          if (state.unknownKeys.has(path)) return;
          state.unknownKeys.add(path);
          batch.push({
            type: "issue",
            issue: makeIssue(
              "validate.unknown_field",
              `${path}: expected a field the tool knows, got an unknown one; it is ignored (reported once per file)`,
              at,
            ),
          });
        },
      };
      for await (const read of source.rows(phase)) {
        if (phase === "assignments" && !announced)
          announced = announceAssignments(rules, source, assignmentBytes);
        if (kind !== "mixed" || phase === "definitions")
          options.onBytes?.(bytesDone + Math.min(source.size, source.stats.bytesRead ?? 0));
        for (const issue of read.issues) {
          if (issue.severity === "error") fileErrors = true;
          batch.push({ type: "issue", issue });
        }
        for (const row of read.rows) {
          if (phase === "definitions") definitionRow(row, context, options.profile, rules, batch);
          else assignmentRow(row, context, rules, state, batch);
          if (batch.length >= BATCH) {
            yield batch;
            batch = [];
          }
        }
      }
      if (kind !== "mixed" || phase === "assignments") {
        bytesDone += source.size;
        options.onBytes?.(bytesDone);
        batch.push({
          type: "input-done",
          file: source.file,
          kind,
          sha256: source.stats.sha256,
          records: source.stats.records,
        });
      }
    }
  }
  // A nightly job that sends nothing because its export came out empty must not look green.
  if (!options.allowEmpty && !fileErrors && states.every((s) => s.source.stats.records === 0)) {
    for (const { source } of states) {
      batch.push({
        type: "issue",
        issue: makeIssue(
          "read.no_rows",
          `file: expected at least one record in the batch, got none in any input (this file holds 0); --allow-empty accepts an empty batch`,
          { file: source.file },
        ),
      });
    }
  }
  if (batch.length > 0) yield batch;
}

function reject(
  row: RawRow,
  kind: "definitions" | "assignments" | "unknown",
  issues: readonly Issue[],
  batch: InputEvent[],
  fileCode?: IssueCode,
): void {
  const codes: IssueCode[] = fileCode === undefined ? [] : [fileCode];
  for (const issue of issues) {
    batch.push({ type: "issue", issue });
    if (issue.severity === "error" && !codes.includes(issue.code)) codes.push(issue.code);
  }
  batch.push({ type: "rejected", at: row.at, kind, raw: rawValuesOf(row), codes });
}

/** Rejects a row for read problems (its own, or its file's: kind unknown, a column twice); true when it was. */
function rejectedOnRead(row: RawRow, batch: InputEvent[]): boolean {
  const unknown = row.kind === "unknown";
  const fileCode = row.format === "csv" ? row.table.fileProblem : unknown ? "read.kind_unknown" : undefined;
  if (row.problems.length === 0 && fileCode === undefined) return false;
  reject(row, unknown ? "unknown" : row.kind, row.problems, batch, fileCode);
  return true;
}

function definitionRow(
  row: RawRow,
  context: ShapeContext,
  profile: Profile,
  rules: BatchRules,
  batch: InputEvent[],
): void {
  if (rejectedOnRead(row, batch)) return;
  const checked = checkPromotionRow(row, context, profile);
  const promotion = checked.value;
  if (promotion === undefined) {
    reject(row, "definitions", checked.issues, batch);
    rules.definitionRejected(idOf(row), row.at);
    return;
  }
  const outcome = rules.promotion(promotion, row.at, (field) =>
    locateField(row, "definitions", [field], context),
  );
  if (outcome.rejected) {
    reject(row, "definitions", outcome.issues, batch);
    return;
  }
  for (const issue of outcome.issues) batch.push({ type: "issue", issue });
  batch.push({ type: "promotion", promotion, at: row.at });
}

function assignmentRow(
  row: RawRow,
  context: ShapeContext,
  rules: BatchRules,
  state: FileState,
  batch: InputEvent[],
): void {
  if (rejectedOnRead(row, batch)) return;
  const checked = checkAssignmentRow(row, context);
  const assignment = checked.value;
  if (assignment === undefined) {
    reject(row, "assignments", checked.issues, batch);
    return;
  }
  const outcome = rules.assignment(assignment, row.at, (field) =>
    locateField(row, "assignments", [field], context),
  );
  if (outcome.rejected) {
    reject(row, "assignments", outcome.issues, batch);
    return;
  }
  for (const issue of outcome.issues) batch.push({ type: "issue", issue });
  if (assignment.contactId === undefined && !state.deprecatedReported) {
    state.deprecatedReported = true;
    batch.push({
      type: "issue",
      issue: makeIssue(
        "validate.external_contact_deprecated",
        `externalContactId: expected a contactId (externalContactId is deprecated in Engage), got only externalContactId ${quote(assignment.externalContactId ?? "")} (reported once per file)`,
        locateField(row, "assignments", ["externalContactId"], context),
      ),
    });
  }
  batch.push({ type: "assignment", assignment, at: row.at });
}

/** The externalPromotionId a definitions row gives, if any, as text. */
function idOf(row: RawRow): string | undefined {
  if (row.format === "csv") {
    const index = row.table.columnOf.get("externalPromotionId");
    const value = index === undefined ? undefined : row.values[index];
    return value === "" ? undefined : value;
  }
  const node = row.node;
  if (node?.type !== "object") return undefined;
  const entry = node.entries.find((e) => e.key === "externalPromotionId");
  return entry?.value.type === "string"
    ? entry.value.value
    : entry?.value.type === "number"
      ? entry.value.raw
      : undefined;
}

/** Everything validateInputs yields, gathered: for small inputs and tests. */
export interface ValidationResult {
  promotions: { promotion: Promotion; at: Location }[];
  assignments: { assignment: Assignment; at: Location }[];
  rejected: Extract<InputEvent, { type: "rejected" }>[];
  issues: Issue[];
  inputs: { file: string; kind: InputKind; sha256: string; records: number }[];
  counts: {
    records: number;
    promotions: number;
    assignments: number;
    rejected: number;
    errors: number;
    warnings: number;
  };
}

/** Drains validateInputs into arrays; for small inputs and tests. */
export async function collectValidation(
  files: readonly string[],
  options: ValidateOptions,
): Promise<ValidationResult> {
  const result: ValidationResult = {
    promotions: [],
    assignments: [],
    rejected: [],
    issues: [],
    inputs: [],
    counts: { records: 0, promotions: 0, assignments: 0, rejected: 0, errors: 0, warnings: 0 },
  };
  for await (const events of validateInputs(files, options)) {
    for (const event of events) {
      switch (event.type) {
        case "promotion":
          result.promotions.push({ promotion: event.promotion, at: event.at });
          break;
        case "assignment":
          result.assignments.push({ assignment: event.assignment, at: event.at });
          break;
        case "rejected":
          result.rejected.push(event);
          break;
        case "issue":
          result.issues.push(event.issue);
          if (event.issue.severity === "error") result.counts.errors += 1;
          else result.counts.warnings += 1;
          break;
        case "input-done":
          result.inputs.push({
            file: event.file,
            kind: event.kind,
            sha256: event.sha256,
            records: event.records,
          });
          result.counts.records += event.records;
          break;
        case "input":
          break;
      }
    }
  }
  result.counts.promotions = result.promotions.length;
  result.counts.assignments = result.assignments.length;
  result.counts.rejected = result.rejected.length;
  return result;
}
