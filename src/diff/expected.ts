import type { Location } from "../core/location.js";
import type { ManifestKey } from "../schemas/manifest.js";
import type { Assignment, Promotion } from "../schemas/promotion.js";
import type { SentSource } from "./diff-entry.js";

/** A redemption channel as sent; a field that was not sent is absent and is not compared. */
export interface ExpectedChannel {
  /** Upper case: `POS` or `ECOM`. */
  type: string;
  valueType?: string;
  value?: string;
  instruction?: string;
}

/** What the expected side knows of one promotion. */
export interface ExpectedPromotion {
  externalPromotionId: string;
  validFromDate?: string;
  validToDate?: string;
  /** The channels Engage holds after the import; absent when the expected side does not know them. */
  channels?: ExpectedChannel[];
  at: Location;
}

/** One assignment as sent: keys, the per-contact valid-from override, and where it came from. */
export interface ExpectedAssignment {
  externalPromotionId: string;
  promotionCodeId?: string;
  contactId?: string;
  externalContactId?: string;
  /** The per-contact valid-from override, when one was sent. */
  validFromDate?: string;
  sent: SentSource;
}

/**
 * Engage creates one POS and one ECOM channel, both EXTERNALOFFER, for a promotion imported
 * without channels; their values default to the name, which the export may show differently,
 * so only type and value type are compared.
 */
const DEFAULT_CHANNELS: readonly ExpectedChannel[] = [
  { type: "POS", valueType: "EXTERNALOFFER" },
  { type: "ECOM", valueType: "EXTERNALOFFER" },
];

/** A location from a schema (optional parts possibly `undefined`) with absent parts left out. */
export function toLocation(at: {
  file: string;
  line?: number | undefined;
  column?: number | undefined;
  field?: string | undefined;
  record?: number | undefined;
}): Location {
  const out: Location = { file: at.file };
  if (at.line !== undefined) out.line = at.line;
  if (at.column !== undefined) out.column = at.column;
  if (at.field !== undefined) out.field = at.field;
  if (at.record !== undefined) out.record = at.record;
  return out;
}

/** Turns a promotion as validated or recorded in a manifest into what diff compares. */
export function expectedPromotionOf(promotion: Promotion, at: Location): ExpectedPromotion {
  const channels: ExpectedChannel[] =
    promotion.redemptionChannels.length === 0
      ? DEFAULT_CHANNELS.map((c) => ({ ...c }))
      : promotion.redemptionChannels.map((c) => {
          const channel: ExpectedChannel = {
            type: c.type.toUpperCase(),
            valueType: c.valueType.toUpperCase(),
          };
          if (c.value !== undefined) channel.value = c.value;
          if (c.instruction !== undefined) channel.instruction = c.instruction;
          return channel;
        });
  const out: ExpectedPromotion = { externalPromotionId: promotion.externalPromotionId, channels, at };
  if (promotion.validFromDate !== undefined) out.validFromDate = promotion.validFromDate;
  if (promotion.validToDate !== undefined) out.validToDate = promotion.validToDate;
  return out;
}

/** Turns one line of `manifest.keys.ndjson` (at `keysAt`) into an expected assignment. */
export function expectedAssignmentOfKey(key: ManifestKey, keysAt: Location): ExpectedAssignment {
  const out: ExpectedAssignment = {
    externalPromotionId: key.externalPromotionId,
    promotionCodeId: key.promotionCodeId,
    sent: { at: keysAt, origin: toLocation(key.at), importFile: key.file },
  };
  if (key.contactId !== undefined) out.contactId = key.contactId;
  if (key.externalContactId !== undefined) out.externalContactId = key.externalContactId;
  if (key.validFromDate !== undefined) out.validFromDate = key.validFromDate;
  return out;
}

/** Turns a validated assignment read from an input file into an expected assignment. */
export function expectedAssignmentOf(assignment: Assignment, at: Location): ExpectedAssignment {
  const out: ExpectedAssignment = {
    externalPromotionId: assignment.externalPromotionId,
    promotionCodeId: assignment.promotionCodeId,
    sent: { at },
  };
  if (assignment.contactId !== undefined) out.contactId = assignment.contactId;
  if (assignment.externalContactId !== undefined) out.externalContactId = assignment.externalContactId;
  if (assignment.validFromDate !== undefined) out.validFromDate = assignment.validFromDate;
  return out;
}
