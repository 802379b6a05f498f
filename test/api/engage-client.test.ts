import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EngageClient } from "../../src/api/engage-client.js";

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A server answering every request with `handle`; returns its base URL. */
async function serve(handle: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handle);
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const client = (baseUrl: string, timeoutMs = 5_000) =>
  new EngageClient({ baseUrl, apiKey: "k", userAgent: "engage-promo/test", timeoutMs });

describe("the Engage client", () => {
  it("sends the key, the agent and a JSON body, and returns the answer with Engage's code and Retry-After", async () => {
    const seen: { headers: Record<string, unknown>; body: string; url: string }[] = [];
    const url = await serve((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        seen.push({ headers: req.headers, body, url: req.url ?? "" });
        res.writeHead(429, { "retry-after": "3", "content-type": "application/json" });
        res.end(JSON.stringify({ errorCode: "TooManyRequests" }));
      });
    });
    const c = client(`${url}/base/`);
    const r = await c.call("POST", "/api/v3/x?y=1", { a: "å" });
    expect(r).toEqual({
      kind: "response",
      status: 429,
      body: '{"errorCode":"TooManyRequests"}',
      code: "TooManyRequests",
      retryAfterMs: 3000,
    });
    expect(seen[0]).toMatchObject({ url: "/base/api/v3/x?y=1", body: '{"a":"å"}' });
    expect(seen[0]!.headers).toMatchObject({
      apikey: "k",
      "user-agent": "engage-promo/test",
      "content-length": "10",
    });
    c.close();
  });

  it("reuses one connection for calls one after another", async () => {
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      res.end("[]");
    });
    const c = client(url);
    for (let i = 0; i < 5; i += 1)
      expect(await c.call("GET", "/a")).toMatchObject({ status: 200, body: "[]" });
    expect(sockets.size).toBe(1);
    c.close();
  });

  it("tells a timeout, a reset and a refused connection apart", async () => {
    const url = await serve((req, res) => {
      if (req.url === "/reset") return void req.socket.destroy();
      if (req.url === "/cut") {
        res.writeHead(200, { "content-length": "100" });
        res.write("[");
        return void setTimeout(() => req.socket.destroy(), 20);
      }
      // /slow: headers at once, the body never
      res.writeHead(200);
      res.write("[");
    });
    const c = client(url, 200);
    expect(await c.call("GET", "/slow")).toMatchObject({ kind: "failure", reason: "timeout" });
    expect(await c.call("GET", "/reset")).toMatchObject({ kind: "failure", reason: "reset" });
    expect(await c.call("GET", "/cut")).toMatchObject({ kind: "failure", reason: "reset" });
    c.close();
    expect(await client("http://127.0.0.1:1").call("GET", "/")).toMatchObject({
      kind: "failure",
      reason: "refused",
    });
  });

  it("throws the refused key for 401 and 403", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(403);
      res.end();
    });
    await expect(client(url).call("GET", "/")).rejects.toMatchObject({
      code: "api.key_refused",
      kind: "auth_refused",
    });
  });
});
