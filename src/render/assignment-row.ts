import type { Location } from "../core/location.js";
import { EngageError } from "../core/errors.js";
import type { Profile } from "../schemas/profile.js";
import type { Assignment } from "../schemas/promotion.js";
import { escapeXmlText } from "./escape-xml.js";

// Anything either XML text or a JSON string would have to escape (or refuse). Values without
// any of these (nearly every id, GUID and date) are copied into both outputs as they are, so a
// row costs one test per value instead of one per value and output.
const SPECIAL = /[&<>"\\\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

/** A value's text for XML element content and for the inside of a JSON string. */
interface Forms {
  xml: string;
  json: string;
}

function formsOf(value: string, field: string): Forms {
  if (!SPECIAL.test(value)) return { xml: value, json: value };
  return { xml: escapeXmlText(value, field), json: JSON.stringify(value).slice(1, -1) };
}

/**
 * Renders an assignment's `<promotionCode>` element and its key line (a `ManifestKey` as JSON)
 * together. Both are assembled from a few precomputed pieces per profile, promotion and file, so
 * a million rows cost a million short concatenations rather than a dozen each.
 */
export class AssignmentRowRenderer {
  private readonly code: {
    open: string;
    idClose: string;
    contactOpen: string;
    contactClose: string;
    externalContactOpen: string;
    externalContactClose: string;
    fromOpen: string;
    fromClose: string;
    close: string;
  };
  private fileName = "";
  private lastId: string | undefined;
  private idXmlHead = "";
  private idKeyHead = "";
  private lastInput: string | undefined;
  private inputJson = "";

  constructor(profile: Profile) {
    const n = profile.import;
    const pad = "      ";
    this.code = {
      open: `    <${n.promotionCode}>\n${pad}<${n.codeExternalPromotionId}>`,
      idClose: `</${n.codeExternalPromotionId}>\n${pad}<${n.codeExternalId}>`,
      contactOpen: `</${n.codeExternalId}>\n${pad}<${n.codeContactId}>`,
      contactClose: `</${n.codeContactId}>\n`,
      externalContactOpen: `</${n.codeExternalId}>\n${pad}<${n.codeExternalContactId}>`,
      externalContactClose: `</${n.codeExternalContactId}>\n`,
      fromOpen: `${pad}<${n.codeValidFromDate}>`,
      fromClose: `</${n.codeValidFromDate}>\n`,
      close: `    </${n.promotionCode}>\n`,
    };
  }

  /** Sets the import file the next key lines name. */
  setFile(fileName: string): void {
    if (fileName === this.fileName) return;
    this.fileName = fileName;
    this.lastId = undefined;
  }

  /** The `<promotionCode>` element of an assignment (indented for its place inside `<assign>`). */
  xml(assignment: Assignment): string {
    return this.render(assignment, undefined).xml;
  }

  /** The element and, when `at` is given, the key line (with its line end) of an assignment. */
  render(assignment: Assignment, at: Location | undefined): { xml: string; key: string } {
    const c = this.code;
    const id = assignment.externalPromotionId;
    if (id !== this.lastId) {
      // Consecutive rows nearly always share their promotion: its pieces are built once.
      const forms = formsOf(id, "externalPromotionId");
      this.lastId = id;
      this.idXmlHead = c.open + forms.xml + c.idClose;
      this.idKeyHead = `{"file":${JSON.stringify(this.fileName)},"externalPromotionId":"${forms.json}","promotionCodeId":"`;
    }
    const code = formsOf(assignment.promotionCodeId, "promotionCodeId");
    let xml: string;
    let key = "";
    if (assignment.contactId !== undefined) {
      const contact = formsOf(assignment.contactId, "contactId");
      xml = this.idXmlHead + code.xml + c.contactOpen + contact.xml + c.contactClose;
      if (at !== undefined) key = `${this.idKeyHead}${code.json}","contactId":"${contact.json}"`;
    } else if (assignment.externalContactId !== undefined) {
      // Engage ignores externalContactId when contactId is present, so only one of them is written.
      const contact = formsOf(assignment.externalContactId, "externalContactId");
      xml = this.idXmlHead + code.xml + c.externalContactOpen + contact.xml + c.externalContactClose;
      if (at !== undefined) key = `${this.idKeyHead}${code.json}","externalContactId":"${contact.json}"`;
    } else {
      throw new EngageError(
        "internal",
        "render.assignment_without_contact",
        `promotionCodeId ${JSON.stringify(assignment.promotionCodeId)}: an assignment needs contactId or externalContactId; validation should have rejected this row`,
      );
    }
    if (assignment.validFromDate !== undefined) {
      const from = formsOf(assignment.validFromDate, "validFromDate");
      xml += c.fromOpen + from.xml + c.fromClose;
      if (at !== undefined) key += `,"validFromDate":"${from.json}"`;
    }
    xml += c.close;
    if (at !== undefined) key += this.location(at);
    return { xml, key };
  }

  // The location in normalizeLocation's key order, without building an object per row.
  private location(at: Location): string {
    if (at.file !== this.lastInput) {
      this.lastInput = at.file;
      this.inputJson = JSON.stringify(at.file);
    }
    let out = `,"at":{"file":${this.inputJson}`;
    if (at.line !== undefined) out += `,"line":${at.line}`;
    if (at.column !== undefined) out += `,"column":${at.column}`;
    if (at.field !== undefined) out += `,"field":${JSON.stringify(at.field)}`;
    if (at.record !== undefined) out += `,"record":${at.record}`;
    return `${out}}}\n`;
  }
}
