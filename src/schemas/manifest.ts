import { LocationSchema } from "./location.js";
import * as z from "zod/mini";
import "./english-messages.js";
import { PromotionSchema } from "./promotion.js";

const count = () => z.number().check(z.int(), z.nonnegative());

/** Lower-case hex sha256. */
export const Sha256Schema = z.string().check(z.regex(/^[0-9a-f]{64}$/, "a lower-case hex sha256"));

/** One delivery of one file to one target: written by upload, read by re-runs. */
export const DeliverySchema = z.object({
  remotePath: z.string(),
  uploadedAt: z.string(),
  verifiedAt: z.string(),
  bytes: count(),
});

/** One rendered import file. */
export const ManifestFileSchema = z.object({
  name: z.string(),
  sha256: Sha256Schema,
  bytes: count(),
  counts: z.object({ promotions: count(), assignments: count() }),
  /** The externalPromotionId of every promotion this file creates or updates. */
  promotions: z.array(z.string()),
  /** Line numbers in the keys file (`manifest.keys.ndjson`, 1-based) of this file's first and last assignment. */
  keyLines: z.optional(
    z.tuple([z.number().check(z.int(), z.positive()), z.number().check(z.int(), z.positive())]),
  ),
  /** Per target (a secret-free target string), when the file was uploaded and verified there. */
  deliveries: z._default(z.record(z.string(), DeliverySchema), {}),
});

/** A promotion as sent, with where it came from: what diff compares export records against. */
export const ManifestPromotionSchema = z.extend(PromotionSchema, { at: LocationSchema });

/** One line of `manifest.keys.ndjson`: the keys of one assignment as sent. */
export const ManifestKeySchema = z.object({
  /** The import file that carries it. */
  file: z.string(),
  externalPromotionId: z.string(),
  promotionCodeId: z.string(),
  contactId: z.optional(z.string()),
  externalContactId: z.optional(z.string()),
  validFromDate: z.optional(z.string()),
  at: LocationSchema,
});

/** `manifest.json`: everything a render wrote, so later steps know exactly what was sent. */
export const ManifestSchema = z.object({
  manifestVersion: z.literal(1),
  tool: z.string(),
  /** The render's timestamp (ISO 8601 instant), also the prefix of every file name. */
  timestamp: z.string(),
  profile: z.string(),
  inputs: z.array(z.object({ file: z.string(), sha256: Sha256Schema, kind: z.enum(["definitions", "assignments", "mixed"]), records: count() })),
  counts: z.object({
    promotions: count(),
    assignments: count(),
    rejected: count(),
    files: count(),
  }),
  files: z.array(ManifestFileSchema),
  promotions: z.array(ManifestPromotionSchema),
  /** The keys file beside the manifest, one `ManifestKey` JSON object per line, with its checksum. */
  keys: z.object({ file: z.string(), sha256: Sha256Schema, lines: count() }),
});

export type Manifest = z.output<typeof ManifestSchema>;
export type ManifestFile = z.output<typeof ManifestFileSchema>;
export type ManifestKey = z.output<typeof ManifestKeySchema>;
export type ManifestPromotion = z.output<typeof ManifestPromotionSchema>;
export type Delivery = z.output<typeof DeliverySchema>;
