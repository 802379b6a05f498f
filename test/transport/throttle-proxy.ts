import { connect, createServer, type Server, type Socket } from "node:net";

/** A TCP proxy on 127.0.0.1 that slows one direction down, so a transfer can be cut mid-file. */
export interface ThrottleProxy {
  port: number;
  /** Bytes per second allowed in the throttled direction; changeable on the fly. */
  rate: number;
  /** Bytes that went through client→server and server→client so far. */
  readonly sent: { up: number; down: number };
  close(): Promise<void>;
}

/**
 * Starts a proxy to `127.0.0.1:targetPort`. `direction` "up" throttles client→server
 * (uploads), "down" server→client (downloads). When either side closes, both do, so a
 * server that dies looks like one to the client.
 */
export async function startThrottleProxy(
  targetPort: number,
  options: { rate: number; direction: "up" | "down" },
): Promise<ThrottleProxy> {
  const sockets = new Set<Socket>();
  const sent = { up: 0, down: 0 };
  const state = { rate: options.rate };
  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("error", () => undefined);
      s.on("close", () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
    }
    const throttled = options.direction === "up" ? client : upstream;
    const other = throttled === client ? upstream : client;
    const key = options.direction;
    const otherKey = key === "up" ? "down" : "up";
    // Backpressure both ways, so a frozen server stalls the client as a real network would.
    other.on("data", (d: Buffer) => {
      sent[otherKey] += d.length;
      if (!throttled.write(d)) {
        other.pause();
        throttled.once("drain", () => other.resume());
      }
    });
    // Token bucket refilled every 20 ms: the throttled side is paused when it runs dry.
    let budget = 0;
    let blocked = false;
    const timer = setInterval(() => {
      budget = Math.min(budget + state.rate / 50, Math.max(state.rate / 10, 65536));
      if (budget > 0 && !blocked) throttled.resume();
    }, 20);
    throttled.on("close", () => clearInterval(timer));
    throttled.on("data", (d: Buffer) => {
      sent[key] += d.length;
      budget -= d.length;
      if (!other.write(d)) {
        blocked = true;
        throttled.pause();
        other.once("drain", () => {
          blocked = false;
          if (budget > 0) throttled.resume();
        });
      }
      if (budget <= 0) throttled.pause();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    get rate() {
      return state.rate;
    },
    set rate(v: number) {
      state.rate = v;
    },
    sent,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
