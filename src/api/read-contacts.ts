import type { Logger } from "../core/logger.js";
import type { ApiAssignment } from "./api-assignment.js";
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from "./backoff.js";
import type { EngageClient } from "./engage-client.js";

/** What reading one contact's promotions came to. */
export type ContactRead =
  | { kind: "read"; assignments: ApiAssignment[] }
  /** Engage answered, but not with the list: a 4xx (InvalidContactId, ContactNotFound) or a body that is no list. */
  | { kind: "refused"; status: number; code?: string | undefined; body?: string | undefined }
  /** No answer after every retry (timeouts, resets, 5xx, 429). */
  | { kind: "unavailable"; message: string }
  /** Not started: the deadline had passed. */
  | { kind: "not_started" };

export interface ReadContactsOptions {
  concurrency: number;
  /** Epoch ms after which no new contact is started and no retry waited for. */
  deadlineAt: number;
  backoff?: BackoffPolicy;
  log?: Logger;
  sleep?: (ms: number) => Promise<void>;
  /** Told after each contact: how many are done. */
  onProgress?: (done: number) => void;
}

const sleepReal = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Reads each contact's promotions (`GET /api/v3/promotion-assignments?contactId=…`) with bounded
 * concurrency. A read changes nothing, so timeouts, resets, 5xx and 429 are retried (429 after
 * its `Retry-After`, the rest with backoff and jitter) until the attempts or the deadline run
 * out; a refused key (401, 403) throws and stops every worker.
 */
export async function readContacts(
  client: EngageClient,
  contacts: readonly string[],
  options: ReadContactsOptions,
): Promise<Map<string, ContactRead>> {
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const sleep = options.sleep ?? sleepReal;
  const out = new Map<string, ContactRead>();
  let next = 0;
  let done = 0;
  let stopped = false;
  const readOne = async (contactId: string): Promise<ContactRead> => {
    let message: string;
    for (let attempt = 1; ; attempt += 1) {
      const r = await client.contactAssignments(contactId);
      if (r.kind === "response" && r.status === 200) {
        try {
          const list = JSON.parse(r.body) as unknown;
          if (Array.isArray(list)) return { kind: "read", assignments: list as ApiAssignment[] };
        } catch {
          // not JSON: reported below with the body
        }
        return { kind: "refused", status: 200, body: r.body.slice(0, 300) };
      }
      if (r.kind === "response" && r.status >= 400 && r.status < 500 && r.status !== 429 && r.status !== 408)
        return {
          kind: "refused",
          status: r.status,
          code: r.code,
          body: r.code === undefined ? r.body : undefined,
        };
      message =
        r.kind === "response" ? `HTTP ${r.status}${r.code === undefined ? "" : ` ${r.code}`}` : r.message;
      if (attempt >= backoff.attempts || stopped) break;
      const wait = (r.kind === "response" ? r.retryAfterMs : undefined) ?? backoffDelay(backoff, attempt);
      if (Date.now() + wait >= options.deadlineAt) break;
      options.log?.debug(`contact ${contactId}: retry ${attempt} in ${wait} ms (${message})`);
      await sleep(wait);
    }
    return { kind: "unavailable", message };
  };
  const worker = async () => {
    while (next < contacts.length && !stopped) {
      const contactId = contacts[next++]!;
      if (Date.now() >= options.deadlineAt) {
        out.set(contactId, { kind: "not_started" });
        continue;
      }
      try {
        out.set(contactId, await readOne(contactId));
      } catch (error) {
        stopped = true;
        throw error;
      }
      done += 1;
      options.onProgress?.(done);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.concurrency, contacts.length)) }, worker),
  );
  for (const c of contacts) if (!out.has(c)) out.set(c, { kind: "not_started" });
  return out;
}
