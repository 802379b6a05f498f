/** The progress port every stage may report to; the CLI decides how it is shown. */
export interface Progress {
  /** Advances by `n`. */
  tick(n?: number): void;
  /** Sets the position, with an optional note shown beside it (a row count, the file at hand). */
  set(position: number, note?: string): void;
  /** Ends the display with a final line. */
  done(note?: string): void;
}

export interface ProgressOptions {
  label: string;
  /** The position at the end (in `unit`): with it the display shows a share, a rate and the time left. */
  total?: number | undefined;
  unit: "rows" | "files" | "bytes" | "records" | "contacts";
}
