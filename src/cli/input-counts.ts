import { countRow, type RowCounts } from "../core/row-counts.js";
import type { InputEvent } from "../validate/validate-inputs.js";

/** Adds one validate-stage row event to the counts; other events count nothing. */
export function tallyEvent(counts: RowCounts, event: InputEvent): void {
  if (event.type === "promotion") countRow(counts, "definitions", true);
  else if (event.type === "assignment") countRow(counts, "assignments", true);
  else if (event.type === "rejected") countRow(counts, event.kind, false);
}
