import { describe, expect, it } from "vitest";
import { compareDateTexts } from "../../src/schemas/promotion-input.js";
import { isLocalDateTime, isTimeZone, withZoneOffset } from "../../src/validate/dates.js";

describe("withZoneOffset", () => {
  it("gives a wall-clock time the offset its zone has then", () => {
    expect(withZoneOffset("2026-03-01T08:00:00", "Europe/Stockholm")).toBe("2026-03-01T08:00:00+01:00");
    expect(withZoneOffset("2026-07-01T08:00:00.123", "Europe/Stockholm")).toBe(
      "2026-07-01T08:00:00.123+02:00",
    );
    expect(withZoneOffset("2026-07-01T08:00", "America/New_York")).toBe("2026-07-01T08:00:00-04:00");
    expect(withZoneOffset("2026-01-15T23:30:00", "Asia/Kolkata")).toBe("2026-01-15T23:30:00+05:30");
    expect(withZoneOffset("2026-01-15T12:00:00", "UTC")).toBe("2026-01-15T12:00:00+00:00");
  });

  it("takes the earlier instant of a time that occurs twice", () => {
    // Stockholm leaves summer time at 03:00 on 2026-10-25: 02:30 happens at +02:00, then at +01:00
    expect(withZoneOffset("2026-10-25T02:30:00", "Europe/Stockholm")).toBe("2026-10-25T02:30:00+02:00");
  });

  it("moves a time that does not occur forward by the gap", () => {
    // Stockholm jumps from 02:00 to 03:00 on 2026-03-29
    expect(withZoneOffset("2026-03-29T02:30:00", "Europe/Stockholm")).toBe("2026-03-29T03:30:00+02:00");
  });

  it("leaves anything but a real offset-less date-time alone", () => {
    expect(withZoneOffset("2026-02-30T08:00:00", "UTC")).toBeUndefined();
    expect(withZoneOffset("2026-03-01T24:00:00", "UTC")).toBeUndefined();
    expect(withZoneOffset("2026-03-01", "UTC")).toBeUndefined();
    expect(withZoneOffset("2026-03-01T08:00:00+01:00", "UTC")).toBeUndefined();
  });

  it("tells offset-less date-times and known zones", () => {
    expect(isLocalDateTime("2026-03-01T08:00:00")).toBe(true);
    expect(isLocalDateTime("2026-03-01T08:00:00Z")).toBe(false);
    expect(isTimeZone("Europe/Stockholm")).toBe(true);
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });
});

describe("compareDateTexts", () => {
  it("compares plain dates by calendar day, and date-times by instant", () => {
    expect(compareDateTexts("2026-03-01", "2026-03-02")).toBe(-1);
    expect(compareDateTexts("2026-03-01T23:00:00-05:00", "2026-03-01")).toBe(0);
    expect(compareDateTexts("2026-03-01T23:00:00-05:00", "2026-03-02T03:00:00Z")).toBe(1);
    expect(compareDateTexts("2026-03-01T10:00:00+01:00", "2026-03-01T09:00:00Z")).toBe(0);
  });
});
