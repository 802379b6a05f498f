import { describe, expect, it } from "vitest";
import { formatFileTimestamp, importFileName } from "../../src/render/file-name.js";

describe("importFileName", () => {
  it("names files YYYYMMDDHHmmss_<seq>_promotions.xml in UTC with a six-digit sequence", () => {
    expect(importFileName(new Date("2026-03-01T02:00:00Z"), 1)).toBe("20260301020000_000001_promotions.xml");
    expect(importFileName(new Date("2026-03-01T03:04:05+01:00"), 42)).toBe(
      "20260301020405_000042_promotions.xml",
    );
  });

  it("keeps name order equal to sequence order", () => {
    const t = new Date("2026-12-31T23:59:59Z");
    const names = [1, 2, 9, 10, 99, 100, 9999, 10000, 999999].map((n) => importFileName(t, n));
    expect([...names].sort()).toEqual(names);
  });

  it("drops milliseconds and refuses an invalid date", () => {
    expect(formatFileTimestamp(new Date("2026-01-02T03:04:05.999Z"))).toBe("20260102030405");
    expect(() => formatFileTimestamp(new Date("nope"))).toThrow(RangeError);
  });
});
