import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/core/duration.js";

describe("parseDuration", () => {
  it.each([
    ["0", 0],
    ["90", 90_000],
    ["250ms", 250],
    ["90s", 90_000],
    ["2m", 120_000],
    ["1h30m", 5_400_000],
    ["1.5s", 1500],
    ["1d", 86_400_000],
  ])("reads %j as %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["", "soon", "-1s", "2 m", "m", "1x", "1m-"])("refuses %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("reads any whole number of each unit back to the same milliseconds", () => {
    fc.assert(
      fc.property(
        fc.nat(100_000),
        fc.constantFrom(["ms", 1], ["s", 1000], ["m", 60_000], ["h", 3_600_000]),
        (n, [unit, ms]) => {
          expect(parseDuration(`${n}${unit as string}`)).toBe(n * (ms as number));
        },
      ),
    );
  });
});
