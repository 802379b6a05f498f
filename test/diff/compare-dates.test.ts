import { describe, expect, it } from "vitest";
import {
  isMidnight,
  nextDay,
  sentDay,
  validFromMatches,
  validToMatches,
} from "../../src/diff/compare-dates.js";
import { instant } from "./records.js";

describe("date comparison", () => {
  it("reads the day of a sent date or date-time in its own offset", () => {
    expect(sentDay("2026-03-05")).toBe("2026-03-05");
    expect(sentDay("2026-08-31T23:59:59+02:00")).toBe("2026-08-31");
    expect(sentDay("next week")).toBeUndefined();
  });

  it("steps to the next day across months, years and leap days", () => {
    expect(nextDay("2026-03-31")).toBe("2026-04-01");
    expect(nextDay("2026-12-31")).toBe("2027-01-01");
    expect(nextDay("2028-02-28")).toBe("2028-02-29");
    expect(nextDay("2026-02-28")).toBe("2026-03-01");
  });

  it("knows midnight in every way the export writes it", () => {
    expect(isMidnight("2026-04-01T00:00:00+02:00")).toBe(true);
    expect(isMidnight("2026-04-01T00:00:00.0000000+02:00")).toBe(true);
    expect(isMidnight("2026-04-01 00:00")).toBe(true);
    expect(isMidnight("2026-04-01T00:00:00Z")).toBe(true);
    expect(isMidnight("2026-04-01T00:00:00.0000001+02:00")).toBe(false);
    expect(isMidnight("2026-04-01")).toBe(false);
  });

  it("matches a sent valid-from day with an export timestamp on that day in the export's offset", () => {
    expect(validFromMatches("2026-03-05", instant("2026-03-05T00:00:00+01:00"))).toBe(true);
    expect(validFromMatches("2026-03-05", instant("2026-03-05T23:59:59-10:00"))).toBe(true);
    expect(validFromMatches("2026-03-05", instant("2026-03-04T23:00:00Z"))).toBe(false);
    expect(validFromMatches("2026-03-05T08:00:00+01:00", instant("2026-03-05T00:00:00+01:00"))).toBe(true);
  });

  it("matches a sent last valid day with an expiry on that day or at the next midnight", () => {
    expect(validToMatches("2026-03-31", instant("2026-03-31T23:59:59+02:00"))).toBe(true);
    expect(validToMatches("2026-03-31", instant("2026-04-01T00:00:00+02:00"))).toBe(true);
    expect(validToMatches("2026-03-31", instant("2026-03-31"))).toBe(true);
    expect(validToMatches("2026-03-31", instant("2026-04-01"))).toBe(false);
    expect(validToMatches("2026-03-31", instant("2026-04-01T08:00:00+02:00"))).toBe(false);
    expect(validToMatches("2026-03-31", instant("2026-03-30T23:59:59+02:00"))).toBe(false);
  });
});
