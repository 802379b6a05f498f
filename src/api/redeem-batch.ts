import type { Logger } from "../core/logger.js";
import type { RedemptionInput } from "../schemas/redemption-input.js";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import type { CallResult, EngageClient } from "./engage-client.js";
import { isFinal, type JournalEntry, type JournalState } from "./journal.js";

/** A valid redemption row with its record number and journal key. */
export interface RedemptionRow {
  key: string;
  record: number;
  line?: number | undefined;
  input: RedemptionInput;
}

/** Where a batch writes outcomes: the journal, in practice. */
export interface OutcomeSink {
  append(entry: JournalEntry): Promise<void>;
}

export interface RedeemOptions {
  concurrency: number;
  /** Epoch ms after which no new row is started. */
  deadlineAt: number;
  backoff?: BackoffPolicy;
  log?: Logger;
  sleep?: (ms: number) => Promise<void>;
}

/** The journal key of a row: the assignment it names, so the same row is found again on a re-run. */
export function redemptionKey(input: RedemptionInput): string {
  return input.id !== undefined
    ? `id:${input.id}`
    : `ext:${input.contactId ?? ""}:${input.externalPromotionId ?? ""}`;
}

interface Assignment {
  id: string;
  externalId?: string | null;
  promotionId?: string;
  redeemed?: boolean;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A failure or a 5xx: the request may have been stored, so the outcome is unknown. */
function isUnknown(r: CallResult): boolean {
  return (r.kind === "failure" && r.reason !== "refused") || (r.kind === "response" && r.status >= 500);
}

/** Redeems rows with bounded concurrency and journals each outcome; resolves rows the journal left open. */
export class RedeemBatch {
  private readonly contacts = new Map<string, Promise<Assignment[] | undefined>>();
  private readonly backoff: BackoffPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Rows that were not started (deadline) or stayed unknown. */
  readonly open = new Map<string, JournalEntry | undefined>();

  constructor(
    private readonly client: EngageClient,
    private readonly sink: OutcomeSink,
    private readonly options: RedeemOptions,
  ) {
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.sleep = options.sleep ?? sleepReal;
  }

  /** Runs every row not yet final; `previous` is the journal's last entry per key. */
  async run(
    rows: readonly RedemptionRow[],
    previous: ReadonlyMap<string, JournalEntry>,
  ): Promise<Map<string, JournalEntry>> {
    const outcomes = new Map<string, JournalEntry>();
    const todo = rows.filter((r) => {
      const p = previous.get(r.key);
      return p === undefined || !isFinal(p.state);
    });
    // The "sending" mark of a row is on disk before its redeem goes out. Marks are written a
    // window ahead, so their sync overlaps the calls in flight instead of preceding each one;
    // a mark for a row a crash kept from being sent costs one read-back on the re-run.
    const window = Math.max(1, this.options.concurrency) * 2;
    const marks: Promise<void>[] = [];
    const markUpTo = (end: number) => {
      for (let i = marks.length; i < Math.min(end, todo.length); i += 1) {
        const row = todo[i]!;
        const before = previous.get(row.key);
        // a row already marked (or unknown) keeps its entry: it is read back first anyway
        marks.push(before === undefined ? this.sink.append(this.entry(row, "sending")) : Promise.resolve());
      }
    };
    let next = 0;
    const worker = async () => {
      while (next < todo.length) {
        const i = next++;
        const row = todo[i]!;
        if (Date.now() >= this.options.deadlineAt || this.journalError !== undefined) {
          this.open.set(row.key, previous.get(row.key));
          continue;
        }
        markUpTo(i + window);
        await marks[i];
        const entry = await this.redeemRow(row, previous.get(row.key));
        if (isFinal(entry.state)) outcomes.set(row.key, entry);
        else this.open.set(row.key, entry);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.options.concurrency) }, worker));
    await Promise.all(this.writes);
    if (this.journalError !== undefined) throw this.journalError;
    return outcomes;
  }

  private entry(row: RedemptionRow, state: JournalState, extra: Partial<JournalEntry> = {}): JournalEntry {
    const e: JournalEntry = {
      key: row.key,
      record: row.record,
      state,
      at: new Date().toISOString(),
      ...extra,
    };
    if (row.input.sourceRedemptionId !== undefined) e.sourceRedemptionId = row.input.sourceRedemptionId;
    return e;
  }

  private readonly writes: Promise<void>[] = [];
  private journalError: unknown;

  /**
   * Journals a final outcome without holding a request slot: the row counts as done once the
   * batch has awaited every write, and a failed write stops the batch before its next row.
   */
  private write(e: JournalEntry): JournalEntry {
    this.writes.push(
      this.sink.append(e).catch((error: unknown) => {
        this.journalError ??= error;
      }),
    );
    return e;
  }

  /** The contact's assignments, read once per contact per run unless `fresh`; undefined when unreadable. */
  private async assignmentsOf(contactId: string, fresh: boolean): Promise<Assignment[] | undefined> {
    if (!fresh) {
      const cached = this.contacts.get(contactId);
      if (cached !== undefined) return cached;
    }
    const read = (async () => {
      for (let attempt = 1; attempt <= this.backoff.attempts; attempt += 1) {
        const r = await this.client.contactAssignments(contactId);
        if (r.kind === "response" && r.status === 200) {
          try {
            const list = JSON.parse(r.body) as unknown;
            return Array.isArray(list) ? (list as Assignment[]) : [];
          } catch {
            return undefined;
          }
        }
        if (r.kind === "response" && r.status >= 400 && r.status < 500 && r.status !== 429) return [];
        if (attempt < this.backoff.attempts)
          await this.sleep(
            (r.kind === "response" ? r.retryAfterMs : undefined) ?? backoffDelay(this.backoff, attempt),
          );
      }
      return undefined;
    })();
    this.contacts.set(contactId, read);
    return read;
  }

  private find(list: readonly Assignment[], input: RedemptionInput): Assignment | undefined {
    if (input.id !== undefined) return list.find((a) => a.id === input.id);
    const matches = list.filter((a) => a.externalId === input.externalPromotionId);
    return matches.find((a) => a.redeemed !== true) ?? matches[0];
  }

  private async redeemRow(row: RedemptionRow, before: JournalEntry | undefined): Promise<JournalEntry> {
    const input = row.input;
    let assignmentId = input.id ?? before?.assignmentId;
    // An earlier attempt may have been stored: read first when the contact is known.
    let uncertain = before !== undefined && !isFinal(before.state);
    if (uncertain && input.contactId !== undefined) {
      const list = await this.assignmentsOf(input.contactId, true);
      if (list === undefined)
        return this.write(this.entry(row, "unknown", { message: "cannot read the contact back" }));
      const found = this.find(list, input);
      if (found?.redeemed === true)
        return this.write(this.entry(row, "confirmed_by_read", { assignmentId: found.id }));
      if (found !== undefined) {
        // seen not redeemed: the earlier attempt was not stored, so sending is safe
        uncertain = false;
        assignmentId = found.id;
      }
    }
    if (assignmentId === undefined) {
      const list = await this.assignmentsOf(input.contactId!, false);
      if (list === undefined)
        return this.write(this.entry(row, "unknown", { message: "cannot read the contact's promotions" }));
      const found = this.find(list, input);
      if (found === undefined)
        return this.write(
          this.entry(row, "failed", {
            code: "AssignmentNotFound",
            message: `the contact has no active assignment of ${JSON.stringify(input.externalPromotionId)}`,
          }),
        );
      if (found.redeemed === true)
        return this.write(this.entry(row, "already_redeemed", { assignmentId: found.id }));
      assignmentId = found.id;
    }
    for (let attempt = 1; ; attempt += 1) {
      // the first mark was written ahead (without the id an external row resolves to)
      if (attempt > 1 || before !== undefined)
        await this.sink.append(this.entry(row, "sending", { assignmentId }));
      const r = await this.client.redeem(assignmentId, input.redemptionChannel);
      if (r.kind === "response" && r.status >= 200 && r.status < 300)
        return this.write(this.entry(row, "redeemed", { assignmentId, httpStatus: r.status }));
      if (r.kind === "response" && r.status === 409 && r.code === "PromotionAlreadyRedeemed")
        return this.write(
          this.entry(row, uncertain ? "confirmed_on_retry" : "already_redeemed", {
            assignmentId,
            httpStatus: 409,
          }),
        );
      if (r.kind === "response" && r.status >= 400 && r.status < 500 && r.status !== 429 && r.status !== 408)
        return this.write(
          this.entry(row, "failed", {
            assignmentId,
            httpStatus: r.status,
            ...(r.code === undefined ? { body: r.body } : { code: r.code }),
          }),
        );
      const unknown = isUnknown(r);
      const detail =
        r.kind === "response"
          ? { httpStatus: r.status, ...(r.code === undefined ? {} : { code: r.code }) }
          : { message: r.message };
      if (unknown) await this.sink.append(this.entry(row, "unknown", { assignmentId, ...detail }));
      if (attempt >= this.backoff.attempts || Date.now() >= this.options.deadlineAt)
        return this.entry(row, unknown || uncertain ? "unknown" : "sending", { assignmentId, ...detail });
      const wait =
        (r.kind === "response" ? r.retryAfterMs : undefined) ?? backoffDelay(this.backoff, attempt);
      this.options.log?.debug(`record ${row.record}: retry ${attempt} in ${wait} ms`);
      await this.sleep(wait);
      if (!unknown) continue;
      uncertain = true;
      if (input.contactId === undefined) continue; // id only: retry; a 409 then confirms the first attempt
      const list = await this.assignmentsOf(input.contactId, true);
      const found = list === undefined ? undefined : this.find(list, input);
      if (found?.redeemed === true) return this.write(this.entry(row, "confirmed_by_read", { assignmentId }));
      if (found === undefined) return this.entry(row, "unknown", { assignmentId, ...detail });
      uncertain = false; // read back: not stored, so one more redeem is no duplicate
    }
  }
}
