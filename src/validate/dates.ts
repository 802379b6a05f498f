/** A date-time without an offset: what `--timezone` turns into the offset form. */
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/;

const formats = new Map<string, Intl.DateTimeFormat>();

function formatFor(zone: string): Intl.DateTimeFormat {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formats.set(zone, format);
  }
  return format;
}

/** True when `zone` is an IANA time zone name this runtime knows (`Europe/Stockholm`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    formatFor(zone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock fields of an instant in a zone, as milliseconds of the same fields in UTC. */
function wallClock(zone: string, instant: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatFor(zone).formatToParts(new Date(instant))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
}

/** The zone's offset from UTC in minutes at an instant. */
function offsetAt(zone: string, instant: number): number {
  const whole = Math.floor(instant / 1000) * 1000;
  return Math.round((wallClock(zone, whole) - whole) / 60_000);
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/**
 * Gives an offset-less date-time the offset its zone has at that wall-clock time:
 * `2026-03-01T08:00:00` in Europe/Stockholm is `2026-03-01T08:00:00+01:00`. A time that occurs
 * twice (autumn) takes the earlier instant; one that does not occur (spring) moves forward by
 * the gap, as ISO 8601 local times are usually read. Returns undefined for anything that is
 * not a real offset-less date-time.
 */
export function withZoneOffset(text: string, zone: string): string | undefined {
  const m = LOCAL_DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s = "00", fraction = ""] = m;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const check = new Date(wall);
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    check.getUTCHours() !== Number(h) ||
    check.getUTCMinutes() !== Number(mi) ||
    check.getUTCSeconds() !== Number(s)
  ) {
    return undefined;
  }
  // The offsets around this wall time: the one a day before and the one a day after cover any transition.
  const candidates = [
    ...new Set([offsetAt(zone, wall - 86_400_000), offsetAt(zone, wall), offsetAt(zone, wall + 86_400_000)]),
  ];
  const fits = candidates.filter((o) => offsetAt(zone, wall - o * 60_000) === o).sort((a, b) => b - a);
  if (fits.length > 0) return `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${formatOffset(fits[0]!)}`;
  // In a gap: read the wall time with the offset in force before the gap, then show that instant.
  const before = offsetAt(zone, wall - 86_400_000);
  const instant = wall - before * 60_000;
  const offset = offsetAt(zone, instant);
  const shown = new Date(instant + offset * 60_000);
  return (
    `${shown.getUTCFullYear()}-${pad(shown.getUTCMonth() + 1)}-${pad(shown.getUTCDate())}` +
    `T${pad(shown.getUTCHours())}:${pad(shown.getUTCMinutes())}:${pad(shown.getUTCSeconds())}${fraction}${formatOffset(offset)}`
  );
}

/** True when `text` is a real date-time without an offset (so `--timezone` would make it valid). */
export function isLocalDateTime(text: string): boolean {
  return withZoneOffset(text, "UTC") !== undefined;
}
