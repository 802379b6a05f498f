import type { Issue } from "../core/issue.js";
import type { ExportRecord } from "../schemas/export-record.js";

/** What parsing an export yields, in file order: a record, or a data problem found on the way. */
export type ExportParseEvent = { type: "record"; record: ExportRecord } | { type: "issue"; issue: Issue };
