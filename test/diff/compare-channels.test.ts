import { describe, expect, it } from "vitest";
import { canonicalDecimal, compareChannels, sameChannelValue } from "../../src/diff/compare-channels.js";

describe("channel comparison", () => {
  it("reads decimals exactly, whatever their zeros", () => {
    expect(canonicalDecimal("20.00")).toBe("20");
    expect(canonicalDecimal("020")).toBe("20");
    expect(canonicalDecimal("7.50")).toBe("7.5");
    expect(canonicalDecimal(".5")).toBe("0.5");
    expect(canonicalDecimal("0.000")).toBe("0");
    expect(canonicalDecimal("-0")).toBe("0");
    expect(canonicalDecimal("123456789012345678901.10")).toBe("123456789012345678901.1");
    expect(canonicalDecimal("1E5")).toBeUndefined();
    expect(canonicalDecimal(".")).toBeUndefined();
    expect(canonicalDecimal("")).toBeUndefined();
  });

  it("compares PERCENT and MONEY values as numbers and other values as text", () => {
    expect(sameChannelValue("PERCENT", "20", "20.00")).toBe(true);
    expect(sameChannelValue("money", "100.5", "100.50")).toBe(true);
    expect(sameChannelValue("MONEY", "100", "100.01")).toBe(false);
    expect(sameChannelValue("EXTERNALOFFER", "20", "20.00")).toBe(false);
    expect(sameChannelValue("EXTERNALOFFER", "10OFFSHOES", "10OFFSHOES")).toBe(true);
    expect(sameChannelValue("EXTERNALOFFER", "0000123", "123")).toBe(false);
  });

  it("matches value types without regard to case", () => {
    expect(
      compareChannels(
        [{ type: "POS", valueType: "PERCENT", value: "20" }],
        [{ type: "pos", valueType: "Percent", value: "20.00" }],
      ),
    ).toEqual([]);
  });

  it("names a channel sent but not exported, and one exported but not sent", () => {
    expect(
      compareChannels(
        [{ type: "POS", valueType: "MONEY", value: "100" }],
        [{ type: "ECOM", valueType: "EXTERNALOFFER", value: "10OFFSHOES" }],
      ),
    ).toEqual([
      { field: "redemptionChannels.POS", expected: "MONEY 100", actual: "(none)" },
      { field: "redemptionChannels.ECOM", expected: "(none)", actual: "EXTERNALOFFER 10OFFSHOES" },
    ]);
  });

  it("compares instructions as text, and not at all when one side has none", () => {
    expect(
      compareChannels(
        [{ type: "POS", valueType: "MANUAL", instruction: "Hand over the bag" }],
        [{ type: "POS", valueType: "MANUAL", instruction: "Hand over the box" }],
      ),
    ).toEqual([
      {
        field: "redemptionChannels.POS.instruction",
        expected: "Hand over the bag",
        actual: "Hand over the box",
      },
    ]);
    expect(
      compareChannels(
        [{ type: "POS", valueType: "MANUAL" }],
        [{ type: "POS", valueType: "MANUAL", value: "gift", instruction: "x" }],
      ),
    ).toEqual([]);
  });

  it("compares nothing when the export carries no channels", () => {
    expect(compareChannels([{ type: "POS", valueType: "PERCENT", value: "20" }], [])).toEqual([]);
  });
});
