import type { ExportRecord } from "../schemas/export-record.js";
import { compareChannels } from "./compare-channels.js";
import { validFromMatches, validToMatches } from "./compare-dates.js";
import type { FieldDifference } from "./diff-entry.js";
import type { ExpectedChannel } from "./expected.js";

/** What the expected side knows of one assignment's promotion as Engage should hold it. */
export interface ExpectedTerms {
  /** The assignment's override, else its promotion's `validFromDate`. */
  validFromDate?: string | undefined;
  validToDate?: string | undefined;
  channels?: readonly ExpectedChannel[] | undefined;
}

/**
 * The fields where an export record differs from what was sent: validity dates by calendar day
 * and channel values. A field that either side does not carry is not compared.
 */
export function compareRecord(expected: ExpectedTerms, record: ExportRecord): FieldDifference[] {
  const out: FieldDifference[] = [];
  if (
    expected.validFromDate !== undefined &&
    record.validFromDate !== undefined &&
    !validFromMatches(expected.validFromDate, record.validFromDate)
  ) {
    out.push({ field: "validFromDate", expected: expected.validFromDate, actual: record.validFromDate.raw });
  }
  if (
    expected.validToDate !== undefined &&
    record.expireDateTime !== undefined &&
    !validToMatches(expected.validToDate, record.expireDateTime)
  ) {
    out.push({ field: "validToDate", expected: expected.validToDate, actual: record.expireDateTime.raw });
  }
  if (expected.channels !== undefined)
    for (const entry of compareChannels(expected.channels, record.redemptionChannels)) out.push(entry);
  return out;
}
