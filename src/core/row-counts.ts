/** Rows of one kind: read, valid, and rejected for errors. */
export interface KindCounts {
  read: number;
  valid: number;
  rejected: number;
}

/** The row counts every summary reports: in all, and by kind. */
export interface RowCounts extends KindCounts {
  byKind: { definitions: KindCounts; assignments: KindCounts };
}

/** Starts all row counts at zero. */
export function newRowCounts(): RowCounts {
  return {
    read: 0,
    valid: 0,
    rejected: 0,
    byKind: {
      definitions: { read: 0, valid: 0, rejected: 0 },
      assignments: { read: 0, valid: 0, rejected: 0 },
    },
  };
}

/** Counts one row as valid or rejected; a row of unknown kind counts only in the totals. */
export function countRow(counts: RowCounts, kind: string, valid: boolean): void {
  counts.read += 1;
  if (valid) counts.valid += 1;
  else counts.rejected += 1;
  if (kind === "definitions" || kind === "assignments") {
    const byKind = counts.byKind[kind];
    byKind.read += 1;
    if (valid) byKind.valid += 1;
    else byKind.rejected += 1;
  }
}
