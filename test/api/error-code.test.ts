import { describe, expect, it } from "vitest";
import { extractErrorCode, truncateBody } from "../../src/api/error-code.js";
import { backoffDelay, parseRetryAfter } from "../../src/api/backoff.js";
import { checkApiUrl } from "../../src/api/engage-client.js";

describe("Engage's error code", () => {
  it("is taken from errorCode, code, or a PascalCase word inside message", () => {
    expect(extractErrorCode('{"errorCode":"PromotionAlreadyRedeemed"}')).toBe("PromotionAlreadyRedeemed");
    expect(extractErrorCode('{"code":"ContactNotFound","message":"x"}')).toBe("ContactNotFound");
    expect(extractErrorCode('{"message":"Failed: PromotionNotAssociatedWithContact."}')).toBe(
      "PromotionNotAssociatedWithContact",
    );
    expect(extractErrorCode("<html>Bad gateway</html>")).toBeUndefined();
  });

  it("keeps a long raw body shortened", () => {
    expect(truncateBody("x".repeat(1000))).toHaveLength(301);
  });
});

describe("retries", () => {
  it("read Retry-After as seconds or an HTTP date", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });

  it("back off exponentially with jitter under a cap", () => {
    const policy = { baseMs: 100, maxMs: 1000, attempts: 6 };
    expect(backoffDelay(policy, 1, () => 0)).toBe(50);
    expect(backoffDelay(policy, 3, () => 1)).toBe(400);
    expect(backoffDelay(policy, 10, () => 1)).toBe(1000);
  });
});

describe("--api-url", () => {
  it("takes https anywhere and plain http only to loopback", () => {
    expect(checkApiUrl("https://acme.voyado.com").host).toBe("acme.voyado.com");
    expect(checkApiUrl("http://127.0.0.1:8080").port).toBe("8080");
    expect(checkApiUrl("http://localhost:1").hostname).toBe("localhost");
    expect(() => checkApiUrl("http://acme.voyado.com")).toThrow(/https/);
    expect(() => checkApiUrl("ftp://x")).toThrow();
  });
});
