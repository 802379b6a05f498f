import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatBytes, groupDigits, plural } from "../../src/core/format-amount.js";

describe("amounts in messages", () => {
  it("puts a noun in the singular for one and the plural otherwise", () => {
    expect(plural(1, "files")).toBe("1 file");
    expect(plural(0, "files")).toBe("0 files");
    expect(plural(2, "file")).toBe("2 files");
    expect(plural(1, "entries")).toBe("1 entry");
    expect(plural(3, "entry")).toBe("3 entries");
    expect(plural(20000, "rows")).toBe("20,000 rows");
  });

  it("groups digits as en-US does, for every number", () => {
    const numbers = fc.oneof(
      fc.integer({ min: -1_000_000_000, max: 1_000_000_000 }),
      fc.maxSafeInteger(),
      fc.constantFrom(0, -0, 999, 1000, -1000, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
      fc.double({ noNaN: false }),
    );
    fc.assert(fc.property(numbers, (n) => groupDigits(n) === n.toLocaleString("en-US")));
  });

  it("gives a small size in a unit that does not round it to zero", () => {
    expect(formatBytes(5 * 1024)).toBe("5.0 KiB");
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(3.5 * 1024 * 1024)).toBe("3.5 MiB");
    expect(formatBytes(700 * 1024 * 1024)).toBe("700 MiB");
  });

  it("never shows a non-zero size as zero", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 50 }), (n) => {
        expect(formatBytes(n)).not.toMatch(/^0(\.0)? /);
      }),
    );
  });
});
