import type { Location } from "../core/location.js";
import { EngageError } from "../core/errors.js";
import type { Profile } from "../schemas/profile.js";
import type { Assignment } from "../schemas/promotion.js";
import { escapeXmlText } from "./escape-xml.js";

/** Where rendered text goes, piece by piece (a `ByteSink`, or an array for a single row). */
export interface TextSink {
  write(text: string): void;
}

// Anything either XML text or a JSON string would have to escape (or refuse). Values without
// any of these (nearly every id, GUID and date) go into both outputs as they are, so a row costs
// one test per value rather than one per value and output.
const SPECIAL = /[&<>"\\\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;

function jsonInner(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

/**
 * Renders an assignment's `<promotionCode>` element and its key line (a `ManifestKey` as JSON)
 * in one pass. Both are written as a few precomputed pieces (per profile, promotion and file)
 * and the row's values, straight into sinks: no string is built per row, so a million rows
 * leave nothing for the garbage collector but the pieces themselves.
 */
export class AssignmentRowRenderer {
  private readonly tags: {
    idClose: string;
    contactOpen: string;
    contactClose: string;
    externalContactOpen: string;
    externalContactClose: string;
    fromOpen: string;
    fromClose: string;
    close: string;
  };
  private readonly open: string;
  private fileName = "";
  private lastId: string | undefined;
  private idXmlHead = "";
  private idKeyHead = "";
  private lastInput: string | undefined;
  private inputHead = "";

  constructor(profile: Profile) {
    const n = profile.import;
    const pad = "      ";
    this.open = `    <${n.promotionCode}>\n${pad}<${n.codeExternalPromotionId}>`;
    this.tags = {
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
    const parts: string[] = [];
    this.write(assignment, undefined, { write: (t) => parts.push(t) }, undefined);
    return parts.join("");
  }

  /** The element and the key line (with its line end) of an assignment, as strings. */
  render(assignment: Assignment, at: Location): { xml: string; key: string } {
    const xml: string[] = [];
    const key: string[] = [];
    this.write(assignment, at, { write: (t) => xml.push(t) }, { write: (t) => key.push(t) });
    return { xml: xml.join(""), key: key.join("") };
  }

  /** Writes the element to `xml` and, when given, the key line to `keys`. */
  write(assignment: Assignment, at: Location | undefined, xml: TextSink, keys: TextSink | undefined): void {
    const t = this.tags;
    const id = assignment.externalPromotionId;
    if (id !== this.lastId) {
      // Consecutive rows nearly always share their promotion: its pieces are built once.
      const plain = !SPECIAL.test(id);
      const head = this.open + (plain ? id : escapeXmlText(id, "externalPromotionId")) + t.idClose;
      // Remembered only once rendered: a refused id must not leave a stale head behind.
      this.idXmlHead = head;
      this.idKeyHead = `{"file":${JSON.stringify(this.fileName)},"externalPromotionId":"${plain ? id : jsonInner(id)}","promotionCodeId":"`;
      this.lastId = id;
    }
    let contactOpen: string;
    let contactClose: string;
    let contactKey: string;
    let contact: string;
    // Engage ignores externalContactId when contactId is present, so only one of them is written.
    if (assignment.contactId !== undefined) {
      contact = assignment.contactId;
      contactOpen = t.contactOpen;
      contactClose = t.contactClose;
      contactKey = '","contactId":"';
    } else if (assignment.externalContactId !== undefined) {
      contact = assignment.externalContactId;
      contactOpen = t.externalContactOpen;
      contactClose = t.externalContactClose;
      contactKey = '","externalContactId":"';
    } else {
      throw new EngageError(
        "internal",
        "render.assignment_without_contact",
        `promotionCodeId ${JSON.stringify(assignment.promotionCodeId)}: an assignment needs contactId or externalContactId; validation should have rejected this row`,
      );
    }
    const code = assignment.promotionCodeId;
    const from = assignment.validFromDate;
    const codePlain = !SPECIAL.test(code);
    const contactPlain = !SPECIAL.test(contact);
    const fromPlain = from === undefined || !SPECIAL.test(from);
    // Escape (and refuse) everything before writing anything, so a refused row leaves no half.
    const codeXml = codePlain ? code : escapeXmlText(code, "promotionCodeId");
    const contactXml = contactPlain
      ? contact
      : escapeXmlText(contact, contactKey.includes("external") ? "externalContactId" : "contactId");
    const fromXml = from === undefined || fromPlain ? from : escapeXmlText(from, "validFromDate");

    xml.write(this.idXmlHead);
    xml.write(codeXml);
    xml.write(contactOpen);
    xml.write(contactXml);
    xml.write(contactClose);
    if (fromXml !== undefined) {
      xml.write(t.fromOpen);
      xml.write(fromXml);
      xml.write(t.fromClose);
    }
    xml.write(t.close);

    if (keys === undefined || at === undefined) return;
    keys.write(this.idKeyHead);
    keys.write(codePlain ? code : jsonInner(code));
    keys.write(contactKey);
    keys.write(contactPlain ? contact : jsonInner(contact));
    if (from !== undefined) {
      keys.write('","validFromDate":"');
      keys.write(fromPlain ? from : jsonInner(from));
    }
    this.writeLocation(at, keys);
  }

  // The location in normalizeLocation's key order, without building an object per row.
  private writeLocation(at: Location, keys: TextSink): void {
    if (at.file !== this.lastInput) {
      this.lastInput = at.file;
      this.inputHead = `","at":{"file":${JSON.stringify(at.file)}`;
    }
    keys.write(this.inputHead);
    if (at.line !== undefined) {
      keys.write(',"line":');
      keys.write(String(at.line));
    }
    if (at.column !== undefined) {
      keys.write(',"column":');
      keys.write(String(at.column));
    }
    if (at.field !== undefined) {
      keys.write(',"field":');
      keys.write(JSON.stringify(at.field));
    }
    if (at.record !== undefined) {
      keys.write(',"record":');
      keys.write(String(at.record));
    }
    keys.write("}}\n");
  }
}
