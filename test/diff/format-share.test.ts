import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatShare } from "../../src/diff/format-share.js";

describe("a category's share in the reports", () => {
  it("shows 6 of 300,006 as a share that is not zero", () => {
    expect(formatShare(6, 300_006)).toBe("<0.1%");
    expect(formatShare(0, 300_006)).toBe("0.0%");
    expect(formatShare(300_000, 300_006)).toBe(">99.9%");
    expect(formatShare(1, 4)).toBe("25.0%");
  });

  it("reads as zero only for a count of zero, and as 100% only for the whole", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.nat({ max: 10_000_000 }), (total, k) => {
        const count = k % (total + 1);
        const share = formatShare(count, total);
        expect(share === "0.0%").toBe(count === 0);
        expect(share === "100.0%").toBe(count === total);
      }),
    );
  });
});
