import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseExportInstant } from "../../src/parse/export-timestamp.js";

describe("reading export timestamps", () => {
  it("keeps the raw text, the UTC instant and the day in the export's own offset", () => {
    expect(parseExportInstant("2026-03-05T00:00:00+01:00")).toEqual({
      raw: "2026-03-05T00:00:00+01:00",
      instant: "2026-03-04T23:00:00.000Z",
      day: "2026-03-05",
    });
  });

  it("truncates seven fractional digits to milliseconds and keeps them all in raw", () => {
    expect(parseExportInstant("2020-09-29T08:14:50.0168149+01:00")).toEqual({
      raw: "2020-09-29T08:14:50.0168149+01:00",
      instant: "2020-09-29T07:14:50.016Z",
      day: "2020-09-29",
    });
    expect(parseExportInstant("2026-12-31T23:59:59.9999999Z")?.instant).toBe("2026-12-31T23:59:59.999Z");
  });

  it("reads a plain date as a day without an instant", () => {
    expect(parseExportInstant("2022-02-21")).toEqual({ raw: "2022-02-21", day: "2022-02-21" });
  });

  it("leaves the instant out when the timestamp has no offset", () => {
    expect(parseExportInstant("2026-03-05T10:00:00")).toEqual({
      raw: "2026-03-05T10:00:00",
      day: "2026-03-05",
    });
    expect(parseExportInstant("2026-03-05T10:00")).toEqual({ raw: "2026-03-05T10:00", day: "2026-03-05" });
  });

  it("accepts Z, ±HH:MM, ±HHMM, ±HH and a space before the time", () => {
    expect(parseExportInstant("2026-03-05T10:00:00Z")?.instant).toBe("2026-03-05T10:00:00.000Z");
    expect(parseExportInstant("2026-03-05T10:00:00-05:30")?.instant).toBe("2026-03-05T15:30:00.000Z");
    expect(parseExportInstant("2026-03-05T10:00:00+0530")?.instant).toBe("2026-03-05T04:30:00.000Z");
    expect(parseExportInstant("2026-03-05T10:00:00+02")?.instant).toBe("2026-03-05T08:00:00.000Z");
    expect(parseExportInstant("2026-03-05 10:00:00+02:00")?.instant).toBe("2026-03-05T08:00:00.000Z");
  });

  it("crosses days, months and years in the instant but keeps the export's day", () => {
    expect(parseExportInstant("2026-01-01T00:30:00+01:00")).toMatchObject({
      instant: "2025-12-31T23:30:00.000Z",
      day: "2026-01-01",
    });
    expect(parseExportInstant("2024-02-29T23:00:00-02:00")).toMatchObject({
      instant: "2024-03-01T01:00:00.000Z",
      day: "2024-02-29",
    });
  });

  it.each([
    "",
    "31/02/2026",
    "2026-02-29",
    "2026-02-30",
    "2026-13-01",
    "2026-00-10",
    "2026-03-05T24:00:00Z",
    "2026-03-05T10:60:00Z",
    "2026-03-05T10:00:60Z",
    "2026-03-05T10:00:00.Z",
    "2026-03-05T10:00:00+1:00",
    "2026-03-05T10:00:00+19:00",
    "2026-03-05T10:00:00 +01:00",
    "2026-03-05X10:00:00Z",
    "2026-3-5",
    " 2026-03-05",
    "20260305",
  ])("refuses %j", (text) => {
    expect(parseExportInstant(text)).toBeUndefined();
  });

  it("agrees with Date for any instant written in any offset", () => {
    const two = (n: number) => String(n).padStart(2, "0");
    fc.assert(
      fc.property(
        // 0001-01-02 to 9999-12-30 (Date.UTC would read year 1 as 1901).
        fc.integer({ min: -62_135_596_800_000 + 86_400_000, max: 253_402_041_600_000 }),
        fc.integer({ min: -14 * 4, max: 14 * 4 }),
        fc.string({ unit: fc.constantFrom("0", "1", "5", "9"), maxLength: 6 }),
        (time, quarterHours, moreDigits) => {
          const offset = quarterHours * 15;
          const local = new Date(time + offset * 60_000);
          const sign = offset < 0 ? "-" : "+";
          const abs = Math.abs(offset);
          const raw =
            `${String(local.getUTCFullYear()).padStart(4, "0")}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
            `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}` +
            `.${String(local.getUTCMilliseconds()).padStart(3, "0")}${moreDigits}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
          const parsed = parseExportInstant(raw);
          expect(parsed?.instant).toBe(new Date(time).toISOString());
          expect(parsed?.day).toBe(raw.slice(0, 10));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
