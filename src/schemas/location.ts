import * as z from "zod";

/** A `Location` as stored in manifests and reports. */
export const LocationSchema = z.object({
  file: z.string(),
  line: z.number().int().positive().optional(),
  column: z.number().int().positive().optional(),
  field: z.string().optional(),
  record: z.number().int().positive().optional(),
});
