import type { ExportInstant } from "../schemas/export-record.js";

// Hand-written rather than a regular expression plus Date arithmetic: an export holds two or
// three timestamps per record, and this path measured several times faster.

function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i += 1) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Two-digit strings 00 … 99, to write an instant without padStart on the hot path.
const TWO_DIGITS = Array.from({ length: 100 }, (_, k) => (k < 10 ? `0${k}` : String(k)));

// The ISO 8601 UTC form of a time (what Date#toISOString writes), several times faster for
// four-digit years; other years take toISOString's expanded form.
function isoInstant(time: number): string {
  const days = Math.floor(time / 86_400_000);
  let msOfDay = time - days * 86_400_000;
  // H. Hinnant's civil_from_days.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 0 || year > 9999) return new Date(time).toISOString();
  const ms = msOfDay % 1000;
  msOfDay = (msOfDay - ms) / 1000;
  const second = msOfDay % 60;
  msOfDay = (msOfDay - second) / 60;
  const minute = msOfDay % 60;
  const hour = (msOfDay - minute) / 60;
  const y = year >= 1000 ? String(year) : String(year).padStart(4, "0");
  const msText = ms >= 100 ? String(ms) : ms >= 10 ? `0${ms}` : `00${ms}`;
  return `${y}-${TWO_DIGITS[month]!}-${TWO_DIGITS[day]!}T${TWO_DIGITS[hour]!}:${TWO_DIGITS[minute]!}:${TWO_DIGITS[second]!}.${msText}Z`;
}

/**
 * Reads an export timestamp: keeps `raw` as written, adds the UTC instant (millisecond precision,
 * further fractional digits truncated) and the calendar day in the offset the export gave.
 * Accepts `YYYY-MM-DD`, or that with `T` (or a space), `HH:MM`, optional `:SS` and fraction, and an
 * offset `Z`, `±HH:MM`, `±HHMM` or `±HH`. Returns undefined for anything else or a day that does
 * not exist.
 */
export function parseExportInstant(raw: string): ExportInstant | undefined {
  const n = raw.length;
  if (n < 10 || raw.charCodeAt(4) !== 45 || raw.charCodeAt(7) !== 45) return undefined;
  const year = digitsAt(raw, 0, 4);
  const month = digitsAt(raw, 5, 2);
  const day = digitsAt(raw, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  const dayText = n === 10 ? raw : raw.slice(0, 10);
  if (n === 10) return { raw, day: dayText };

  const sep = raw.charCodeAt(10);
  if ((sep !== 84 && sep !== 32) || n < 16 || raw.charCodeAt(13) !== 58) return undefined;
  const hour = digitsAt(raw, 11, 2);
  const minute = digitsAt(raw, 14, 2);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return undefined;
  let i = 16;
  let second = 0;
  let ms = 0;
  if (raw.charCodeAt(i) === 58) {
    second = digitsAt(raw, i + 1, 2);
    if (second < 0 || second > 59) return undefined;
    i += 3;
    const dot = raw.charCodeAt(i);
    if (dot === 46 || dot === 44) {
      const from = i + 1;
      i = from;
      while (i < n && raw.charCodeAt(i) >= 48 && raw.charCodeAt(i) <= 57) i += 1;
      if (i === from) return undefined;
      for (let k = 0; k < 3; k += 1) ms = ms * 10 + (from + k < i ? raw.charCodeAt(from + k) - 48 : 0);
    }
  }
  // Without an offset the instant is ambiguous (Engage writes local time with an offset):
  // keep the day as written and leave the instant out rather than guess a zone.
  if (i === n) return { raw, day: dayText };

  let offsetMinutes: number;
  const sign = raw.charCodeAt(i);
  if ((sign === 90 || sign === 122) && i + 1 === n) {
    offsetMinutes = 0;
  } else if (sign === 43 || sign === 45) {
    const rest = n - i - 1;
    const oh = digitsAt(raw, i + 1, 2);
    let om = 0;
    if (rest === 5 && raw.charCodeAt(i + 3) === 58) om = digitsAt(raw, i + 4, 2);
    else if (rest === 4) om = digitsAt(raw, i + 3, 2);
    else if (rest !== 2) return undefined;
    if (oh < 0 || oh > 18 || om < 0 || om > 59) return undefined;
    offsetMinutes = (sign === 45 ? -1 : 1) * (oh * 60 + om);
  } else {
    return undefined;
  }

  const time =
    daysFromCivil(year, month, day) * 86_400_000 +
    ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 +
    ms;
  return { raw, instant: isoInstant(time), day: dayText };
}
