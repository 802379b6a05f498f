/** The progress port every stage may report to; the CLI decides how it is shown. */
export interface Progress {
  /** Advances by `n`. */
  tick(n?: number): void;
  /** Sets the position, with an optional note shown beside it. */
  set(position: number, note?: string): void;
  /** Ends the display with a final line. */
  done(note?: string): void;
}

export interface ProgressOptions {
  label: string;
  total?: number;
  unit: "rows" | "files" | "bytes" | "records";
}
