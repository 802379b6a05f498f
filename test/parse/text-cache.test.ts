import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createTextCache } from "../../src/parse/text-cache.js";

describe("the text cache", () => {
  it("gives what the function gives, for any texts in any order", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 200 }), (texts) => {
        const cache = createTextCache((t) => `${t.length}:${t}`, { size: 8 });
        for (const text of texts) expect(cache.get(text)).toBe(`${text.length}:${text}`);
      }),
    );
  });

  it("computes a text once while it keeps its slot", () => {
    let calls = 0;
    const cache = createTextCache((t) => {
      calls += 1;
      return t.toUpperCase();
    });
    for (let i = 0; i < 100; i += 1) expect(cache.get("couponId")).toBe("COUPONID");
    expect(calls).toBe(1);
  });

  it("hashes the sampled positions, so texts that differ only there get their own slots", () => {
    let calls = 0;
    const cache = createTextCache(
      (t) => {
        calls += 1;
        return t;
      },
      { size: 256, sample: [8, 9] },
    );
    const days = Array.from(
      { length: 28 },
      (_, i) => `2026-03-${String(i + 1).padStart(2, "0")}T00:00:00+01:00`,
    );
    for (let round = 0; round < 3; round += 1) for (const day of days) cache.get(day);
    expect(calls).toBeLessThan(28 * 2);
  });

  it("refuses a size that is not a power of two", () => {
    expect(() => createTextCache((t) => t, { size: 100 })).toThrow(/power of two/);
  });
});
