import type { ExportRecord } from "../schemas/export-record.js";
import type { FieldDifference } from "./diff-entry.js";
import type { ExpectedChannel } from "./expected.js";

type ExportChannel = ExportRecord["redemptionChannels"][number];

const NUMERIC_TYPES = new Set(["PERCENT", "MONEY"]);
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * A decimal in canonical text (`20.00` → `20`, `007.50` → `7.5`), exact for any length, or
 * undefined when the text is not a plain decimal.
 */
export function canonicalDecimal(text: string): string | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const whole = (m[2] ?? "").replace(/^0+/, "");
  const fraction = (m[3] ?? "").replace(/0+$/, "");
  if ((m[2] ?? "") === "" && (m[3] ?? "") === "") return undefined;
  const digits = `${whole === "" ? "0" : whole}${fraction === "" ? "" : `.${fraction}`}`;
  return m[1] === "-" && digits !== "0" ? `-${digits}` : digits;
}

// Export values repeat (every coupon of a promotion carries `20.00`): remember their canonical form.
const canonicalCache = new Map<string, string | undefined>();

function canonicalCached(text: string): string | undefined {
  if (canonicalCache.has(text)) return canonicalCache.get(text);
  const value = canonicalDecimal(text);
  if (canonicalCache.size >= 10_000) canonicalCache.clear();
  canonicalCache.set(text, value);
  return value;
}

/** Upper-cased and trimmed, without allocating for the usual upper-case spellings. */
function upper(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const up = trimmed.toUpperCase();
  return up === text ? text : up;
}

/** PERCENT and MONEY values compare as numbers (`20.00` = `20`); other values as text. */
export function sameChannelValue(valueType: string | undefined, sent: string, exported: string): boolean {
  if (sent === exported) return true;
  if (valueType !== undefined && NUMERIC_TYPES.has(valueType.toUpperCase())) {
    const a = canonicalCached(sent);
    const b = canonicalCached(exported);
    if (a !== undefined && b !== undefined) return a === b;
  }
  return sent.trim() === exported.trim();
}

function describe(channel: { valueType?: string | undefined; value?: string | undefined }): string {
  return (
    [channel.valueType, channel.value].filter((x) => x !== undefined && x !== "").join(" ") ||
    "(no value type)"
  );
}

/**
 * Compares the channels sent with the channels exported, channel by type (POS, ECOM): a channel
 * on one side only, then value type (any case), value and instruction. An export without any
 * channel does not tell them, so nothing is compared; a field the sent side left out is not
 * compared either.
 */
export function compareChannels(
  sent: readonly ExpectedChannel[],
  exported: readonly ExportChannel[],
): FieldDifference[] {
  const out: FieldDifference[] = [];
  if (exported.length === 0) return out;
  // At most a few channels a side: plain loops beat maps here, and this runs once per record.
  const types = exported.map((c) => upper(c.type) ?? "");
  for (const s of sent) {
    const field = `redemptionChannels.${s.type}`;
    const index = types.indexOf(s.type);
    const e = index < 0 ? undefined : exported[index];
    if (e === undefined) {
      out.push({ field, expected: describe(s), actual: "(none)" });
      continue;
    }
    const exportedType = upper(e.valueType);
    if (s.valueType !== undefined && exportedType !== undefined && s.valueType !== exportedType) {
      out.push({ field: `${field}.valueType`, expected: s.valueType, actual: e.valueType ?? "" });
    }
    if (
      s.value !== undefined &&
      e.value !== undefined &&
      !sameChannelValue(s.valueType ?? exportedType, s.value, e.value)
    ) {
      out.push({ field: `${field}.value`, expected: s.value, actual: e.value });
    }
    if (
      s.instruction !== undefined &&
      e.instruction !== undefined &&
      s.instruction.trim() !== e.instruction.trim()
    ) {
      out.push({ field: `${field}.instruction`, expected: s.instruction, actual: e.instruction });
    }
  }
  types.forEach((type, i) => {
    if (types.indexOf(type) !== i || sent.some((s) => s.type === type)) return;
    out.push({
      field: `redemptionChannels.${type || "(no type)"}`,
      expected: "(none)",
      actual: describe(exported[i]!),
    });
  });
  return out;
}
