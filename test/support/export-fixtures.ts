import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import type { ExportInstant, ExportKind, ExportRecord } from "../../src/schemas/export-record.js";
import type { Profile } from "../../src/schemas/profile.js";

type Timestamp = string | ExportInstant;

/** A record to write in Engage's export shape: any field may be left out; timestamps as text or as parsed. */
export interface ExportFixtureRecord {
  kind?: ExportKind;
  contactId?: string;
  contactKey?: string;
  contactType?: string;
  couponId?: string;
  promotionId?: string;
  externalPromotionId?: string;
  description?: string;
  validFromDate?: Timestamp;
  expireDateTime?: Timestamp;
  redemptionChannels?: ExportRecord["redemptionChannels"];
  currency?: string;
  storeId?: string;
  storeType?: string;
  redeemedDateTime?: Timestamp;
  /** Written as child elements after the known fields: `a.b` nests, a trailing `[n]` repeats. */
  extra?: Record<string, string>;
}

export interface ExportFixtureOptions {
  /** The root element (default `promotions`). */
  rootName?: string;
  /** The record element: a name, or one per record (default: the record's kind, else `assigned`). */
  recordElement?: string | ((record: ExportFixtureRecord, index: number) => string);
  /** Field names come from this profile's `export.fields` (default: the built-in profile). */
  profile?: Profile;
  /** The channel value type's element name (default: the profile's; Engage's table spells it `valuetype`). */
  valueTypeElement?: string;
  /** Line break between elements (default `\n`); `""` writes everything on one line. */
  newline?: string;
  /** Start with a UTF-8 byte order mark (as text, U+FEFF). */
  bom?: boolean;
  /** Write the XML declaration (default true). */
  declaration?: boolean;
}

// Characters XML 1.0 cannot carry at all, even escaped: a fixture with one is a test bug.
const NOT_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function escapeText(value: string): string {
  if (NOT_XML.test(value))
    throw new Error(`toExportXml: ${JSON.stringify(value)} holds a character XML 1.0 cannot carry`);
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\r/g, "&#13;");
}

function rawOf(value: Timestamp): string {
  return typeof value === "string" ? value : value.raw;
}

/** Turns records into an Engage promotion export document, as a tenant's profile names its elements. */
export function toExportXml(
  records: readonly ExportFixtureRecord[],
  options: ExportFixtureOptions = {},
): string {
  const fields = (options.profile ?? DEFAULT_PROFILE).export.fields;
  const nl = options.newline ?? "\n";
  const pad = (depth: number): string => (nl === "" ? "" : "  ".repeat(depth));
  const leaf = (depth: number, name: string, value: string | undefined): string =>
    value === undefined ? "" : `${pad(depth)}<${name}>${escapeText(value)}</${name}>${nl}`;
  const recordName = (record: ExportFixtureRecord, index: number): string => {
    const given = options.recordElement;
    if (typeof given === "function") return given(record, index);
    return given ?? record.kind ?? "assigned";
  };
  const root = options.rootName ?? "promotions";

  let xml = options.bom === true ? "\uFEFF" : "";
  if (options.declaration !== false) xml += `<?xml version="1.0" encoding="UTF-8"?>${nl}`;
  xml += `<${root}>${nl}`;
  records.forEach((record, index) => {
    const name = recordName(record, index);
    xml += `${pad(1)}<${name}>${nl}`;
    // Engage's documented order of fields.
    xml += leaf(2, fields.contactId, record.contactId);
    xml += leaf(2, fields.contactKey, record.contactKey);
    xml += leaf(2, fields.contactType, record.contactType);
    xml += leaf(2, fields.couponId, record.couponId);
    xml += leaf(2, fields.description, record.description);
    xml += leaf(2, fields.promotionId, record.promotionId);
    xml += leaf(2, fields.externalPromotionId, record.externalPromotionId);
    xml += leaf(
      2,
      fields.validFromDate,
      record.validFromDate === undefined ? undefined : rawOf(record.validFromDate),
    );
    xml += leaf(
      2,
      fields.expireDateTime,
      record.expireDateTime === undefined ? undefined : rawOf(record.expireDateTime),
    );
    const channels = record.redemptionChannels ?? [];
    if (channels.length > 0) {
      xml += `${pad(2)}<${fields.redemptionChannels}>${nl}`;
      for (const channel of channels) {
        xml += `${pad(3)}<${fields.redemptionChannel}>${nl}`;
        xml += leaf(4, fields.channelType, channel.type);
        xml += leaf(4, options.valueTypeElement ?? fields.channelValueType, channel.valueType);
        xml += leaf(4, fields.channelValue, channel.value);
        xml += leaf(4, fields.channelInstruction, channel.instruction);
        xml += `${pad(3)}</${fields.redemptionChannel}>${nl}`;
      }
      xml += `${pad(2)}</${fields.redemptionChannels}>${nl}`;
    }
    xml += leaf(2, fields.currency, record.currency);
    xml += leaf(2, fields.storeId, record.storeId);
    xml += leaf(2, fields.storeType, record.storeType);
    xml += leaf(
      2,
      fields.redeemedDateTime,
      record.redeemedDateTime === undefined ? undefined : rawOf(record.redeemedDateTime),
    );
    for (const [path, value] of Object.entries(record.extra ?? {})) {
      const parts = path.split(".").map((part) => part.replace(/\[\d+\]$/, ""));
      const open = parts.map((part) => `<${part}>`).join("");
      const close = [...parts]
        .reverse()
        .map((part) => `</${part}>`)
        .join("");
      xml += `${pad(2)}${open}${escapeText(value)}${close}${nl}`;
    }
    xml += `${pad(1)}</${name}>${nl}`;
  });
  xml += `</${root}>${nl}`;
  return xml;
}
