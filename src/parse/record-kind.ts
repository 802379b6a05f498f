import type { ExportKind } from "../schemas/export-record.js";
import type { Profile } from "../schemas/profile.js";
import { createTextCache } from "./text-cache.js";

/** Looks a record element's name up in the profile's `recordKinds` lists, without regard to case. */
export type KindOfName = (elementName: string) => ExportKind | undefined;

/**
 * Record element names that say what a record is about, not what happened to it: a redeemed or
 * deleted export may well write `<promotion>` for each record, so these never decide a kind,
 * even when a profile lists them (compared in lower case, without a namespace prefix).
 */
export const GENERIC_RECORD_NAMES: ReadonlySet<string> = new Set([
  "promotion",
  "promotions",
  "coupon",
  "coupons",
  "promotioncode",
  "record",
  "item",
  "row",
  "contact",
]);

/** Builds the name → kind lookup from a profile (names compared in lower case; generic names tell nothing). */
export function kindLookup(profile: Profile): KindOfName {
  const byName = new Map<string, ExportKind>();
  const kinds = profile.export.recordKinds;
  // Checked in this order so that a name listed twice keeps its first kind.
  for (const kind of ["assigned", "redeemed", "deleted"] as const) {
    for (const name of kinds[kind]) {
      const key = name.toLowerCase();
      if (!byName.has(key) && !GENERIC_RECORD_NAMES.has(key)) byName.set(key, kind);
    }
  }
  const cache = createTextCache(
    (elementName): ExportKind | undefined => {
      const colon = elementName.lastIndexOf(":");
      return byName.get((colon < 0 ? elementName : elementName.slice(colon + 1)).toLowerCase());
    },
    { size: 64 },
  );
  return (elementName) => cache.get(elementName);
}

/**
 * The kind an export file's name tells: `redeem` → redeemed, `delete` → deleted, `new` or
 * `assign` → assigned (in that order, case-insensitive, on the name without its folder).
 */
export function kindFromFileName(path: string): ExportKind | undefined {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  const name = path.slice(slash + 1).toLowerCase();
  if (name.includes("redeem")) return "redeemed";
  if (name.includes("delete")) return "deleted";
  if (name.includes("new") || name.includes("assign")) return "assigned";
  return undefined;
}
