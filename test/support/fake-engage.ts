import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";

/** One contact's instance of a promotion, as the fake stores it. */
export interface FakeAssignment {
  id: string;
  promotionId: string;
  contactId: string;
  redeemed: boolean;
  redeemedOn: string | null;
  /** How many redeems stored it: more than 1 would be a duplicate. */
  redeemCount: number;
  /** Not shown by the GET (future start, inactive, expired). */
  hidden?: boolean;
}

export interface FakePromotion {
  id: string;
  externalId: string | null;
  name: string;
  channels: ("POS" | "ECOM")[];
  expired?: boolean;
  /** Shown as the assignment's `validFrom` (default 2026-01-01T00:00:00+01:00). */
  validFrom?: string;
  /** Shown as the assignment's `expiresOn` (default 2026-12-31T23:59:59+01:00). */
  expiresOn?: string;
  /** The channels the GET shows (default: each of `channels` as PERCENT 10). */
  redemptionChannels?: { type: string; valueType: string; value: unknown; instruction?: string | null }[];
}

/** A bad day for the next matching request. */
export type Fault =
  | { on: Route; kind: "store-then-504"; delayMs?: number }
  | { on: Route; kind: "504" }
  | { on: Route; kind: "429"; retryAfter: string }
  | { on: Route; kind: "reset" }
  | { on: Route; kind: "slow-body"; delayMs: number }
  | { on: Route; kind: "401" };

type Route = "redeem" | "list" | "assign" | "lookup";

export interface FakeEngageOptions {
  apiKey?: string;
  /** Latency added to every call. */
  latencyMs?: number;
}

/** A faithful fake of Engage's promotion endpoints on 127.0.0.1, with its state open to tests. */
export class FakeEngage {
  readonly promotions = new Map<string, FakePromotion>();
  readonly assignments = new Map<string, FakeAssignment>();
  readonly faults: Fault[] = [];
  /** Every request seen: method, path, and the apikey header as sent. */
  readonly requests: {
    method: string;
    path: string;
    apikey: string | undefined;
    userAgent: string | undefined;
  }[] = [];
  redeemCalls = 0;
  /** When the first request arrived and the last answer went out (performance.now(), ms). */
  firstRequestAt: number | undefined;
  lastAnswerAt: number | undefined;
  /** Requests being handled right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;
  private server: Server | undefined;
  private readonly apiKey: string;
  latencyMs: number;
  /**
   * Engage's clock for the GET, which shows only promotions that have started and not expired
   * at this instant; undefined: dates do not hide anything.
   */
  now: Date | undefined;

  constructor(options: FakeEngageOptions = {}) {
    this.apiKey = options.apiKey ?? "test-key";
    this.latencyMs = options.latencyMs ?? 0;
  }

  /** Adds a promotion; returns it. */
  addPromotion(externalId: string | null, channels: ("POS" | "ECOM")[] = ["POS", "ECOM"]): FakePromotion {
    const p: FakePromotion = { id: randomUUID(), externalId, name: `P ${externalId ?? ""}`, channels };
    this.promotions.set(p.id, p);
    return p;
  }

  /** Assigns a promotion to a contact; returns the assignment. */
  assign(promotion: FakePromotion, contactId: string): FakeAssignment {
    const a: FakeAssignment = {
      id: randomUUID(),
      promotionId: promotion.id,
      contactId,
      redeemed: false,
      redeemedOn: null,
      redeemCount: 0,
    };
    this.assignments.set(a.id, a);
    return a;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.server!.listen(0, "127.0.0.1", r));
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()) ?? r());
  }

  /** True when Engage's clock (`now`) is within the promotion's validity, or there is no clock. */
  private shownAt(p: FakePromotion): boolean {
    if (this.now === undefined) return true;
    const now = this.now.getTime();
    return (
      Date.parse(p.validFrom ?? "2026-01-01T00:00:00+01:00") <= now &&
      Date.parse(p.expiresOn ?? "2026-12-31T23:59:59+01:00") >= now
    );
  }

  private takeFault(route: Route): Fault | undefined {
    const i = this.faults.findIndex((f) => f.on === route);
    return i < 0 ? undefined : this.faults.splice(i, 1)[0];
  }

  private view(a: FakeAssignment) {
    const p = this.promotions.get(a.promotionId)!;
    return {
      id: a.id,
      promotionId: p.id,
      externalId: p.externalId,
      type: "Multichannel",
      name: p.name,
      validFrom: p.validFrom ?? "2026-01-01T00:00:00+01:00",
      expiresOn: p.expiresOn ?? "2026-12-31T23:59:59+01:00",
      heading: p.name,
      description: null,
      redeemed: a.redeemed,
      redeemedOn: a.redeemedOn,
      assignedOn: "2026-01-02T10:00:00+01:00",
      source: "Api",
      imageUrl: null,
      link: null,
      redemptionChannels:
        p.redemptionChannels?.map((c) => ({ localValues: [], instruction: null, ...c })) ??
        p.channels.map((type) => ({
          type,
          valueType: "PERCENT",
          value: 10,
          localValues: [],
          instruction: null,
        })),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on("close", () => {
      this.inFlight -= 1;
    });
    const chunks: Buffer[] = [];
    // events, not an async iterator: the fake's own cost per call stays small beside the client's
    await new Promise<void>((done, fail) => {
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", done);
      req.on("error", fail);
    });
    const url = new URL(req.url ?? "/", "http://x");
    const apikey = req.headers.apikey as string | undefined;
    this.firstRequestAt ??= performance.now();
    this.requests.push({
      method: req.method ?? "",
      path: url.pathname + url.search,
      apikey,
      userAgent: req.headers["user-agent"],
    });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
      this.lastAnswerAt = performance.now();
    };
    const error = (status: number, code: string) => send(status, { errorCode: code, message: `${code}.` });
    const redeem = /^\/api\/v3\/promotion-assignments\/([^/]+)\/redeem$/.exec(url.pathname);
    const route: Route | undefined = redeem
      ? "redeem"
      : url.pathname === "/api/v3/promotion-assignments"
        ? req.method === "GET"
          ? "list"
          : "assign"
        : url.pathname === "/api/v2/promotions/multichannels"
          ? "lookup"
          : undefined;
    if (route === "redeem") this.redeemCalls += 1;
    if (apikey !== this.apiKey) return error(401, "Unauthorized");
    const fault = route === undefined ? undefined : this.takeFault(route);
    if (fault?.kind === "401") return error(401, "Unauthorized");
    if (fault?.kind === "429")
      return send(429, { message: "Too many requests" }, { "retry-after": fault.retryAfter });
    if (fault?.kind === "reset") return void req.socket.destroy();
    if (fault?.kind === "504") return error(504, "GatewayTimeout");
    if (fault?.kind === "slow-body") {
      res.writeHead(200, { "content-type": "application/json" });
      res.write("");
      await new Promise((r) => setTimeout(r, fault.delayMs));
    }
    let body: Record<string, unknown>;
    try {
      body =
        chunks.length > 0
          ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>)
          : {};
    } catch {
      return error(400, "BadRequest");
    }
    const finish = (status: number, payload: unknown) => {
      if (fault?.kind === "slow-body") return void res.end(JSON.stringify(payload));
      send(status, payload);
    };
    if (route === "list") {
      const contactId = url.searchParams.get("contactId") ?? "";
      const list = [...this.assignments.values()].filter((a) => {
        const p = this.promotions.get(a.promotionId)!;
        return a.contactId === contactId && a.hidden !== true && p.expired !== true && this.shownAt(p);
      });
      return finish(
        200,
        list.map((a) => this.view(a)),
      );
    }
    if (route === "lookup") {
      const p = [...this.promotions.values()].find(
        (x) => x.externalId === url.searchParams.get("externalId"),
      );
      if (p === undefined) return error(404, "PromotionNotFound");
      return finish(200, { id: p.id, externalId: p.externalId, name: p.name, status: "Active" });
    }
    if (route === "assign") {
      const contactId = String(body.contactId ?? "");
      const promotionId = String(body.promotionId ?? "");
      if (!/^[0-9a-f-]{36}$/i.test(contactId)) return error(400, "InvalidContactId");
      if (!/^[0-9a-f-]{36}$/i.test(promotionId)) return error(400, "InvalidPromotionId");
      const p = this.promotions.get(promotionId);
      if (p === undefined) return error(404, "PromotionNotFound");
      if (p.expired === true) return error(409, "PromotionExpired");
      return finish(200, this.view(this.assign(p, contactId)));
    }
    if (route === "redeem") {
      const channel = body.redemptionChannel;
      if (channel !== "POS" && channel !== "ECOM" && channel !== "OTHER")
        return error(400, "NotAValidRedemptionChannel");
      const a = this.assignments.get(decodeURIComponent(redeem![1]!));
      if (a === undefined) return error(404, "PromotionNotFound");
      const p = this.promotions.get(a.promotionId)!;
      if (channel !== "OTHER" && !p.channels.includes(channel))
        return error(409, "PromotionNotValidForRedemptionChannel");
      if (a.redeemed) return error(409, "PromotionAlreadyRedeemed");
      a.redeemed = true;
      a.redeemCount += 1;
      a.redeemedOn = new Date().toISOString();
      if (fault?.kind === "store-then-504") {
        // Engage's 4.5 s mark: stored, but the gateway gives up first
        await new Promise((r) => setTimeout(r, fault.delayMs ?? 4500));
        return error(504, "GatewayTimeout");
      }
      return finish(200, this.view(a));
    }
    return error(404, "NotFound");
  }
}
