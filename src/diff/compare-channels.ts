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

/** PERCENT and MONEY values compare as numbers (`20.00` = `20`); other values as text. */
export function sameChannelValue(valueType: string | undefined, sent: string, exported: string): boolean {
  if (valueType !== undefined && NUMERIC_TYPES.has(valueType.toUpperCase())) {
    const a = canonicalDecimal(sent);
    const b = canonicalDecimal(exported);
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
  if (exported.length === 0) return [];
  const out: FieldDifference[] = [];
  const byType = new Map<string, ExportChannel>();
  for (const c of exported) {
    const type = (c.type ?? "").trim().toUpperCase();
    if (!byType.has(type)) byType.set(type, c);
  }
  const sentTypes = new Set<string>();
  for (const s of sent) {
    sentTypes.add(s.type);
    const field = `redemptionChannels.${s.type}`;
    const e = byType.get(s.type);
    if (e === undefined) {
      out.push({ field, expected: describe(s), actual: "(none)" });
      continue;
    }
    const exportedType = e.valueType?.trim().toUpperCase();
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
  for (const [type, e] of byType) {
    if (!sentTypes.has(type))
      out.push({
        field: `redemptionChannels.${type || "(no type)"}`,
        expected: "(none)",
        actual: describe(e),
      });
  }
  return out;
}
