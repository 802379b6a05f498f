import { EngageError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";

/** How failures that may pass are retried. */
export interface RetryPolicy {
  /** Retries after the first attempt (0: one attempt only). */
  retries: number;
  /** The first delay; each retry doubles it, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs?: number;
  /** For tests: a fixed jitter source in [0, 1). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const MAX_RETRY_DELAY_MS = 60_000;

/**
 * The delay before retry number `retry` (1-based): exponential from the base, capped, with
 * jitter in its upper half so that many clients restarted together do not retry in step.
 */
export function backoffDelay(retry: number, policy: RetryPolicy): number {
  const cap = policy.maxDelayMs ?? MAX_RETRY_DELAY_MS;
  const full = Math.min(cap, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const r = (policy.random ?? Math.random)();
  return Math.round(full / 2 + (full / 2) * r);
}

const sleepFor = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work(attempt)` until it succeeds, retrying EngageErrors marked retryable with backoff;
 * anything else (authentication, host key, permission) fails at once. After the last attempt
 * the error says how many were made.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  log: Logger,
  what: string,
  work: (attempt: number) => Promise<T>,
): Promise<T> {
  const sleep = policy.sleep ?? sleepFor;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!(error instanceof EngageError) || !error.retryable) throw error;
      if (attempt > policy.retries) {
        if (policy.retries === 0) throw error;
        throw new EngageError(
          error.kind,
          error.code,
          `${error.message} (gave up after ${attempt} attempts)`,
          {
            retryable: true,
            cause: error,
          },
        );
      }
      const delay = backoffDelay(attempt, policy);
      log.warn(
        `${what}: ${error.message}; retry ${attempt} of ${policy.retries} in ${(delay / 1000).toFixed(1)} s`,
      );
      await sleep(delay);
    }
  }
}
