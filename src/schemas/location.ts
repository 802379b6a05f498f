import * as z from "zod/mini";
import "./english-messages.js";

const positiveInt = () => z.optional(z.number().check(z.int(), z.positive()));

/** A `Location` as stored in manifests and reports. */
export const LocationSchema = z.object({
  file: z.string(),
  line: positiveInt(),
  column: positiveInt(),
  field: z.optional(z.string()),
  record: positiveInt(),
});
