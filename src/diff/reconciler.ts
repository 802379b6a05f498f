import { makeIssue, quote, type Issue } from "../core/issue.js";
import type { Location } from "../core/location.js";
import type { ExportKind, ExportRecord } from "../schemas/export-record.js";
import { compareRecord } from "./compare-record.js";
import { sentDay } from "./compare-dates.js";
import {
  DIFF_CATEGORIES,
  emptyCounts,
  type DiffCategory,
  type DiffCounts,
  type DiffEntry,
  type FieldDifference,
  type MatchField,
  type SentSource,
} from "./diff-entry.js";
import { toLocation, type ExpectedAssignment, type ExpectedPromotion } from "./expected.js";

/** The outcome of a reconciliation: counts, issues, and the entries, built on demand. */
export interface DiffResult {
  match: MatchField;
  counts: DiffCounts;
  /** Expected assignments (after duplicates were combined). */
  expectedAssignments: number;
  /** Export records read. */
  exportRecords: number;
  issues: Issue[];
  /** The entries of one category, in the order their first source was read. */
  entries(category: DiffCategory): Iterable<DiffEntry>;
}

const STATE_NONE = 0;
const STATE_CODES: Record<ExportKind, number> = { assigned: 1, redeemed: 2, deleted: 3 };
const KIND_OF_STATE: readonly (ExportKind | undefined)[] = [undefined, "assigned", "redeemed", "deleted"];

const EXPECTED = 1;
/** An expected assignment without the contact field `--match` uses. */
const UNMATCHABLE = 2;
/** An export record without externalPromotionId or contact: never combined with another. */
const UNKEYED = 4;

const CATEGORY_CODES: Record<DiffCategory, number> = Object.fromEntries(
  DIFF_CATEGORIES.map((c, i) => [c, i]),
) as Record<DiffCategory, number>;
/** The category code of a slot left out by `restrictTo`: in no category, counted nowhere. */
const EXCLUDED = 255;

/** How a reconciler is set up. */
export interface ReconcilerOptions {
  match: MatchField;
  /**
   * The check day (`YYYY-MM-DD`) of a reconciliation against Engage's API, which shows only
   * promotions that have started and not ended: an expected assignment it does not show whose
   * start is after this day, or whose end is before it, is `not_checkable` rather than `missing`.
   */
  checkDay?: string;
}

/** Individual issues per file for a repeated problem before the rest are only counted. */
const ISSUES_PER_FILE = 20;

/** FNV-1a over UTF-16 units: a couponId's fingerprint, never 0 (0 means "no couponId"). */
function fingerprint(text: string | undefined): number {
  if (text === undefined || text === "") return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h === 0 ? 1 : h;
}

/**
 * A copy of a string that shares no memory with the text it was cut from: the export parser hands
 * out slices of its read buffer, and one kept slice would keep the whole buffer alive.
 */
function detach(text: string): string {
  return (" " + text).slice(1);
}

interface FileTally {
  count: number;
  first: Location;
}

/**
 * The reconcile core: an index keyed by promotion and contact, holding compact entries in
 * typed columns (no rows), fed with the expected side first, then with export records in
 * order. Pure: it opens nothing.
 *
 * Combining export records: records are applied in the order they are given (the CLI gives
 * files sorted by name, as Engage prefixes them with a timestamp, then records in file order)
 * and the latest decides the state, so assigned then redeemed is redeemed and anything then
 * deleted is deleted. One exception guards against files read out of order: an `assigned`
 * record for the very coupon (same couponId) that is already redeemed or deleted is an older
 * event and changes nothing; a new coupon for the same promotion and contact does.
 */
export class Reconciler {
  readonly match: MatchField;
  private readonly promoIds: string[] = [];
  private readonly promoIndex = new Map<string, number>();
  private readonly promotions: (ExpectedPromotion | undefined)[] = [];
  private readonly strings: string[] = [];
  private readonly stringIndex = new Map<string, number>();
  /** Per promotion (by index): contact → slot. Two levels, so no key string is built per record. */
  private readonly slots: (Map<string, number> | undefined)[] = [];
  /** Per slot: the contact, or "" when the assignment or record had none. */
  private readonly contacts: string[] = [];
  private readonly codes: (string | undefined)[] = [];
  private readonly differences: FieldDifference[][] = [];
  private size = 0;
  private capacity = 0;
  private flags = new Uint8Array(0);
  private state = new Uint8Array(0);
  private promo = new Int32Array(0);
  private sentFile = new Int32Array(0);
  private sentLine = new Int32Array(0);
  private originFile = new Int32Array(0);
  private originLine = new Int32Array(0);
  private importFile = new Int32Array(0);
  private validFrom = new Int32Array(0);
  private coupon = new Int32Array(0);
  private actualFile = new Int32Array(0);
  private actualLine = new Int32Array(0);
  private diffRef = new Int32Array(0);
  private expectedCount = 0;
  private records = 0;
  private readingActual = false;
  /** Per column that names files or dates: the last text interned and its index (runs of the same value are the rule). */
  private readonly lastText: (string | undefined)[] = [undefined, undefined, undefined, undefined, undefined];
  private readonly lastIndex: number[] = [-1, -1, -1, -1, -1];
  private readonly issues: Issue[] = [];
  private readonly duplicates = new Map<string, FileTally>();
  private readonly unmatchable = new Map<string, FileTally>();
  private readonly unkeyed = new Map<string, FileTally>();
  private readonly checkDay: string | undefined;
  private only: ReadonlySet<string> | undefined;

  constructor(options: ReconcilerOptions) {
    this.match = options.match;
    this.checkDay = options.checkDay;
    this.grow(1024);
  }

  /** The distinct contacts of the expected assignments, in the order they were first sent. */
  expectedContacts(): string[] {
    const out = new Set<string>();
    for (let slot = 0; slot < this.size; slot += 1)
      if (this.flags[slot]! & EXPECTED && this.contacts[slot] !== "") out.add(this.contacts[slot]!);
    return [...out];
  }

  /**
   * Keeps only these contacts in the result: an expected assignment of any other contact (or
   * of none) is not compared, counted or listed. For a check of a sample of contacts.
   */
  restrictTo(contacts: ReadonlySet<string>): void {
    this.only = contacts;
  }

  /**
   * Adds a promotion as sent. When several sources define it, dates follow the later one (an
   * update changes them) and channels the first one (Engage takes channels only when it creates
   * the promotion), so give older sources first.
   */
  addPromotion(promotion: ExpectedPromotion): void {
    this.assertExpectedPhase();
    const i = this.promoOf(promotion.externalPromotionId);
    const known = this.promotions[i];
    if (known === undefined) {
      this.promotions[i] = promotion;
      return;
    }
    const merged: ExpectedPromotion = { ...known, at: promotion.at };
    if (promotion.validFromDate !== undefined) merged.validFromDate = promotion.validFromDate;
    if (promotion.validToDate !== undefined) merged.validToDate = promotion.validToDate;
    if (merged.channels === undefined && promotion.channels !== undefined)
      merged.channels = promotion.channels;
    this.promotions[i] = merged;
  }

  /**
   * Adds an assignment as sent. The same promotion and contact sent again is one assignment
   * (a re-send); the later source's code and override are kept, with a warning when the codes differ.
   */
  addAssignment(assignment: ExpectedAssignment): void {
    this.assertExpectedPhase();
    const promo = this.promoOf(assignment.externalPromotionId);
    const contact = this.match === "contactId" ? assignment.contactId : assignment.externalContactId;
    if (contact === undefined || contact === "") {
      const slot = this.newSlot("", EXPECTED | UNMATCHABLE, promo);
      this.setSent(slot, assignment);
      this.tally(this.unmatchable, assignment.sent.at);
      this.expectedCount += 1;
      return;
    }
    const contacts = this.contactsOf(promo);
    const existing = contacts.get(contact);
    if (existing === undefined) {
      // Input readers may hand out slices of their buffers too: keep copies of what is kept.
      const own = detach(contact);
      const slot = this.newSlot(own, EXPECTED, promo);
      contacts.set(own, slot);
      this.setSent(slot, assignment);
      this.expectedCount += 1;
      return;
    }
    const before = this.codes[existing];
    if (
      before !== undefined &&
      assignment.promotionCodeId !== undefined &&
      before !== assignment.promotionCodeId
    ) {
      const tally = this.tally(this.duplicates, assignment.sent.at);
      if (tally.count <= ISSUES_PER_FILE) {
        const first = this.sentLocation(existing);
        this.issues.push(
          makeIssue(
            "diff.expected_duplicate",
            `${assignment.externalPromotionId} for the same contact was also sent as code ${quote(before)}: code ${quote(assignment.promotionCodeId)}, sent later, is compared`,
            assignment.sent.at,
            { related: [first] },
          ),
        );
      }
    }
    this.setSent(existing, assignment);
  }

  /** Applies one export record: to its expected assignment, else to an unexpected entry. */
  addRecord(record: ExportRecord): void {
    this.readingActual = true;
    this.records += 1;
    const contact = this.match === "contactId" ? record.contactId : record.contactKey;
    const promoId = record.externalPromotionId;
    if (promoId === undefined || promoId === "" || contact === undefined || contact === "") {
      const slot = this.newSlot(
        detach(contact ?? ""),
        UNKEYED,
        promoId === undefined || promoId === "" ? -1 : this.promoOf(promoId),
      );
      this.apply(slot, record);
      this.tally(this.unkeyed, toLocation(record.at));
      return;
    }
    const promo = this.promoOf(promoId);
    const contacts = this.contactsOf(promo);
    let slot = contacts.get(contact);
    if (slot === undefined) {
      const own = detach(contact);
      slot = this.newSlot(own, 0, promo);
      contacts.set(own, slot);
    }
    this.apply(slot, record);
  }

  /** Ends the reconciliation: counts per category and the issues found on the way. */
  finish(): DiffResult {
    const counts = emptyCounts();
    const category = new Uint8Array(this.size);
    let expected = 0;
    for (let slot = 0; slot < this.size; slot += 1) {
      if (this.only !== undefined && !this.only.has(this.contacts[slot]!)) {
        category[slot] = EXCLUDED;
        continue;
      }
      if (this.flags[slot]! & EXPECTED) expected += 1;
      const c = this.categoryOf(slot);
      category[slot] = CATEGORY_CODES[c];
      counts[c] += 1;
    }
    const issues = [...this.issues, ...this.tallyIssues()];
    return {
      match: this.match,
      counts,
      expectedAssignments: this.only === undefined ? this.expectedCount : expected,
      exportRecords: this.records,
      issues,
      entries: (wanted) => this.entriesOf(category, CATEGORY_CODES[wanted], wanted),
    };
  }

  private *entriesOf(category: Uint8Array, code: number, wanted: DiffCategory): Generator<DiffEntry> {
    for (let slot = 0; slot < category.length; slot += 1)
      if (category[slot] === code) yield this.entryOf(slot, wanted);
  }

  private categoryOf(slot: number): DiffCategory {
    if ((this.flags[slot]! & EXPECTED) === 0) return "unexpected";
    switch (this.state[slot]) {
      case STATE_NONE:
        return this.notShownWhy(slot) === undefined ? "missing" : "not_checkable";
      case STATE_CODES.deleted:
        return "deleted";
      case STATE_CODES.redeemed:
        return "redeemed";
      default:
        return this.diffRef[slot]! >= 0 ? "mismatched" : "assigned";
    }
  }

  private entryOf(slot: number, category: DiffCategory): DiffEntry {
    const flags = this.flags[slot]!;
    const promo = this.promo[slot]!;
    const contact = this.contacts[slot]!;
    // Built field by field in the order reports show them (JSON keeps insertion order).
    const entry = { category, externalPromotionId: promo >= 0 ? this.promoIds[promo]! : "" } as DiffEntry;
    if (contact !== "") entry.contact = { field: this.match, value: contact };
    const code = this.codes[slot];
    if (code !== undefined) entry.promotionCodeId = code;
    if (flags & EXPECTED) {
      const sent: SentSource = { at: this.sentLocation(slot) };
      if (this.originFile[slot]! >= 0)
        sent.origin = this.location(this.originFile[slot]!, this.originLine[slot]!);
      if (this.importFile[slot]! >= 0) sent.importFile = this.strings[this.importFile[slot]!]!;
      entry.sent = sent;
    }
    const kind = KIND_OF_STATE[this.state[slot]!];
    if (kind !== undefined)
      entry.exported = { at: this.location(this.actualFile[slot]!, this.actualLine[slot]!), kind };
    entry.differences = category === "mismatched" ? this.differences[this.diffRef[slot]!]! : [];
    const why = category === "not_checkable" ? this.notShownWhy(slot) : undefined;
    if (why !== undefined) entry.note = why;
    else if (flags & UNMATCHABLE)
      entry.note = `no ${this.match === "contactId" ? "contactId" : "externalContactId"} to match on`;
    else if (flags & UNKEYED)
      entry.note = contact === "" ? `no ${this.match} to match on` : "no externalPromotionId to match on";
    return entry;
  }

  /**
   * Why Engage's API cannot show an expected assignment on the check day (not started yet, or
   * ended), compared by calendar day; undefined when it can, or when there is no check day.
   */
  private notShownWhy(slot: number): string | undefined {
    const today = this.checkDay;
    if (today === undefined) return undefined;
    const promotion = this.promotions[this.promo[slot]!];
    const override = this.validFrom[slot]!;
    const from = override >= 0 ? this.strings[override] : promotion?.validFromDate;
    const start = from === undefined ? undefined : sentDay(from);
    if (start !== undefined && start > today)
      return `starts ${start}, after the check day ${today}: Engage's API shows a promotion only once it has started`;
    const to = promotion?.validToDate;
    const end = to === undefined ? undefined : sentDay(to);
    if (end !== undefined && end < today)
      return `ended ${end}, before the check day ${today}: Engage's API shows only promotions still valid`;
    return undefined;
  }

  private apply(slot: number, record: ExportRecord): void {
    const next = STATE_CODES[record.kind];
    const previous = this.state[slot]!;
    const coupon = fingerprint(record.couponId);
    // An older event for the same coupon, read after its redemption or deletion: keep the later state.
    if (
      next === STATE_CODES.assigned &&
      previous > STATE_CODES.assigned &&
      coupon !== 0 &&
      coupon === this.coupon[slot]
    )
      return;
    this.state[slot] = next;
    this.coupon[slot] = coupon;
    this.actualFile[slot] = this.internAt(4, record.at.file);
    this.actualLine[slot] = record.at.line ?? 0;
    const differences =
      next === STATE_CODES.assigned && this.flags[slot]! & EXPECTED
        ? this.compare(slot, record).map((d) => ({
            field: d.field,
            expected: d.expected,
            actual: detach(d.actual),
          }))
        : [];
    const ref = this.diffRef[slot]!;
    if (differences.length > 0) {
      if (ref >= 0) this.differences[ref] = differences;
      else this.diffRef[slot] = this.differences.push(differences) - 1;
    } else if (ref >= 0) {
      this.differences[ref] = [];
      this.diffRef[slot] = -1;
    }
  }

  private compare(slot: number, record: ExportRecord): FieldDifference[] {
    const promotion = this.promotions[this.promo[slot]!];
    const override = this.validFrom[slot]!;
    return compareRecord(
      {
        validFromDate: override >= 0 ? this.strings[override] : promotion?.validFromDate,
        validToDate: promotion?.validToDate,
        channels: promotion?.channels,
      },
      record,
    );
  }

  private setSent(slot: number, assignment: ExpectedAssignment): void {
    const { sent } = assignment;
    this.sentFile[slot] = this.internAt(0, sent.at.file);
    this.sentLine[slot] = sent.at.line ?? 0;
    this.originFile[slot] = sent.origin ? this.internAt(1, sent.origin.file) : -1;
    this.originLine[slot] = sent.origin?.line ?? 0;
    this.importFile[slot] = sent.importFile !== undefined ? this.internAt(2, sent.importFile) : -1;
    this.validFrom[slot] =
      assignment.validFromDate !== undefined ? this.internAt(3, assignment.validFromDate) : -1;
    this.codes[slot] =
      assignment.promotionCodeId === undefined ? undefined : detach(assignment.promotionCodeId);
  }

  private sentLocation(slot: number): Location {
    return this.location(this.sentFile[slot]!, this.sentLine[slot]!);
  }

  private location(file: number, line: number): Location {
    const at: Location = { file: this.strings[file]! };
    if (line > 0) at.line = line;
    return at;
  }

  private newSlot(contact: string, flags: number, promo: number): number {
    if (this.size === this.capacity) this.grow(this.capacity * 2);
    const slot = this.size;
    this.size += 1;
    this.contacts.push(contact);
    this.codes.push(undefined);
    this.flags[slot] = flags;
    this.promo[slot] = promo;
    this.originFile[slot] = -1;
    this.importFile[slot] = -1;
    this.validFrom[slot] = -1;
    this.diffRef[slot] = -1;
    return slot;
  }

  private grow(capacity: number): void {
    const widen = <T extends Uint8Array | Int32Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    const u8 = (n: number) => new Uint8Array(n);
    const i32 = (n: number) => new Int32Array(n);
    this.flags = widen(this.flags, u8);
    this.state = widen(this.state, u8);
    this.promo = widen(this.promo, i32);
    this.sentFile = widen(this.sentFile, i32);
    this.sentLine = widen(this.sentLine, i32);
    this.originFile = widen(this.originFile, i32);
    this.originLine = widen(this.originLine, i32);
    this.importFile = widen(this.importFile, i32);
    this.validFrom = widen(this.validFrom, i32);
    this.coupon = widen(this.coupon, i32);
    this.actualFile = widen(this.actualFile, i32);
    this.actualLine = widen(this.actualLine, i32);
    this.diffRef = widen(this.diffRef, i32);
    this.capacity = capacity;
  }

  private promoOf(externalPromotionId: string): number {
    let i = this.promoIndex.get(externalPromotionId);
    if (i === undefined) {
      const own = detach(externalPromotionId);
      i = this.promoIds.push(own) - 1;
      this.promoIndex.set(own, i);
    }
    return i;
  }

  private contactsOf(promo: number): Map<string, number> {
    let contacts = this.slots[promo];
    if (contacts === undefined) {
      contacts = new Map();
      this.slots[promo] = contacts;
    }
    return contacts;
  }

  private internAt(column: number, text: string): number {
    if (text === this.lastText[column]) return this.lastIndex[column]!;
    const i = this.intern(text);
    this.lastText[column] = text;
    this.lastIndex[column] = i;
    return i;
  }

  private intern(text: string): number {
    let i = this.stringIndex.get(text);
    if (i === undefined) {
      const own = detach(text);
      i = this.strings.push(own) - 1;
      this.stringIndex.set(own, i);
    }
    return i;
  }

  private tally(map: Map<string, FileTally>, at: Location): FileTally {
    let t = map.get(at.file);
    if (t === undefined) {
      t = { count: 0, first: at.line === undefined ? { file: at.file } : { file: at.file, line: at.line } };
      map.set(at.file, t);
    }
    t.count += 1;
    return t;
  }

  private tallyIssues(): Issue[] {
    const out: Issue[] = [];
    const field = this.match === "contactId" ? "contactId" : "externalContactId";
    const consequence =
      this.only !== undefined
        ? "; they cannot be checked, as Engage's API reads promotions by contactId"
        : `; they count as missing${this.match === "contactId" ? "; --match contactKey matches externalContactId with the export's contactKey" : ""}`;
    for (const t of this.unmatchable.values()) {
      out.push(
        makeIssue(
          "diff.expected_unmatchable",
          `${t.count} expected assignment${t.count === 1 ? " has" : "s have"} no ${field} to match on (the first at this line)${consequence}`,
          t.first,
        ),
      );
    }
    for (const t of this.duplicates.values()) {
      if (t.count > ISSUES_PER_FILE) {
        out.push(
          makeIssue(
            "diff.expected_duplicate",
            `${t.count - ISSUES_PER_FILE} more assignments in this file repeat a promotion and contact sent with another code`,
            t.first,
          ),
        );
      }
    }
    for (const t of this.unkeyed.values()) {
      out.push(
        makeIssue(
          "diff.actual_unkeyed",
          `${t.count} export record${t.count === 1 ? " lacks" : "s lack"} externalPromotionId or ${this.match} (the first at this line); listed as unexpected`,
          t.first,
        ),
      );
    }
    return out;
  }

  private assertExpectedPhase(): void {
    // Differences are computed as records arrive, against the expected side as known then.
    if (this.readingActual)
      throw new Error("Reconciler: the expected side must be complete before the first export record");
  }
}
