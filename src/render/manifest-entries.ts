import type { Location } from "../core/location.js";
import type { Manifest, ManifestFile, ManifestPromotion } from "../schemas/manifest.js";
import type { Promotion } from "../schemas/promotion.js";

/** The manifest's name inside the output folder. */
export const MANIFEST_NAME = "manifest.json";
/** The keys file's name inside the output folder. */
export const KEYS_NAME = "manifest.keys.ndjson";
/** The rejected rows' name inside the output folder. */
export const REJECTS_NAME = "rejects.csv";

// Manifests are compared byte for byte across runs, so every object is rebuilt with its keys in
// one fixed order rather than in whatever order an upstream stage happened to create them.

/** A location with its keys in a fixed order and absent parts left out. */
export function normalizeLocation(at: Location): Location {
  const out: Location = { file: at.file };
  if (at.line !== undefined) out.line = at.line;
  if (at.column !== undefined) out.column = at.column;
  if (at.field !== undefined) out.field = at.field;
  if (at.record !== undefined) out.record = at.record;
  return out;
}

/** A promotion as the manifest records it: every field as sent, then where it came from. */
export function toManifestPromotion(promotion: Promotion, at: Location): ManifestPromotion {
  const fields: Omit<ManifestPromotion, "at" | "redemptionChannels"> = {
    externalPromotionId: promotion.externalPromotionId,
    promotionName: promotion.promotionName,
  };
  if (promotion.published !== undefined) fields.published = promotion.published;
  if (promotion.validFromDate !== undefined) fields.validFromDate = promotion.validFromDate;
  if (promotion.validToDate !== undefined) fields.validToDate = promotion.validToDate;
  if (promotion.heading !== undefined) fields.heading = promotion.heading;
  if (promotion.description !== undefined) fields.description = promotion.description;
  const redemptionChannels = promotion.redemptionChannels.map((c) => {
    const channel: ManifestPromotion["redemptionChannels"][number] = { type: c.type, valueType: c.valueType };
    if (c.value !== undefined) channel.value = c.value;
    if (c.instruction !== undefined) channel.instruction = c.instruction;
    return channel;
  });
  return { ...fields, redemptionChannels, at: normalizeLocation(at) };
}

/** Builds `manifest.json`'s content from what a render wrote. */
export function buildManifest(parts: {
  tool: string;
  timestamp: Date;
  profile: string;
  inputs: Manifest["inputs"];
  rejected: number;
  files: ManifestFile[];
  promotions: ManifestPromotion[];
  keys: Manifest["keys"];
}): Manifest {
  return {
    manifestVersion: 1,
    tool: parts.tool,
    timestamp: parts.timestamp.toISOString(),
    profile: parts.profile,
    inputs: parts.inputs.map((i) => ({ file: i.file, sha256: i.sha256, kind: i.kind, records: i.records })),
    counts: {
      promotions: parts.promotions.length,
      assignments: parts.files.reduce((n, f) => n + f.counts.assignments, 0),
      rejected: parts.rejected,
      files: parts.files.length,
    },
    files: parts.files,
    promotions: parts.promotions,
    keys: { file: parts.keys.file, sha256: parts.keys.sha256, lines: parts.keys.lines },
  };
}

/** The manifest as written: two-space JSON with a final line end. */
export function renderManifestJson(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
