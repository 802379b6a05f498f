import type { Profile } from "../schemas/profile.js";
import type { Assignment, Promotion } from "../schemas/promotion.js";
import { AssignmentRowRenderer } from "./assignment-row.js";
import { escapeXmlText } from "./escape-xml.js";

/** The XML declaration every import file starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

type Names = Profile["import"];

/** Open and close tags of one element at its indentation, ready to concatenate. */
interface Tag {
  open: string;
  close: string;
}

interface Tags {
  root: Tag;
  createOrUpdate: Tag;
  assign: Tag;
  promotion: Tag;
  promotionName: Tag;
  externalPromotionId: Tag;
  published: Tag;
  validFromDate: Tag;
  validToDate: Tag;
  presentation: Tag;
  heading: Tag;
  description: Tag;
  redemptionChannels: Tag;
  redemptionChannel: Tag;
  channelType: Tag;
  channelValueType: Tag;
  channelValue: Tag;
  channelInstruction: Tag;
}

/** A leaf element: `<name>` after the indentation, `</name>` and the line end. */
function leaf(name: string, depth: number): Tag {
  return { open: `${"  ".repeat(depth)}<${name}>`, close: `</${name}>\n` };
}

/** A container element: its open and close tags each on a line of their own. */
function box(name: string, depth: number): Tag {
  const pad = "  ".repeat(depth);
  return { open: `${pad}<${name}>\n`, close: `${pad}</${name}>\n` };
}

function buildTags(n: Names): Tags {
  return {
    root: box(n.root, 0),
    createOrUpdate: box(n.createOrUpdate, 1),
    assign: box(n.assign, 1),
    promotion: box(n.promotion, 2),
    promotionName: leaf(n.promotionName, 3),
    externalPromotionId: leaf(n.externalPromotionId, 3),
    published: leaf(n.published, 3),
    validFromDate: leaf(n.validFromDate, 3),
    validToDate: leaf(n.validToDate, 3),
    presentation: box(n.presentation, 3),
    heading: leaf(n.heading, 4),
    description: leaf(n.description, 4),
    redemptionChannels: box(n.redemptionChannels, 3),
    redemptionChannel: box(n.redemptionChannel, 4),
    channelType: leaf(n.channelType, 5),
    channelValueType: leaf(n.channelValueType, 5),
    channelValue: leaf(n.channelValue, 5),
    channelInstruction: leaf(n.channelInstruction, 5),
  };
}

// Tags are built once per profile object: rendering a million rows then only concatenates.
const TAG_CACHE = new WeakMap<Names, Tags>();

function tagsOf(profile: Profile): Tags {
  let tags = TAG_CACHE.get(profile.import);
  if (tags === undefined) {
    tags = buildTags(profile.import);
    TAG_CACHE.set(profile.import, tags);
  }
  return tags;
}

function element(tag: Tag, value: string, field: string): string {
  return tag.open + escapeXmlText(value, field) + tag.close;
}

function optional(tag: Tag, value: string | undefined, field: string): string {
  return value === undefined ? "" : tag.open + escapeXmlText(value, field) + tag.close;
}

/** Renders one `<promotion>` element (indented for its place inside `<createOrUpdate>`). */
export function renderPromotionXml(promotion: Promotion, profile: Profile): string {
  const t = tagsOf(profile);
  let out = t.promotion.open;
  out += element(t.promotionName, promotion.promotionName, "promotionName");
  out += element(t.externalPromotionId, promotion.externalPromotionId, "externalPromotionId");
  if (promotion.published !== undefined)
    out += t.published.open + (promotion.published ? "true" : "false") + t.published.close;
  out += optional(t.validFromDate, promotion.validFromDate, "validFromDate");
  out += optional(t.validToDate, promotion.validToDate, "validToDate");
  if (promotion.heading !== undefined || promotion.description !== undefined) {
    out += t.presentation.open;
    out += optional(t.heading, promotion.heading, "heading");
    out += optional(t.description, promotion.description, "description");
    out += t.presentation.close;
  }
  // Never an empty container: without channels Engage creates its own POS and ECOM defaults.
  if (promotion.redemptionChannels.length > 0) {
    out += t.redemptionChannels.open;
    promotion.redemptionChannels.forEach((channel, i) => {
      const at = `redemptionChannels[${i}]`;
      out += t.redemptionChannel.open;
      out += element(t.channelType, channel.type, `${at}.type`);
      out += element(t.channelValueType, channel.valueType, `${at}.valueType`);
      out += optional(t.channelValue, channel.value, `${at}.value`);
      out += optional(t.channelInstruction, channel.instruction, `${at}.instruction`);
      out += t.redemptionChannel.close;
    });
    out += t.redemptionChannels.close;
  }
  return out + t.promotion.close;
}

// One row renderer per profile object for the pure API; the streaming writer keeps its own.
const ROW_CACHE = new WeakMap<Names, AssignmentRowRenderer>();

/** Renders one `<promotionCode>` element (indented for its place inside `<assign>`). */
export function renderAssignmentXml(assignment: Assignment, profile: Profile): string {
  let rows = ROW_CACHE.get(profile.import);
  if (rows === undefined) {
    rows = new AssignmentRowRenderer(profile);
    ROW_CACHE.set(profile.import, rows);
  }
  return rows.xml(assignment);
}

/**
 * The start of an import document up to where its assignments go: the declaration, the root,
 * `createOrUpdate` with the rendered promotions (when there are any), and `assign` opened when
 * assignments follow.
 */
export function renderImportHead(promotionsXml: string, hasAssignments: boolean, profile: Profile): string {
  const t = tagsOf(profile);
  let out = XML_DECLARATION + t.root.open;
  if (promotionsXml !== "") out += t.createOrUpdate.open + promotionsXml + t.createOrUpdate.close;
  return hasAssignments ? out + t.assign.open : out;
}

/** The end of an import document after its assignments: `assign` closed (when opened), then the root. */
export function renderImportTail(hasAssignments: boolean, profile: Profile): string {
  const t = tagsOf(profile);
  return hasAssignments ? t.assign.close + t.root.close : t.root.close;
}

/** Wraps rendered fragments into a whole import document: `createOrUpdate` before `assign`, each only when not empty. */
export function wrapImportXml(
  fragments: { promotions: string; assignments: string },
  profile: Profile,
): string {
  const hasAssignments = fragments.assignments !== "";
  return (
    renderImportHead(fragments.promotions, hasAssignments, profile) +
    fragments.assignments +
    renderImportTail(hasAssignments, profile)
  );
}

/** Renders the import XML of some promotions and assignments as one document. */
export function renderImportXml(
  content: { promotions: readonly Promotion[]; assignments: readonly Assignment[] },
  profile: Profile,
): string {
  return wrapImportXml(
    {
      promotions: content.promotions.map((p) => renderPromotionXml(p, profile)).join(""),
      assignments: content.assignments.map((a) => renderAssignmentXml(a, profile)).join(""),
    },
    profile,
  );
}
