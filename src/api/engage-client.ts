import http from "node:http";
import https from "node:https";
import { EngageError } from "../core/errors.js";
import { extractErrorCode, truncateBody } from "./error-code.js";
import { parseRetryAfter } from "./backoff.js";

/** Engage's own lower bound: a redeem stored after the 4.5 s mark still completes, however long it takes. */
export const MIN_REDEEM_TIMEOUT_MS = 60_000;

/** What a call came back with: a response, or a failure on the way (no response seen). */
export type CallResult =
  | {
      kind: "response";
      status: number;
      body: string;
      /** Engage's error code, from the body. */
      code?: string | undefined;
      retryAfterMs?: number | undefined;
    }
  | {
      kind: "failure";
      /** `refused`: never connected, nothing sent; `timeout` and `reset`: the request may have arrived. */
      reason: "refused" | "timeout" | "reset";
      message: string;
    };

export interface ClientOptions {
  baseUrl: string;
  apiKey: string;
  userAgent: string;
  /** Per-call timeout for reads and assignments. */
  timeoutMs?: number;
  /** Per-redeem timeout; never below 60 s. */
  redeemTimeoutMs?: number;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** Checks `--api-url`: https, or plain http to a loopback host only (a key must not cross a network in clear). */
export function checkApiUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new EngageError(
      "usage",
      "api.url_invalid",
      `--api-url: expected a URL like https://acme.voyado.com, got ${JSON.stringify(text)}`,
    );
  }
  if (url.protocol === "https:") return url;
  if (url.protocol === "http:" && (LOOPBACK.has(url.hostname) || url.hostname.startsWith("127."))) return url;
  throw new EngageError(
    "usage",
    "api.url_insecure",
    `--api-url: expected https:// (plain http:// only to a loopback host), got ${url.protocol}//${url.host}`,
  );
}

/** Thrown into a request whose whole exchange outlasts its timeout. */
class CallTimeout extends Error {
  override readonly name = "TimeoutError";
}

function failureOf(error: unknown): CallResult {
  const e = error as { name?: string; code?: string; cause?: { code?: string; name?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError")
    return { kind: "failure", reason: "timeout", message: "no answer within the timeout" };
  const code = e.code ?? e.cause?.code ?? e.cause?.name ?? "error";
  if (code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN")
    return { kind: "failure", reason: "refused", message: `cannot connect (${code})` };
  return { kind: "failure", reason: "reset", message: `connection failed (${code})` };
}

/**
 * A thin client for Engage's REST API: one call, one result; retries are the caller's decision.
 * It speaks through Node's own HTTP client with one keep-alive agent, so the connections (at most
 * as many as calls in flight) are reused from call to call; a call costs a fraction of the CPU
 * `fetch` spends on its web streams, which counts when thousands of calls go out.
 */
export class EngageClient {
  private readonly url: URL;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  readonly redeemTimeoutMs: number;

  constructor(options: ClientOptions) {
    this.url = checkApiUrl(options.baseUrl);
    this.basePath = this.url.pathname.replace(/\/$/, "");
    const secure = this.url.protocol === "https:";
    // free connections are closed after a while idle, before a server's own keep-alive limit
    const agentOptions = { keepAlive: true, timeout: 4_000, scheduling: "lifo" as const };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
    // the key goes only into this header, never into a message or a log line
    this.headers = {
      apikey: options.apiKey,
      "user-agent": options.userAgent,
      accept: "application/json",
      "content-type": "application/json",
    };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.redeemTimeoutMs = Math.max(MIN_REDEEM_TIMEOUT_MS, options.redeemTimeoutMs ?? MIN_REDEEM_TIMEOUT_MS);
  }

  /** Sends one request; 401 and 403 throw (the key is refused for every row alike). */
  async call(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    timeoutMs = this.timeoutMs,
  ): Promise<CallResult> {
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      ({ status, retryAfter, text } = await this.exchange(method, path, body, timeoutMs));
    } catch (error) {
      return failureOf(error);
    }
    if (status === 401 || status === 403)
      throw new EngageError(
        "auth_refused",
        "api.key_refused",
        `${method} ${path.split("?")[0]}: Engage refused the API key (HTTP ${status})`,
      );
    return {
      kind: "response",
      status,
      body: status >= 400 ? truncateBody(text) : text,
      code: status >= 400 ? extractErrorCode(text) : undefined,
      retryAfterMs: parseRetryAfter(retryAfter),
    };
  }

  /** One request and its whole answer; rejects on a failure on the way or when `timeoutMs` passes first. */
  private exchange(
    method: string,
    path: string,
    body: unknown,
    timeoutMs: number,
  ): Promise<{ status: number; retryAfter: string | null; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers =
      payload === undefined
        ? this.headers
        : { ...this.headers, "content-length": String(Buffer.byteLength(payload)) };
    return new Promise((resolve, reject) => {
      let timedOut = false;
      const fail = (error: unknown) => {
        clearTimeout(timer);
        reject(timedOut ? new CallTimeout("no answer within the timeout") : error);
      };
      const req = this.request(
        {
          protocol: this.url.protocol,
          hostname: this.url.hostname,
          port: this.url.port,
          path: `${this.basePath}${path}`,
          method,
          headers,
          agent: this.agent,
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => {
            text += chunk;
          });
          res.on("end", () => {
            clearTimeout(timer);
            const retryAfter = res.headers["retry-after"];
            resolve({ status: res.statusCode ?? 0, retryAfter: retryAfter ?? null, text });
          });
          res.on("error", fail);
          // a connection closed before the whole answer arrived (settled already when it did)
          res.on("close", () => {
            if (!res.complete) fail(Object.assign(new Error("answer cut short"), { code: "ECONNRESET" }));
          });
        },
      );
      // one deadline for the whole exchange (connect, send, wait, read), as Engage's advice means it
      const timer = setTimeout(() => {
        timedOut = true;
        req.destroy(new CallTimeout("no answer within the timeout"));
      }, timeoutMs);
      req.on("error", fail);
      req.end(payload);
    });
  }

  /** Closes the idle connections. */
  close(): void {
    this.agent.destroy();
  }

  /** `GET /api/v3/promotion-assignments?contactId=…`: the contact's active assignments. */
  contactAssignments(contactId: string): Promise<CallResult> {
    return this.call("GET", `/api/v3/promotion-assignments?contactId=${encodeURIComponent(contactId)}`);
  }

  /** `POST /api/v3/promotion-assignments/{id}/redeem`, with the long timeout Engage asks for. */
  redeem(assignmentId: string, redemptionChannel: string): Promise<CallResult> {
    return this.call(
      "POST",
      `/api/v3/promotion-assignments/${encodeURIComponent(assignmentId)}/redeem`,
      { redemptionChannel },
      this.redeemTimeoutMs,
    );
  }

  /** `POST /api/v3/promotion-assignments`: assigns a promotion to a contact. */
  assign(contactId: string, promotionId: string): Promise<CallResult> {
    return this.call("POST", "/api/v3/promotion-assignments", { contactId, promotionId });
  }

  /** `GET /api/v2/promotions/multichannels?externalId=…`: a promotion by its external id. */
  promotionByExternalId(externalId: string): Promise<CallResult> {
    return this.call("GET", `/api/v2/promotions/multichannels?externalId=${encodeURIComponent(externalId)}`);
  }
}
