import * as z from "zod";
import { DateTextSchema, XmlTextSchema } from "./promotion-input.js";

/**
 * An assignment (one contact's promotion code) as a JSON input record writes it; a CSV row is
 * shaped into the same record. It needs `contactId` or the deprecated `externalContactId`; that
 * rule is checked after this schema, in the validate stage, because an object-level refinement
 * here doubled the cost of every row.
 */
export const AssignmentInputSchema = z.object({
  externalPromotionId: XmlTextSchema.min(1).max(450).describe("The promotion assigned (max 450)"),
  promotionCodeId: XmlTextSchema.max(450)
    .optional()
    .describe("The code's own id, unique across the tenant (max 450); derived from promotion and contact when empty"),
  contactId: z.guid().max(255).optional().describe("Engage's contact GUID; wins over externalContactId"),
  externalContactId: XmlTextSchema.max(255).optional().describe("Deprecated: use contactId (max 255)"),
  validFromDate: DateTextSchema.optional().describe("This contact's start; not before the promotion's validFromDate"),
});

export type AssignmentInput = z.output<typeof AssignmentInputSchema>;
