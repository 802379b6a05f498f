import * as z from "zod";
import { CHANNEL_TYPES, VALUE_TYPES } from "./channel-types.js";

/** An XML element name (NCName: no colon, no spaces, not starting with a digit or "xml"). */
const ElementName = z
  .string()
  .regex(/^(?!xml)[A-Za-z_][A-Za-z0-9_.-]*$/i, "an XML element name such as promotionCode");

const el = (name: string) => ElementName.default(name);

export { CHANNEL_TYPES, VALUE_TYPES };

/** Element names of the import XML the tool writes. */
export const ImportElementsSchema = z
  .object({
    root: el("promotions"),
    createOrUpdate: el("createOrUpdate"),
    promotion: el("promotion"),
    promotionName: el("promotionName"),
    externalPromotionId: el("externalPromotionId"),
    published: el("published"),
    validFromDate: el("validFromDate"),
    validToDate: el("validToDate"),
    presentation: el("presentation"),
    heading: el("heading"),
    description: el("description"),
    redemptionChannels: el("redemptionChannels"),
    redemptionChannel: el("redemptionChannel"),
    channelType: el("type"),
    channelValueType: el("valueType"),
    channelValue: el("value"),
    channelInstruction: el("instruction"),
    assign: el("assign"),
    promotionCode: el("promotionCode"),
    codeExternalPromotionId: el("externalPromotionId"),
    codeExternalId: el("externalId"),
    codeContactId: el("contactId"),
    codeExternalContactId: el("externalContactId"),
    codeValidFromDate: el("validFromDate"),
  })
  .strict();

/** Element names of Engage's export records, as a tenant's XSLT may have renamed them. */
export const ExportFieldsSchema = z
  .object({
    contactId: el("contactId"),
    contactKey: el("contactKey"),
    contactType: el("contactType"),
    couponId: el("couponId"),
    description: el("description"),
    promotionId: el("promotionId"),
    externalPromotionId: el("externalPromotionId"),
    validFromDate: el("validFromDate"),
    expireDateTime: el("expireDateTime"),
    redemptionChannels: el("redemptionChannels"),
    redemptionChannel: el("redemptionChannel"),
    channelType: el("type"),
    /** Matched without regard to case (`valuetype` in Engage's table, `valueType` elsewhere). */
    channelValueType: el("valueType"),
    channelValue: el("value"),
    channelInstruction: el("instruction"),
    currency: el("currency"),
    storeId: el("storeId"),
    storeType: el("storeType"),
    redeemedDateTime: el("redeemedDateTime"),
  })
  .strict();

/** How the parser recognises records and their kind. */
export const ExportSchema = z
  .object({
    /** A record is any element that has this child (in the export field names). */
    recordKey: z.enum(Object.keys(ExportFieldsSchema.shape) as [string, ...string[]]).default("couponId"),
    /** Record element names (lower-cased) that tell a record's kind. */
    recordKinds: z
      .object({
        assigned: z.array(z.string()).default(["new", "assigned", "assign", "promotion", "coupon"]),
        redeemed: z.array(z.string()).default(["redeemed", "redeem", "redemption"]),
        deleted: z.array(z.string()).default(["deleted", "delete", "removed"]),
      })
      .strict()
      .prefault({}),
    fields: ExportFieldsSchema.prefault({}),
  })
  .strict();

/** A format profile: every element name the tool writes or reads, and tenant limits. */
export const ProfileSchema = z
  .object({
    $schema: z.string().optional(),
    name: z.string().min(1).default("default"),
    /** At most this many assignments in one import file (Engage recommends under 20,000). */
    maxAssignmentsPerFile: z.number().int().min(1).max(1_000_000).default(20_000),
    /** The redemption value types this tenant accepts in XML imports. */
    valueTypes: z.array(z.enum(VALUE_TYPES)).min(1).default([...VALUE_TYPES]),
    import: ImportElementsSchema.prefault({}),
    export: ExportSchema.prefault({}),
  })
  .strict();

export type Profile = z.output<typeof ProfileSchema>;
export type ProfileInput = z.input<typeof ProfileSchema>;
export type ValueType = (typeof VALUE_TYPES)[number];
export type ChannelType = (typeof CHANNEL_TYPES)[number];
