/** Where a value came from: travels with every row so any later stage can point at the input. */
export interface Location {
  /** Path of the input file as the user named it. */
  file: string;
  /** 1-based physical line (the CSV header is line 1; a record spanning lines is at its first line). */
  line?: number;
  /** 1-based column (CSV: the field's ordinal; XML/JSON: the character column). */
  column?: number;
  /** The field name in our vocabulary (`validFromDate`, `redemptionChannels[0].value`). */
  field?: string;
  /** 1-based record number within the file. */
  record?: number;
}

/** Formats a location as `file:line:column` for messages. */
export function formatLocation(at: Location): string {
  let out = at.file;
  if (at.line !== undefined) out += `:${at.line}`;
  if (at.line !== undefined && at.column !== undefined) out += `:${at.column}`;
  return out;
}
