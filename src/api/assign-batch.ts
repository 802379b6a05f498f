import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import type { CallResult, EngageClient } from "./engage-client.js";

/** One assignment to make: the contact and the promotion, by Engage id or by external id. */
export interface AssignRow {
  record: number;
  line?: number | undefined;
  contactId: string;
  promotionId?: string | undefined;
  externalPromotionId?: string | undefined;
}

/** How one assignment ended. */
export interface AssignOutcome {
  row: AssignRow;
  state: "assigned" | "failed" | "unknown";
  httpStatus?: number;
  code?: string;
  body?: string;
  message?: string;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Assigns rows with bounded concurrency; an external id is resolved once per promotion. An
 * assignment is not idempotent, so only answers that say nothing was done (429, refused
 * connection) are retried; a timeout or 5xx leaves the row `unknown`.
 */
export async function assignRows(
  client: EngageClient,
  rows: readonly AssignRow[],
  options: {
    concurrency: number;
    deadlineAt: number;
    backoff?: BackoffPolicy;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<AssignOutcome[]> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const sleep = options.sleep ?? sleepReal;
  const resolved = new Map<string, Promise<CallResult>>();
  const retrying = async (call: () => Promise<CallResult>) => {
    for (let attempt = 1; ; attempt += 1) {
      const r = await call();
      const again =
        (r.kind === "failure" && r.reason === "refused") || (r.kind === "response" && r.status === 429);
      if (!again || attempt >= backoff.attempts) return r;
      await sleep((r.kind === "response" ? r.retryAfterMs : undefined) ?? backoffDelay(backoff, attempt));
    }
  };
  const outcomes: AssignOutcome[] = new Array<AssignOutcome>(rows.length);
  const failed = (row: AssignRow, r: CallResult): AssignOutcome =>
    r.kind === "failure"
      ? { row, state: r.reason === "refused" ? "failed" : "unknown", message: r.message }
      : {
          row,
          state: r.status >= 500 ? "unknown" : "failed",
          httpStatus: r.status,
          ...(r.code === undefined ? { body: r.body } : { code: r.code }),
        };
  let next = 0;
  const worker = async () => {
    while (next < rows.length) {
      const i = next++;
      const row = rows[i]!;
      if (Date.now() >= options.deadlineAt) {
        outcomes[i] = { row, state: "unknown", message: "not sent: deadline passed" };
        continue;
      }
      let promotionId = row.promotionId;
      if (promotionId === undefined) {
        const ext = row.externalPromotionId!;
        if (!resolved.has(ext))
          resolved.set(
            ext,
            retrying(() => client.promotionByExternalId(ext)),
          );
        const r = await resolved.get(ext)!;
        if (r.kind === "response" && r.status === 200) {
          try {
            const body = JSON.parse(r.body) as { id?: unknown } | { id?: unknown }[];
            const first = Array.isArray(body) ? body[0] : body;
            if (typeof first?.id === "string") promotionId = first.id;
          } catch {
            // handled below as not found
          }
        }
        if (promotionId === undefined) {
          outcomes[i] =
            r.kind === "response" && r.status === 200
              ? { row, state: "failed", code: "PromotionNotFound" }
              : failed(row, r);
          continue;
        }
      }
      const r = await retrying(() => client.assign(row.contactId, promotionId));
      outcomes[i] =
        r.kind === "response" && r.status >= 200 && r.status < 300
          ? { row, state: "assigned", httpStatus: r.status }
          : failed(row, r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return outcomes;
}
