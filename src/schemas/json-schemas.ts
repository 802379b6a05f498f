import * as z from "zod";
import { AssignmentInputSchema } from "./assignment-input.js";
import { ExportRecordSchema } from "./export-record.js";
import { ManifestKeySchema, ManifestSchema } from "./manifest.js";
import { ProfileSchema } from "./profile.js";
import { PromotionInputSchema } from "./promotion-input.js";
import { VoucherifyMappingSchema } from "./voucherify-mapping.js";
import { SummarySchema } from "./summary.js";
import { RedemptionInputSchema } from "./redemption-input.js";

/** What `engage-promo schema` writes: file name → zod schema, and which side of it users write. */
const SOURCES = [
  { file: "promotion-definition.schema.json", schema: PromotionInputSchema, io: "input", title: "engage-promo promotion definition (JSON input record)" },
  { file: "assignment.schema.json", schema: AssignmentInputSchema, io: "input", title: "engage-promo assignment (JSON input record)" },
  { file: "redemption.schema.json", schema: RedemptionInputSchema, io: "input", title: "engage-promo redemption (api redeem input record)" },
  { file: "profile.schema.json", schema: ProfileSchema, io: "input", title: "engage-promo format profile" },
  { file: "manifest.schema.json", schema: ManifestSchema, io: "output", title: "engage-promo render manifest.json" },
  { file: "manifest-key.schema.json", schema: ManifestKeySchema, io: "output", title: "engage-promo manifest.keys.ndjson line" },
  { file: "export-record.schema.json", schema: ExportRecordSchema, io: "output", title: "engage-promo parsed export record" },
  { file: "voucherify-mapping.schema.json", schema: VoucherifyMappingSchema, io: "input", title: "engage-promo import voucherify --map file" },
  { file: "summary.schema.json", schema: SummarySchema, io: "output", title: "engage-promo command summary (the JSON summary line)" },
] as const;

/** Renders every JSON Schema generated from the zod schemas, as file name → text. */
export function renderJsonSchemas(): Map<string, string> {
  const out = new Map<string, string>();
  for (const source of SOURCES) {
    const json = z.toJSONSchema(source.schema, { io: source.io, unrepresentable: "any", target: "draft-2020-12" });
    const doc = { ...json, title: source.title };
    out.set(source.file, `${JSON.stringify(doc, null, 2)}\n`);
  }
  return out;
}
