import { makeIssue, quote, type Issue } from "../core/issue.js";
import {
  ASSIGNMENT_COLUMNS,
  createNameResolver,
  DEFINITION_COLUMNS,
  detectKind,
  namesOf,
  type RecordKind,
} from "./field-names.js";
import type { CsvTable } from "./raw-row.js";

export interface HeaderOptions {
  /** Forces the kind; otherwise it comes from the header. */
  kind?: RecordKind | undefined;
  /** Their header name → our field name. */
  columns?: Readonly<Record<string, string>> | undefined;
}

const ALL_COLUMNS = [...new Set<string>([...DEFINITION_COLUMNS, ...ASSIGNMENT_COLUMNS])];

/** Tells a CSV file's kind from its header names (or `options.kind`). */
export function csvKindOf(
  header: readonly string[],
  options: HeaderOptions,
): RecordKind | "ambiguous" | undefined {
  if (options.kind !== undefined) return options.kind;
  const resolve = createNameResolver(ALL_COLUMNS, options.columns);
  return detectKind(header.map((name) => resolve(name.trim())));
}

/**
 * Maps a CSV header to our fields: tells the kind, and reports columns given twice (every row
 * is then rejected, as no one can tell which value counts) and columns the tool ignores.
 */
export function interpretCsvHeader(
  file: string,
  header: string[],
  line: number,
  delimiter: ";" | ",",
  options: HeaderOptions,
): { table: CsvTable; issues: Issue[] } {
  const issues: Issue[] = [];
  const detected = csvKindOf(header, options);
  if (options.kind !== undefined) {
    // A forced kind is usually a config default: a file of the other kind then fails row by row
    // with messages about missing fields, so say once what the header itself tells.
    const natural = csvKindOf(header, { columns: options.columns });
    if (natural !== undefined && natural !== "ambiguous" && natural !== options.kind) {
      issues.push(
        makeIssue(
          "read.kind_mismatch",
          `header: expected the columns of ${options.kind} (--kind ${options.kind}), got those of ${natural} (${quote(header.join(delimiter), 120)}); is this the right file?`,
          { file, line },
        ),
      );
    }
  }
  const kind: RecordKind | "unknown" =
    detected === undefined || detected === "ambiguous" ? "unknown" : detected;
  let fileProblem: CsvTable["fileProblem"];
  if (kind === "unknown") {
    fileProblem = "read.kind_unknown";
    const got =
      detected === "ambiguous"
        ? `columns of both (${quote(header.join(delimiter), 120)})`
        : quote(header.join(delimiter), 120);
    issues.push(
      makeIssue(
        "read.kind_unknown",
        `header: expected the columns of definitions (promotionName, posValueType…) or of assignments (contactId, promotionCodeId…), got ${got}; name the kind with --kind`,
        { file, line },
      ),
    );
  }
  const resolve = createNameResolver(
    kind === "unknown" ? ALL_COLUMNS : namesOf(kind, "csv"),
    options.columns,
  );
  const fields = header.map((name) => resolve(name.trim()));
  const columnOf = new Map<string, number>();
  fields.forEach((field, index) => {
    const name = header[index] ?? "";
    const at = { file, line, column: index + 1, field: name };
    if (field === undefined) {
      if (kind !== "unknown") {
        const expected = namesOf(kind, "csv").join(", ");
        issues.push(
          makeIssue(
            "read.csv_header_unknown",
            `header: expected one of the ${kind} columns (${expected}), got ${quote(name)}; its values are ignored`,
            at,
          ),
        );
      }
      return;
    }
    const first = columnOf.get(field);
    if (first !== undefined) {
      fileProblem ??= "read.csv_header_duplicate";
      issues.push(
        makeIssue(
          "read.csv_header_duplicate",
          `header: expected each column once, got ${field} in columns ${first + 1} and ${index + 1}; no row of this file is read`,
          at,
          {
            related: [{ file, line, column: first + 1, field: header[first] ?? field }],
          },
        ),
      );
      return;
    }
    columnOf.set(field, index);
  });
  const table: CsvTable = { file, delimiter, header, fields, columnOf, kind };
  if (fileProblem !== undefined) table.fileProblem = fileProblem;
  return { table, issues };
}
