import type { Profile } from "../schemas/profile.js";

/** Where a record's child goes, in the order the record's fields are written. */
export const RecordSlot = {
  contactId: 0,
  contactKey: 1,
  contactType: 2,
  couponId: 3,
  promotionId: 4,
  externalPromotionId: 5,
  description: 6,
  validFromDate: 7,
  expireDateTime: 8,
  redemptionChannels: 9,
  currency: 10,
  storeId: 11,
  storeType: 12,
  redeemedDateTime: 13,
  /** A channel written straight in the record, without its container. */
  redemptionChannel: 14,
} as const;

// Distinct element names remembered at most; past this the memory starts over.
const NAME_LIMIT = 4096;

/** How many record slots there are. */
export const SLOT_COUNT = 15;

/** Where a channel's child goes. */
export const ChannelSlot = { type: 0, valueType: 1, value: 2, instruction: 3 } as const;

/** A child element's meaning: its slot (-1 when the profile does not name it) and whether it is the record key. */
export interface NameInfo {
  readonly slot: number;
  readonly isKey: boolean;
}

/** Resolves element names to slots; results are remembered per raw name, so the hot path is one lookup. */
export interface FieldNames {
  record(name: string): NameInfo;
  channel(name: string): number;
}

// Matching ignores case and any namespace prefix: a tenant's XSLT decides both, and the
// export documentation itself spells `valuetype` where other pages spell `valueType`.
function normalise(name: string): string {
  const colon = name.lastIndexOf(":");
  return (colon < 0 ? name : name.slice(colon + 1)).toLowerCase();
}

/** Builds the name resolvers for a profile's export field names. */
export function exportFieldNames(profile: Profile): FieldNames {
  const fields = profile.export.fields;
  const recordSlots = new Map<string, number>();
  for (const [key, slot] of Object.entries(RecordSlot)) {
    const name = normalise(fields[key as keyof typeof RecordSlot]);
    // A name the profile gives two fields keeps the first: the profile schema allows it.
    if (!recordSlots.has(name)) recordSlots.set(name, slot);
  }
  const channelSlots = new Map<string, number>([
    [normalise(fields.channelType), ChannelSlot.type],
    [normalise(fields.channelValueType), ChannelSlot.valueType],
    [normalise(fields.channelValue), ChannelSlot.value],
    [normalise(fields.channelInstruction), ChannelSlot.instruction],
  ]);
  const keyName = normalise(fields[profile.export.recordKey as keyof typeof fields]);

  // Names come interned from the reader (one string per name), so a Map finds them by the hash
  // the string keeps; it is emptied when it grows past any real export's vocabulary, so memory
  // stays flat even for a file of made-up names.
  const records = new Map<string, NameInfo>();
  const channels = new Map<string, number>();
  return {
    record(name) {
      let info = records.get(name);
      if (info === undefined) {
        const n = normalise(name);
        info = { slot: recordSlots.get(n) ?? -1, isKey: n === keyName };
        if (records.size >= NAME_LIMIT) records.clear();
        records.set(name, info);
      }
      return info;
    },
    channel(name) {
      let slot = channels.get(name);
      if (slot === undefined) {
        slot = channelSlots.get(normalise(name)) ?? -1;
        if (channels.size >= NAME_LIMIT) channels.clear();
        channels.set(name, slot);
      }
      return slot;
    },
  };
}
