import { open, readFile, type FileHandle } from "node:fs/promises";
import { EngageError } from "../core/errors.js";

/** A row's state in the journal: `sending` and `unknown` are not final; the rest are. */
export type JournalState =
  | "sending"
  | "unknown"
  | "redeemed"
  | "already_redeemed"
  | "confirmed_on_retry"
  | "confirmed_by_read"
  | "assigned"
  | "failed";

/** One journal line: a row's state at a moment, with what Engage said. */
export interface JournalEntry {
  key: string;
  record: number;
  state: JournalState;
  at: string;
  assignmentId?: string;
  sourceRedemptionId?: string;
  httpStatus?: number;
  code?: string;
  body?: string;
  message?: string;
}

const FINAL = new Set<JournalState>([
  "redeemed",
  "already_redeemed",
  "confirmed_on_retry",
  "confirmed_by_read",
  "assigned",
  "failed",
]);

/** True when a row in this state has its final outcome and is never sent again. */
export function isFinal(state: JournalState): boolean {
  return FINAL.has(state);
}

/** Reads a journal: each key's last entry, and the count of lines that could not be read (a torn last line). */
export async function readJournal(
  path: string,
): Promise<{ last: Map<string, JournalEntry>; badLines: number }> {
  const last = new Map<string, JournalEntry>();
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { last, badLines: 0 };
    throw new EngageError("input_missing", "api.journal_unreadable", `${path}: cannot read the journal`, {
      cause: error,
    });
  }
  let badLines = 0;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const entry = JSON.parse(line) as JournalEntry;
      if (typeof entry.key !== "string" || typeof entry.state !== "string") throw new Error("shape");
      const before = last.get(entry.key);
      // a final outcome is never undone by a later line (a stale worker cannot demote it)
      if (before === undefined || !isFinal(before.state)) last.set(entry.key, entry);
    } catch {
      badLines += 1;
    }
  }
  return { last, badLines };
}

/**
 * An append-only journal file: every entry is on disk (fdatasync) before `append` resolves.
 * Group commit: the entries appended in one turn of the event loop (the answers of a burst of
 * calls, handled together) and those that arrive while a sync runs are written and synced
 * together, so concurrency does not queue one sync per row.
 */
export class Journal {
  private pending: { line: string; done: () => void; fail: (e: unknown) => void }[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;

  private constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  /** Opens (or creates) the journal for appending. */
  static async open(path: string): Promise<Journal> {
    try {
      const handle = await open(path, "a");
      // a torn last line from a crash must not glue itself to the next entry
      const size = (await handle.stat()).size;
      if (size > 0) {
        const last = await readFile(path);
        if (last[last.length - 1] !== 0x0a) await handle.write("\n");
      }
      return new Journal(handle, path);
    } catch (error) {
      throw new EngageError("output_failed", "api.journal_unwritable", `${path}: cannot write the journal`, {
        cause: error,
      });
    }
  }

  /** Appends an entry; resolves once it is on disk. */
  append(entry: JournalEntry): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ line: `${JSON.stringify(entry)}\n`, done, fail });
      if (this.scheduled || this.flushing !== undefined) return;
      // wait for the rest of this turn's entries, then write them with one write and one sync
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        void this.flush();
      });
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing !== undefined) return;
    while (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.flushing = (async () => {
        await this.handle.write(batch.map((b) => b.line).join(""));
        await this.handle.datasync();
      })();
      try {
        await this.flushing;
        for (const b of batch) b.done();
      } catch (error) {
        const failure = new EngageError(
          "output_failed",
          "api.journal_unwritable",
          `${this.path}: cannot write the journal`,
          {
            cause: error,
          },
        );
        for (const b of batch) b.fail(failure);
      } finally {
        this.flushing = undefined;
      }
    }
  }

  /** Closes the file. */
  async close(): Promise<void> {
    await this.handle.close();
  }
}
