import * as z from "zod";
import { PromotionSchema } from "./promotion.js";
import { LocationSchema } from "./location.js";

/** Lower-case hex sha256. */
export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, "a lower-case hex sha256");

/** One delivery of one file to one target: written by upload, read by re-runs. */
export const DeliverySchema = z.object({
  remotePath: z.string(),
  uploadedAt: z.string(),
  verifiedAt: z.string(),
  bytes: z.number().int().nonnegative(),
});

/** One rendered import file. */
export const ManifestFileSchema = z.object({
  name: z.string(),
  sha256: Sha256Schema,
  bytes: z.number().int().nonnegative(),
  counts: z.object({ promotions: z.number().int().nonnegative(), assignments: z.number().int().nonnegative() }),
  /** The externalPromotionId of every promotion this file creates or updates. */
  promotions: z.array(z.string()),
  /** Line numbers in the keys file (`manifest.keys.ndjson`, 1-based) of this file's first and last assignment. */
  keyLines: z.tuple([z.number().int().positive(), z.number().int().positive()]).optional(),
  /** Per target (a secret-free target string), when the file was uploaded and verified there. */
  deliveries: z.record(z.string(), DeliverySchema).default({}),
});

/** A promotion as sent, with where it came from: what diff compares export records against. */
export const ManifestPromotionSchema = PromotionSchema.extend({ at: LocationSchema });

/** One line of `manifest.keys.ndjson`: the keys of one assignment as sent. */
export const ManifestKeySchema = z.object({
  /** The import file that carries it. */
  file: z.string(),
  externalPromotionId: z.string(),
  promotionCodeId: z.string(),
  contactId: z.string().optional(),
  externalContactId: z.string().optional(),
  validFromDate: z.string().optional(),
  at: LocationSchema,
});

/** `manifest.json`: everything a render wrote, so later steps know exactly what was sent. */
export const ManifestSchema = z.object({
  manifestVersion: z.literal(1),
  tool: z.string(),
  /** The render's timestamp (ISO 8601 instant), also the prefix of every file name. */
  timestamp: z.string(),
  profile: z.string(),
  inputs: z.array(z.object({ file: z.string(), sha256: Sha256Schema, kind: z.enum(["definitions", "assignments", "mixed"]), records: z.number().int().nonnegative() })),
  counts: z.object({
    promotions: z.number().int().nonnegative(),
    assignments: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
  }),
  files: z.array(ManifestFileSchema),
  promotions: z.array(ManifestPromotionSchema),
  /** The keys file beside the manifest, one `ManifestKey` JSON object per line, with its checksum. */
  keys: z.object({ file: z.string(), sha256: Sha256Schema, lines: z.number().int().nonnegative() }),
});

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestFile = z.output<typeof ManifestFileSchema>;
export type ManifestKey = z.output<typeof ManifestKeySchema>;
export type ManifestPromotion = z.output<typeof ManifestPromotionSchema>;
export type Delivery = z.output<typeof DeliverySchema>;
