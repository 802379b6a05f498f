// A streaming XML 1.0 reader for exports: UTF-8 bytes in (any split, each piece whole UTF-8
// characters), element events out, with every well-formedness rule an export can break checked
// as it goes. It scans the bytes in tight loops (no call per character, no decoded text), keeps
// names interned so a tag costs no new string, and hands text out as ranges of the bytes it was
// given, so the caller copies only what it keeps.
//
// Checked: tag balance, one root, name and attribute syntax, duplicate attributes, entity and
// character references (XML's five names and numeric references to XML characters), characters
// XML forbids, `]]>` in text, comments, processing instructions, CDATA, the XML declaration's
// syntax, text outside the root, and the end of input inside anything. A DOCTYPE in the prolog is
// handed to the caller (which refuses it) as soon as it starts; one anywhere else is an error.
// Positions are 1-based lines and columns in characters (code points), where line ends are LF,
// CR LF or a lone CR, as XML counts them: a column is the bytes since the line's start less the
// UTF-8 continuation bytes among them.

/** Why the reader stopped on an error: the caller words some of these with what it knows. */
export type XmlErrorKind =
  "mismatched_close" | "unmatched_close" | "malformed_reference" | "undefined_entity" | "syntax";

/** What the reader reports, in document order. */
export interface XmlEvents {
  /**
   * A start tag, once complete and well-formed; the position is that of its `<`. `id` (0 to
   * 1023) is the same for every tag of one name while the reader remembers it, for the
   * caller's own caches (different names may share one).
   */
  open(name: string, line: number, column: number, id: number): void;
  /**
   * Character data as UTF-8 in `source` from `start` to `end` (references decoded, line ends
   * made LF); `space` when all of it is XML white space. One text node may come in several
   * pieces. The bytes are only valid during the call.
   */
  text(source: Uint8Array, start: number, end: number, space: boolean): void;
  /**
   * False while the caller has no use for text that is all white space (between elements):
   * the reader then may leave it out.
   */
  spaceWanted?: boolean;
  /**
   * An element that holds only text (`<name>text</name>`, inside the root), given at once:
   * what `open`, `text` and `close` would be told, with `space` when the text (which may be
   * empty) is all white space. Without it, those three are called.
   */
  leaf?(
    name: string,
    line: number,
    column: number,
    id: number,
    source: Uint8Array,
    start: number,
    end: number,
    space: boolean,
  ): void;
  /** The end of the innermost open element (its end tag, or the `/>` of an empty one). */
  close(): void;
  /** A DOCTYPE before the root; `entity` when it declares an entity, at that declaration. */
  doctype(entity: boolean, line: number, column: number): void;
  /** The first well-formedness error; nothing more is read. */
  error(kind: XmlErrorKind, message: string, line: number, column: number): void;
  /** A markup construct (tag, comment, CDATA, declaration) longer than the limit, at its start. */
  tooLarge(line: number, column: number): void;
}

/** The reader of one document. */
export interface XmlReader {
  /** Reads the next piece of UTF-8 (whole characters: the caller checks the encoding). */
  write(bytes: Uint8Array): void;
  /**
   * Ends the input: returns true when the document is complete. Otherwise the caller reports
   * it as truncated at `endPosition()`.
   */
  end(): boolean;
  /** Stops reading: further bytes are ignored. */
  stop(): void;
  /** Where the last character read stands (what the next one would follow). */
  position(): { line: number; column: number };
  /** The last character that is not white space, for a file that ends early. */
  endPosition(): { line: number; column?: number };
  /** Elements open now (the root is 1). */
  readonly depth: number;
  /** True once the root element has started. */
  readonly sawRoot: boolean;
}

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const HASH = 35;
const AMP = 38;
const APOS = 39;
const MINUS = 45;
const SLASH = 47;
const SEMICOLON = 59;
const LT = 60;
const EQUALS = 61;
const GT = 62;
const QUESTION = 63;
const BANG = 33;
const RBRACKET = 93;

// An entity reference longer than this (in characters) is not one of XML's five names nor a
// character reference (`&#x10FFFF;` has eight characters between `&` and `;`): it is refused at
// its `&` without reading on to a `;` that may be anywhere in the file.
const MAX_REFERENCE = 32;
// What the prolog may hold while a DOCTYPE is looked at for an entity declaration.
const DOCTYPE_LOOKAHEAD = 64 * 1024;
// Markup held over a read boundary is read again once its bytes have doubled (not on every read),
// so even a construct of many reads costs linear time.
const REREAD_FROM = 4096;
// The end of the input kept for the position of an early end.
const TAIL_BYTES = 64 * 1024;

const EMPTY = Buffer.alloc(0);

// ASCII name characters: 1 may start a name, 2 only continue one.
const NAME = new Uint8Array(128);
for (let c = 0; c < 128; c += 1) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME[c] = 1;
  else if (/[0-9.-]/.test(ch)) NAME[c] = 2;
}

// What the text loop must look at: 0 for bytes it passes over, 1 for white space, 2 for
// anything else below 0x80 that needs a check (`<`, `&`, `]`, CR, controls), 3 above.
const TEXT_CLASS = new Uint8Array(256);
for (let c = 0; c < 256; c += 1) {
  if (c === SPACE || c === TAB || c === LF) TEXT_CLASS[c] = 1;
  else if (c < SPACE || c === LT || c === AMP || c === RBRACKET) TEXT_CLASS[c] = 2;
  else if (c >= 0x80) TEXT_CLASS[c] = 3;
}

// NameStartChar above ASCII (XML 1.0 fifth edition), for a whole code point.
function isWideNameStart(c: number): boolean {
  return (
    (c >= 0xc0 && c <= 0xd6) ||
    (c >= 0xd8 && c <= 0xf6) ||
    (c >= 0xf8 && c <= 0x2ff) ||
    (c >= 0x370 && c <= 0x37d) ||
    (c >= 0x37f && c <= 0x1fff) ||
    c === 0x200c ||
    c === 0x200d ||
    (c >= 0x2070 && c <= 0x218f) ||
    (c >= 0x2c00 && c <= 0x2fef) ||
    (c >= 0x3001 && c <= 0xd7ff) ||
    (c >= 0xf900 && c <= 0xfdcf) ||
    (c >= 0xfdf0 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0xeffff)
  );
}

function isWideNameChar(c: number): boolean {
  return isWideNameStart(c) || c === 0xb7 || (c >= 0x300 && c <= 0x36f) || c === 0x203f || c === 0x2040;
}

function isXmlChar(c: number): boolean {
  return (
    c === TAB ||
    c === LF ||
    c === CR ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

function isNameText(name: string): boolean {
  const first = name.codePointAt(0);
  if (first === undefined) return false;
  if (!(first < 128 ? NAME[first] === 1 : isWideNameStart(first))) return false;
  for (let i = first > 0xffff ? 2 : 1; i < name.length;) {
    const c = name.codePointAt(i)!;
    if (!(c < 128 ? NAME[c] !== 0 : isWideNameChar(c))) return false;
    i += c > 0xffff ? 2 : 1;
  }
  return true;
}

// The bytes of a UTF-8 sequence that starts with `lead` (valid input: 2 to 4).
function sequenceLength(lead: number): number {
  return lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
}

// The code point of the (valid) sequence at `at`.
function codePointAt(s: Uint8Array, at: number): number {
  const b = s[at]!;
  if (b < 0x80) return b;
  if (b < 0xe0) return ((b & 0x1f) << 6) | (s[at + 1]! & 0x3f);
  if (b < 0xf0) return ((b & 0x0f) << 12) | ((s[at + 1]! & 0x3f) << 6) | (s[at + 2]! & 0x3f);
  return ((b & 0x07) << 18) | ((s[at + 1]! & 0x3f) << 12) | ((s[at + 2]! & 0x3f) << 6) | (s[at + 3]! & 0x3f);
}

function startsWithAscii(s: Uint8Array, at: number, text: string): boolean {
  if (at + text.length > s.length) return false;
  for (let k = 0; k < text.length; k += 1) if (s[at + k] !== text.charCodeAt(k)) return false;
  return true;
}

function sameBytes(s: Uint8Array, at: number, name: Uint8Array): boolean {
  const n = name.length;
  if (at + n > s.length) return false;
  for (let k = 0; k < n; k += 1) if (s[at + k] !== name[k]) return false;
  return true;
}

// UTF-16 units of the characters from `from` to `to`: the column of an early end counts a
// character beyond the first plane as two.
function unitsBetween(s: Uint8Array, from: number, to: number): number {
  let units = 0;
  for (let k = from; k < to; k += 1) {
    const b = s[k]!;
    if (b < 0x80 || b >= 0xc0) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}

const PREDEFINED: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22, apos: 0x27 };

// The XML declaration, whole: version, then encoding, then standalone, each optional but the first.
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>$/;

/** An interned element name: its text, its bytes, and whether any of them is not ASCII. */
interface Name {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly ascii: boolean;
  /** Its slot among the names of the fast path (ASCII names only). */
  readonly slot: number;
  /** Its slot among all interned names. */
  readonly id: number;
}

const INCOMPLETE = -1;
const FAILED = -2;

/** Creates a reader that reports to `events`; constructs past `maxMarkupBytes` are refused. */
export function createXmlReader(events: XmlEvents, options: { maxMarkupBytes: number }): XmlReader {
  const maxMarkupBytes = options.maxMarkupBytes;
  let buf: Uint8Array = EMPTY;
  // True while `buf` is the caller's piece (which it may reuse once `write` returns).
  let borrowed = false;
  // Bytes held back (markup not yet complete) and what came after them, until worth reading again.
  let heldParts: Uint8Array[] = [];
  let heldLength = 0;
  let rereadAt = 0;
  let stopped = false;
  let started = false;
  let lastChunk: Uint8Array = EMPTY;

  // The position: the line, the index in `buf` where it starts (negative when it started in an
  // earlier piece) and the UTF-8 continuation bytes on it so far (a column counts characters).
  let line = 1;
  let lineStart = 0;
  let extra = 0;

  // How far `line` and `lineStart` are counted, and the next LF after that.
  let cursor = 0;
  let nextLf = -1;

  const stack: Name[] = [];
  let depth = 0;
  let sawRoot = false;
  let closedRoot = false;
  let atDocumentStart = true;

  // Interned names: a tag's name is looked up by a hash of its bytes, computed while they are
  // checked, so a name seen before costs one comparison and no allocation.
  const names = new Array<Name | undefined>(1024).fill(undefined);
  // Names by their length and three of their bytes, for the fast path of start tags.
  const fastNames = new Array<Name | undefined>(1024).fill(undefined);
  // The name of the start tag that followed each name's (by slot), and the last name's slot: a
  // fixed table, so no name keeps another alive.
  const predicted = new Array<Name | undefined>(1024).fill(undefined);
  let lastSlot = 0;

  // Decoded text (references, CR LF) is gathered here, reused from one text to the next.
  let scratch = Buffer.allocUnsafe(4096);
  let scratchLength = 0;

  function column(at: number): number {
    return at - lineStart + 1 - extra;
  }

  function fail(kind: XmlErrorKind, message: string, at: number): number {
    if (!stopped) {
      stopped = true;
      // A line end that is itself the wrong character is reported where it leads, on the next
      // line, as a reader that counts each character as it takes it does.
      const c = buf[at];
      if (c === LF || c === CR) events.error(kind, message, line + 1, 1);
      else events.error(kind, message, line, Math.max(1, column(at)));
    }
    return FAILED;
  }

  // A byte of 0x80 or above at `at` (a sequence's lead: the input is valid UTF-8): its bytes
  // beyond the first are counted for the column and returned; a sequence cut by the end of the
  // bytes is INCOMPLETE; U+FFFE and U+FFFF are no XML characters and FAILED.
  function wideChar(s: Uint8Array, at: number, n: number): number {
    const more = sequenceLength(s[at]!) - 1;
    if (at + more >= n) return INCOMPLETE;
    if (s[at] === 0xef && s[at + 1] === 0xbf && (s[at + 2] === 0xbe || s[at + 2] === 0xbf))
      return fail("syntax", "disallowed character.", at);
    extra += more;
    return more;
  }

  function newline(at: number): void {
    line += 1;
    lineStart = at + 1;
    extra = 0;
  }

  function decodeText(s: Uint8Array, start: number, end: number): string {
    return Buffer.from(s.buffer, s.byteOffset + start, end - start).toString("utf8");
  }

  function intern(s: Uint8Array, start: number, end: number, hash: number): Name {
    const length = end - start;
    const slot = (hash ^ (hash >>> 10) ^ length) & 1023;
    const known = names[slot];
    if (known !== undefined && known.bytes.length === length && sameBytes(s, start, known.bytes))
      return known;
    const bytes = Uint8Array.prototype.slice.call(s, start, end);
    let ascii = true;
    for (let k = 0; k < length; k += 1) if (bytes[k]! >= 0x80) ascii = false;
    const fast = ascii ? fastSlot(length, bytes[0]!, bytes[length >> 1]!, bytes[length - 1]!) : 0;
    const name: Name = { text: decodeText(bytes, 0, length), bytes, ascii, slot: fast, id: slot };
    names[slot] = name;
    return name;
  }

  function reserve(more: number): void {
    if (scratchLength + more <= scratch.length) return;
    const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, scratchLength + more));
    scratch.copy(grown, 0, 0, scratchLength);
    scratch = grown;
  }

  function gather(s: Uint8Array, from: number, to: number): void {
    if (to <= from) return;
    reserve(to - from);
    scratch.set(s.subarray(from, to), scratchLength);
    scratchLength += to - from;
  }

  function gatherCodePoint(code: number): void {
    reserve(4);
    const b = scratch;
    let k = scratchLength;
    if (code < 0x80) b[k++] = code;
    else if (code < 0x800) {
      b[k++] = 0xc0 | (code >> 6);
      b[k++] = 0x80 | (code & 0x3f);
    } else if (code < 0x10000) {
      b[k++] = 0xe0 | (code >> 12);
      b[k++] = 0x80 | ((code >> 6) & 0x3f);
      b[k++] = 0x80 | (code & 0x3f);
    } else {
      b[k++] = 0xf0 | (code >> 18);
      b[k++] = 0x80 | ((code >> 12) & 0x3f);
      b[k++] = 0x80 | ((code >> 6) & 0x3f);
      b[k++] = 0x80 | (code & 0x3f);
    }
    scratchLength = k;
  }

  // A reference at `at` (its `&`): the index after its `;`, INCOMPLETE, or FAILED. The decoded
  // character is left in `referenceCode`.
  let referenceCode = 0;
  function reference(s: Uint8Array, at: number, n: number): number {
    let k = at + 1;
    let chars = 0;
    for (; k < n; k += 1) {
      const c = s[k]!;
      if (c === SEMICOLON) break;
      if (c >= 0x80 && c < 0xc0) continue;
      // A character beyond the first plane is not read as part of an entity name: the
      // reference is refused at its `&`.
      const entityChar = (c < 128 && NAME[c] !== 0) || c === HASH || (c >= 0xc0 && c < 0xf0);
      if (!entityChar || chars >= MAX_REFERENCE)
        return fail(
          "malformed_reference",
          "a `&` that does not start an entity reference (write a literal & as &amp;)",
          at,
        );
      chars += 1;
    }
    if (k >= n) return INCOMPLETE;
    // The columns of a reference's characters: the `;` follows them.
    // (Only a name that fails can hold any: XML's five and numeric references are ASCII.)
    extra += k - at - 1 - chars;
    if (k === at + 1) return fail("syntax", "empty entity name.", k);
    const name = decodeText(s, at + 1, k);
    if (name.charCodeAt(0) === HASH) {
      let code = NaN;
      if (/^#x[0-9a-fA-F]+$/.test(name)) code = parseInt(name.slice(2), 16);
      else if (/^#[0-9]+$/.test(name)) code = parseInt(name.slice(1), 10);
      if (!isXmlChar(code)) return fail("syntax", "malformed character entity.", k);
      referenceCode = code;
      return k + 1;
    }
    const known = PREDEFINED[name];
    if (known !== undefined && Object.hasOwn(PREDEFINED, name)) {
      referenceCode = known;
      return k + 1;
    }
    if (!isNameText(name)) return fail("syntax", "disallowed character in entity name.", k);
    return fail("undefined_entity", `undefined entity: ${name}`, k);
  }

  // Character data from `i` up to the next `<`: returns where it stopped (a `<`, the end of the
  // bytes, or an index to hold from when a reference, a CR or a `]` needs the next piece).
  function text(s: Uint8Array, i: number, n: number, final: boolean): number {
    let space = true;
    let nonSpace = -1;
    let decoded = false;
    scratchLength = 0;
    let from = i;
    let j = i;
    let hold = -1;
    for (; j < n; j += 1) {
      const c = s[j]!;
      if (c > SPACE) {
        if (c === LT) break;
        if (space) {
          space = false;
          nonSpace = j;
          if (depth === 0) return fail("syntax", "text data outside of root node.", j);
        }
        if (c === AMP) {
          const after = reference(s, j, n);
          if (after === FAILED) return FAILED;
          if (after === INCOMPLETE) {
            hold = j;
            break;
          }
          gather(s, from, j);
          gatherCodePoint(referenceCode);
          decoded = true;
          j = after - 1;
          from = after;
        } else if (c === RBRACKET) {
          if (j + 2 >= n && !final) {
            hold = j;
            break;
          }
          if (s[j + 1] === RBRACKET && s[j + 2] === GT)
            return fail("syntax", 'the string "]]>" is disallowed in char data.', j + 2);
        } else if (c >= 0x80) {
          const more = wideChar(s, j, n);
          if (more === INCOMPLETE) {
            hold = j;
            break;
          }
          if (more === FAILED) return FAILED;
          j += more;
        }
      } else if (c === LF) {
        newline(j);
      } else if (c === CR) {
        if (j + 1 >= n && !final) {
          hold = j;
          break;
        }
        // CR LF and a lone CR are one line end, given on as LF.
        gather(s, from, j);
        decoded = true;
        if (s[j + 1] !== LF) {
          gatherCodePoint(LF);
          newline(j);
        }
        from = j + 1;
      } else if (c !== SPACE && c !== TAB) {
        return fail("syntax", "disallowed character.", j);
      }
    }
    const end = hold < 0 ? j : hold;
    // The character held back is read again with the next piece: it does not count here.
    if (nonSpace >= end) space = true;
    if (end > i && depth > 0) {
      if (!decoded) events.text(s, i, end, space);
      else {
        gather(s, from, end);
        events.text(scratch, 0, scratchLength, space);
      }
    }
    return end;
  }

  // White space at `k` inside markup, with its line ends counted: the index after it.
  function skipSpace(s: Uint8Array, k: number, n: number): number {
    for (; k < n; k += 1) {
      const c = s[k];
      if (c === SPACE || c === TAB) continue;
      if (c === LF) newline(k);
      else if (c === CR) {
        if (k + 1 >= n) return n;
        if (s[k + 1] !== LF) newline(k);
      } else break;
    }
    return k;
  }

  // A name at `k` (already known to start one): the index after it, or INCOMPLETE. Its hash is
  // left in `nameHash`.
  let nameHash = 0;
  function scanName(s: Uint8Array, k: number, n: number): number {
    let hash = 0;
    for (; k < n; k += 1) {
      const c = s[k]!;
      if (c < 128) {
        if (NAME[c] === 0) break;
        hash = (Math.imul(hash, 31) + c) | 0;
      } else {
        const more = sequenceLength(c) - 1;
        if (k + more >= n) return INCOMPLETE;
        if (!isWideNameChar(codePointAt(s, k))) break;
        for (let m = 0; m <= more; m += 1) hash = (Math.imul(hash, 31) + s[k + m]!) | 0;
        extra += more;
        k += more;
      }
    }
    if (k >= n) return INCOMPLETE;
    nameHash = hash;
    return k;
  }

  function startsName(s: Uint8Array, k: number): boolean {
    const c = s[k]!;
    if (c < 128) return NAME[c] === 1;
    if (k + sequenceLength(c) - 1 >= s.length) return false;
    return isWideNameStart(codePointAt(s, k));
  }

  // A quoted attribute value from `k` (after its quote): the index after the closing quote.
  function attributeValue(s: Uint8Array, k: number, n: number, quote: number): number {
    for (; k < n; k += 1) {
      const c = s[k]!;
      if (c === quote) return k + 1;
      if (c === LT) return fail("syntax", "disallowed character.", k);
      if (c === AMP) {
        const after = reference(s, k, n);
        if (after < 0) return after;
        k = after - 1;
      } else if (c === LF) newline(k);
      else if (c === CR) {
        if (k + 1 >= n) return INCOMPLETE;
        if (s[k + 1] !== LF) newline(k);
      } else if (c < SPACE) {
        if (c !== TAB) return fail("syntax", "disallowed character.", k);
      } else if (c >= 0x80) {
        const more = wideChar(s, k, n);
        if (more < 0) return more;
        k += more;
      }
    }
    return INCOMPLETE;
  }

  function startTag(s: Uint8Array, i: number, n: number): number {
    const tagLine = line;
    const tagColumn = column(i);
    if (closedRoot) return fail("syntax", "documents may contain only one root.", i + 1);
    let k = scanName(s, i + 1, n);
    if (k < 0) return k;
    const name = intern(s, i + 1, k, nameHash);
    let attributes: string[] | null = null;
    let spaced = false;
    for (;;) {
      const c = s[k];
      if (c === GT || c === SLASH) {
        if (c === SLASH) {
          if (k + 1 >= n) return INCOMPLETE;
          if (s[k + 1] !== GT)
            return fail("syntax", "forward-slash in opening tag not followed by >.", k + 1);
          k += 1;
        }
        if (attributes !== null) {
          for (let a = 1; a < attributes.length; a += 1)
            if (attributes.indexOf(attributes[a]!) < a)
              return fail("syntax", `duplicate attribute: ${attributes[a]}.`, k);
        }
        if (name.ascii) rememberName(name);
        openElement(name, tagLine, tagColumn);
        if (c === SLASH && !stopped) closeTop();
        return k + 1;
      }
      if (c === SPACE || c === LF || c === TAB || c === CR) {
        k = skipSpace(s, k, n);
        if (k >= n) return INCOMPLETE;
        spaced = true;
        continue;
      }
      if (!spaced) {
        return fail(
          "syntax",
          attributes === null ? "disallowed character in tag name." : "no whitespace between attributes.",
          k,
        );
      }
      if (!startsName(s, k)) return fail("syntax", "disallowed character in attribute name.", k);
      const nameAt = k;
      k = scanName(s, k, n);
      if (k < 0) return k;
      (attributes ??= []).push(decodeText(s, nameAt, k));
      k = skipSpace(s, k, n);
      if (k >= n) return INCOMPLETE;
      if (s[k] !== EQUALS) return fail("syntax", "attribute without value.", k);
      k = skipSpace(s, k + 1, n);
      if (k >= n) return INCOMPLETE;
      const q = s[k];
      if (q !== QUOTE && q !== APOS) return fail("syntax", "unquoted attribute value.", k);
      k = attributeValue(s, k + 1, n, q);
      if (k < 0) return k;
      if (k >= n) return INCOMPLETE;
      spaced = false;
    }
  }

  function closeTop(): void {
    depth -= 1;
    if (depth === 0) closedRoot = true;
    events.close();
  }

  function endTag(s: Uint8Array, i: number, n: number): number {
    if (i + 2 >= n) return INCOMPLETE;
    if (!startsName(s, i + 2)) return fail("syntax", "disallowed character in closing tag.", i + 2);
    const end = scanName(s, i + 2, n);
    if (end < 0) return end;
    const k = skipSpace(s, end, n);
    if (k >= n) return INCOMPLETE;
    if (s[k] !== GT) return fail("syntax", "disallowed character in closing tag.", k);
    if (depth === 0)
      return fail("unmatched_close", `closing tag </${decodeText(s, i + 2, end)}> has no opening tag`, k);
    const top = stack[depth - 1]!;
    if (top.bytes.length !== end - i - 2 || !sameBytes(s, i + 2, top.bytes))
      return fail("mismatched_close", `unexpected close tag </${decodeText(s, i + 2, end)}>`, k);
    closeTop();
    return k + 1;
  }

  // Characters of a comment, PI or CDATA section from `k` until its terminator: the index after
  // the terminator. Text is given on for CDATA.
  function delimited(s: Uint8Array, k: number, n: number, kind: "comment" | "pi" | "cdata"): number {
    const from = k;
    let decoded = false;
    scratchLength = 0;
    let piece = k;
    let space = true;
    for (; k < n; k += 1) {
      const c = s[k]!;
      if (kind === "comment" && c === MINUS) {
        if (k + 2 >= n) return INCOMPLETE;
        if (s[k + 1] === MINUS) {
          if (s[k + 2] === GT) return k + 3;
          return fail("syntax", "malformed comment.", k + 2);
        }
      } else if (kind === "pi" && c === QUESTION) {
        if (k + 1 >= n) return INCOMPLETE;
        if (s[k + 1] === GT) return k + 2;
      } else if (kind === "cdata" && c === RBRACKET) {
        if (k + 2 >= n) return INCOMPLETE;
        if (s[k + 1] === RBRACKET && s[k + 2] === GT) {
          if (k > from) {
            if (!decoded) events.text(s, from, k, space);
            else {
              gather(s, piece, k);
              events.text(scratch, 0, scratchLength, space);
            }
          }
          return k + 3;
        }
      }
      if (c === LF) newline(k);
      else if (c === CR) {
        if (k + 1 >= n) return INCOMPLETE;
        gather(s, piece, k);
        decoded = true;
        if (s[k + 1] !== LF) {
          gatherCodePoint(LF);
          newline(k);
        }
        piece = k + 1;
      } else if (c < SPACE) {
        if (c !== TAB) return fail("syntax", "disallowed character.", k);
      } else if (c >= 0x80) {
        space = false;
        const more = wideChar(s, k, n);
        if (more < 0) return more;
        k += more;
      } else if (c !== SPACE) space = false;
    }
    return INCOMPLETE;
  }

  function processingInstruction(s: Uint8Array, i: number, n: number): number {
    if (i + 2 >= n) return INCOMPLETE;
    if (!startsName(s, i + 2)) {
      return fail(
        "syntax",
        s[i + 2] === QUESTION
          ? "processing instruction without a target."
          : "disallowed character in processing instruction name.",
        i + 2,
      );
    }
    const k = scanName(s, i + 2, n);
    if (k < 0) return k;
    const target = decodeText(s, i + 2, k);
    const declaration = target === "xml";
    if (declaration && !atDocumentStart)
      return fail("syntax", "an XML declaration must be at the start of the document.", k - 1);
    if (!declaration && target.toLowerCase() === "xml")
      return fail("syntax", "a processing instruction may not be named xml.", k - 1);
    const c = s[k];
    if (c === QUESTION) {
      if (k + 1 >= n) return INCOMPLETE;
      if (s[k + 1] !== GT) return fail("syntax", "disallowed character in processing instruction name.", k);
    } else if (!(c === SPACE || c === TAB || c === LF || c === CR)) {
      return fail("syntax", "disallowed character in processing instruction name.", k);
    }
    if (declaration) {
      // No `?` in a declaration but its end: the first one ends it, or it is malformed there.
      const question = s.indexOf(QUESTION, k);
      if (question < 0 || question + 1 >= n) return INCOMPLETE;
      if (s[question + 1] !== GT) {
        advance(s, k, question + 1);
        return fail("syntax", "malformed XML declaration.", question + 1);
      }
      const end = delimited(s, k, question + 2, "pi");
      if (end < 0) return end;
      if (!XML_DECLARATION.test(decodeText(s, i, end)))
        return fail("syntax", "malformed XML declaration.", question + 1);
      return end;
    }
    return delimited(s, k, n, "pi");
  }

  // Lines and columns up to `to`, from the current position at `from`: for positions reported
  // once reading stops.
  function advance(s: Uint8Array, from: number, to: number): void {
    for (let k = from; k < to; k += 1) {
      const c = s[k]!;
      if (c === LF) newline(k);
      else if (c === CR && s[k + 1] !== LF) newline(k);
      else if (c >= 0x80 && c < 0xc0) extra += 1;
    }
  }

  function doctype(s: Uint8Array, i: number, n: number, final: boolean): number {
    if (sawRoot) return fail("syntax", "inappropriately located doctype declaration.", i + 8);
    // The DOCTYPE is refused whatever it says; an entity declaration in it is named, since that
    // is what an expansion attack carries. Look as far as the internal subset goes, or a while.
    const b = Buffer.from(s.buffer, s.byteOffset, n);
    const entity = b.indexOf("<!ENTITY", i);
    const bracket = b.indexOf(0x5b, i);
    const close = b.indexOf(GT, i);
    const subsetOpen = bracket >= 0 && (close < 0 || bracket < close);
    const subsetEnd = subsetOpen ? b.indexOf(RBRACKET, bracket) : -1;
    if (entity >= 0 && (!subsetOpen || subsetEnd < 0 || entity < subsetEnd)) {
      advance(s, i, entity);
      stopped = true;
      events.doctype(true, line, column(entity));
      return FAILED;
    }
    const decided = final || n - i > DOCTYPE_LOOKAHEAD || (subsetOpen ? subsetEnd >= 0 : close >= 0);
    if (!decided) return INCOMPLETE;
    stopped = true;
    events.doctype(false, line, column(i));
    return FAILED;
  }

  // Markup at `i` (a `<`): the index after it, INCOMPLETE, or FAILED.
  function markup(s: Uint8Array, i: number, n: number, final: boolean): number {
    if (i + 1 >= n) return INCOMPLETE;
    const c = s[i + 1];
    if (c === SLASH) return endTag(s, i, n);
    if (c === BANG) {
      if (startsWithAscii(s, i, "<!--")) return delimited(s, i + 4, n, "comment");
      if (startsWithAscii(s, i, "<![CDATA[")) {
        if (depth === 0) return fail("syntax", "text data outside of root node.", i + 8);
        return delimited(s, i + 9, n, "cdata");
      }
      if (startsWithAscii(s, i, "<!DOCTYPE")) return doctype(s, i, n, final);
      const rest = Buffer.from(s.buffer, s.byteOffset + i, Math.min(9, n - i)).toString("latin1");
      if (n - i < 9 && ["<!--", "<![CDATA[", "<!DOCTYPE"].some((w) => w.startsWith(rest))) return INCOMPLETE;
      return fail("syntax", "incorrect syntax.", i + 2);
    }
    if (c === QUESTION) return processingInstruction(s, i, n);
    if (startsName(s, i + 1)) return startTag(s, i, n);
    return fail("syntax", "disallowed character in tag name.", i + 1);
  }

  // Brings the line count up to `to`: the fast path of end tags moves on without counting (it
  // holds no line end), so lines are counted here, by search, when a position is needed.
  function sync(to: number): void {
    if (to <= cursor) return;
    if (nextLf < cursor) {
      nextLf = buf.indexOf(LF, cursor);
      if (nextLf < 0) nextLf = buf.length;
    }
    while (nextLf < to) {
      line += 1;
      lineStart = nextLf + 1;
      extra = 0;
      nextLf = buf.indexOf(LF, nextLf + 1);
      if (nextLf < 0) nextLf = buf.length;
    }
    cursor = to;
  }

  // Mixed well enough that an export's few dozen names rarely share a slot (two that do would
  // take the full checks in turn).
  function fastSlot(length: number, first: number, middle: number, last: number): number {
    const h =
      Math.imul(length, 0x9e3779b1) ^
      Math.imul(first, 0x85ebca6b) ^
      Math.imul(middle, 0xc2b2ae35) ^
      Math.imul(last, 0x27d4eb2f);
    return (h ^ (h >>> 15)) & 1023;
  }

  // Remembers a name for the fast path of start tags (ASCII names only: the fast paths do not
  // count the columns of wider characters).
  function rememberName(name: Name): void {
    fastNames[name.slot] = name;
  }

  // The common shapes, with no call per character: `<name>` and `<name/>` of a name seen before,
  // the end tag of the open element, and text without references, CRs or unusual characters up to
  // the next `<`. Returns the index after what it read, or -1 to leave it to the full checks.
  function fast(s: Uint8Array, i: number, n: number): number {
    // One loop over construct after construct, with no call between them.
    for (;;) {
      if (i >= n || stopped) return i;
      const c = s[i]!;
      if (c === LT) {
        if (i + 1 >= n) return i;
        const c1 = s[i + 1]!;
        if (c1 === SLASH) {
          if (depth === 0) return i;
          const top = stack[depth - 1]!;
          const bytes = top.bytes;
          const length = bytes.length;
          const after = i + 2 + length;
          if (!top.ascii || after >= n || s[after] !== GT) return i;
          for (let k = 0; k < length; k += 1) if (s[i + 2 + k] !== bytes[k]) return i;
          closeTop();
          i = after + 1;
          continue;
        }
        if (c1 >= 128 || NAME[c1] !== 1 || closedRoot) return i;
        // Exports repeat one order of fields: the name that followed the last one last time is
        // tried first, byte by byte, before any search.
        let known = predicted[lastSlot];
        let gt = -1;
        if (known !== undefined) {
          const bytes = known.bytes;
          const length = bytes.length;
          const end = i + 1 + length;
          if (end + 1 < n) {
            let k = 0;
            while (k < length && s[i + 1 + k] === bytes[k]) k += 1;
            if (k === length) {
              const d = s[end];
              if (d === GT) gt = end;
              else if (d === SLASH && s[end + 1] === GT) gt = end + 1;
            }
          }
        }
        if (gt < 0) {
          // Names are short: a `>` further than any known name's length is not this fast path's.
          gt = i + 2;
          const limit = Math.min(n, i + 80);
          while (gt < limit && s[gt] !== GT) gt += 1;
          if (gt >= limit) return i;
          const end = s[gt - 1] === SLASH ? gt - 1 : gt;
          const length = end - i - 1;
          if (length <= 0) return i;
          known = fastNames[fastSlot(length, c1, s[i + 1 + (length >> 1)]!, s[end - 1]!)];
          if (known === undefined) return i;
          const bytes = known.bytes;
          if (bytes.length !== length) return i;
          for (let k = 0; k < length; k += 1) if (s[i + 1 + k] !== bytes[k]) return i;
        }
        if (i > cursor) sync(i);
        const column = i - lineStart + 1 - extra;
        if (s[gt - 1] !== SLASH && depth > 0 && events.leaf !== undefined) {
          const end = leafEnd(s, gt + 1, n, known!);
          if (end >= 0) {
            predicted[lastSlot] = known!;
            lastSlot = known!.slot;
            events.leaf(known!.text, line, column, known!.id, s, gt + 1, leafText, textSpace);
            line = textLine;
            lineStart = textLineStart;
            extra = textExtra;
            cursor = leafText;
            i = end;
            continue;
          }
        }
        openElement(known!, line, column);
        if (s[gt - 1] === SLASH && !stopped) closeTop();
        i = gt + 1;
        continue;
      }
      // Text, when the fast path can take it; anything else is left to the character loop.
      if (depth === 0) return i;
      const k = plainText(s, i, n);
      if (k < 0) return i;
      const space = textSpace;
      line = textLine;
      lineStart = textLineStart;
      extra = textExtra;
      cursor = k;
      if (!space || events.spaceWanted !== false) events.text(s, i, k, space);
      i = k;
    }
  }

  // Text from `k` up to the next `<` without references, CRs or unusual characters: the index
  // of that `<`, or -1 to leave the text to the character loop. Its line ends and wide
  // characters are counted from the current position into the values below (kept by the caller
  // only when it takes the text), and whether it is all white space.
  let textSpace = false;
  let textLine = 0;
  let textLineStart = 0;
  let textExtra = 0;
  function plainText(s: Uint8Array, k: number, n: number): number {
    let atLine = line;
    let atLineStart = lineStart;
    let atExtra = extra;
    let space = true;
    for (; k < n; k += 1) {
      const d = s[k]!;
      const kind = TEXT_CLASS[d]!;
      if (kind === 0) space = false;
      else if (kind === 1) {
        if (d === LF) {
          atLine += 1;
          atLineStart = k + 1;
          atExtra = 0;
        }
      } else if (d === LT) break;
      else if (kind === 3 && d !== 0xef) {
        // A lead byte (other than the one U+FFFE and U+FFFF start with) is one column, and
        // each continuation byte none.
        space = false;
        if (d < 0xc0) atExtra += 1;
      } else return -1;
    }
    if (k >= n) return -1;
    textSpace = space;
    textLine = atLine;
    textLineStart = atLineStart;
    textExtra = atExtra;
    return k;
  }

  // `<name>text</name>` from `k` (after the start tag), the text as the fast path takes it: the
  // index after the end tag (the text's end and count left by `plainText`), or -1 to read it
  // construct by construct.
  let leafText = 0;
  function leafEnd(s: Uint8Array, k: number, n: number, name: Name): number {
    k = plainText(s, k, n);
    if (k < 0) return -1;
    const bytes = name.bytes;
    const length = bytes.length;
    const after = k + 2 + length;
    if (after >= n || s[k + 1] !== SLASH || s[after] !== GT) return -1;
    for (let m = 0; m < length; m += 1) if (s[k + 2 + m] !== bytes[m]) return -1;
    leafText = k;
    return after + 1;
  }

  function openElement(name: Name, at: number, column: number): void {
    if (name.ascii) {
      predicted[lastSlot] = name;
      lastSlot = name.slot;
    }
    sawRoot = true;
    depth += 1;
    stack[depth - 1] = name;
    events.open(name.text, at, column, name.id);
  }

  // Reads `s` from `from` on; what it cannot finish yet is kept in `buf`.
  function scan(s: Uint8Array, from: number, final: boolean, own: boolean): void {
    buf = s;
    borrowed = !own;
    cursor = from;
    nextLf = -1;
    const n = s.length;
    let i = from;
    // A byte order mark at the start is not content (nor a column).
    if (atDocumentStart && i + 2 < n && s[i] === 0xef && s[i + 1] === 0xbb && s[i + 2] === 0xbf) {
      i += 3;
      lineStart += 3;
      cursor = i;
    }
    while (i < n) {
      if (!atDocumentStart) {
        i = fast(s, i, n);
        if (stopped) return;
        if (i >= n) break;
      }
      sync(i);
      let next: number;
      const savedLine = line;
      const savedStart = lineStart;
      const savedExtra = extra;
      if (s[i] === LT) {
        next = markup(s, i, n, final);
        if (next >= 0) atDocumentStart = false;
        // One read may hold a whole construct past the limit (held ones are measured as they
        // grow): it is refused at its start all the same.
        if (next - i > maxMarkupBytes + 2 && !stopped) {
          stopped = true;
          events.tooLarge(savedLine, i - savedStart + 1 - savedExtra);
          return;
        }
      } else {
        if (atDocumentStart && i < n) atDocumentStart = false;
        next = text(s, i, n, final);
        if (next === i && next < n) next = INCOMPLETE;
      }
      if (next === FAILED || stopped) return;
      if (next === INCOMPLETE) {
        line = savedLine;
        lineStart = savedStart;
        extra = savedExtra;
        cursor = i;
        hold(i, final);
        return;
      }
      cursor = next;
      i = next;
    }
    hold(n, final);
  }

  // Keeps `buf` from `at` on for the next piece (markup not yet complete), as a copy when the
  // bytes are the caller's.
  function hold(at: number, final: boolean): void {
    sync(at);
    if (at >= buf.length) {
      lineStart -= buf.length;
      buf = EMPTY;
      borrowed = false;
      rereadAt = 0;
      return;
    }
    if (at > 0 || borrowed) {
      lineStart -= at;
      buf = Uint8Array.prototype.slice.call(buf, at);
      borrowed = false;
    }
    if (final) return;
    rereadAt = buf.length >= REREAD_FROM ? buf.length * 2 : 0;
    if (buf.length > maxMarkupBytes + 2) {
      stopped = true;
      events.tooLarge(line, column(0));
    }
  }

  // Every buffer read is a Buffer (never a plain Uint8Array), so the loops see one shape.
  function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
    const joined = Buffer.allocUnsafe(a.length + b.length);
    joined.set(a, 0);
    joined.set(b, a.length);
    return joined;
  }

  // The last bytes read, in one buffer kept for the whole file.
  const tailBuffer = Buffer.allocUnsafe(TAIL_BYTES);
  let tailLength = 0;
  function keepTail(piece: Uint8Array): void {
    const n = piece.length;
    if (n >= TAIL_BYTES) {
      tailBuffer.set(piece.subarray(n - TAIL_BYTES), 0);
      tailLength = TAIL_BYTES;
    } else {
      const keep = Math.min(tailLength, TAIL_BYTES - n);
      tailBuffer.copy(tailBuffer, 0, tailLength - keep, tailLength);
      tailBuffer.set(piece, keep);
      tailLength = keep + n;
    }
    lastChunk = tailBuffer.subarray(0, tailLength);
  }

  return {
    write(bytes) {
      if (stopped || bytes.length === 0) return;
      let piece = Buffer.isBuffer(bytes)
        ? bytes
        : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      started = true;
      // The end of the input, for the position of an early end: a last piece of white space
      // alone would not show where the last character stands.
      keepTail(piece);
      if (rereadAt > 0) {
        heldParts.push(Uint8Array.prototype.slice.call(piece));
        heldLength += piece.length;
        // Read again once the held bytes have doubled, or could be past the limit.
        if (buf.length + heldLength < Math.min(rereadAt, maxMarkupBytes + 3)) return;
        const joined = Buffer.allocUnsafe(buf.length + heldLength);
        joined.set(buf, 0);
        let at = buf.length;
        for (const part of heldParts) {
          joined.set(part, at);
          at += part.length;
        }
        heldParts = [];
        heldLength = 0;
        scan(joined, 0, false, true);
        return;
      }
      if (buf.length === 0) {
        scan(piece, 0, false, false);
        return;
      }
      // Markup cut by the end of the last piece usually ends at this piece's first `>`: that bit
      // is read on its own, so the piece itself is read as it is, not copied into one buffer
      // with what was held.
      const close = buf.length < REREAD_FROM ? piece.indexOf(GT) : -1;
      if (close >= 0) {
        scan(concat(buf, piece.subarray(0, close + 1)), 0, false, true);
        if (stopped) return;
        if (buf.length === 0) {
          lineStart += close + 1;
          scan(piece, close + 1, false, false);
          return;
        }
        piece = piece.subarray(close + 1);
      }
      scan(concat(buf, piece), 0, false, true);
    },
    end() {
      if (stopped) return true;
      if (heldLength > 0) {
        buf = concat(buf, heldParts.length === 1 ? heldParts[0]! : Buffer.concat(heldParts));
        heldParts = [];
        heldLength = 0;
      }
      if (buf.length > 0) scan(buf, 0, true, true);
      if (stopped) return true;
      if (buf.length > 0) {
        // Markup still open at the end: count its lines for the position of the end.
        advance(buf, 0, buf.length);
        lastChunk = buf;
        return false;
      }
      return started && sawRoot && depth === 0;
    },
    stop() {
      stopped = true;
    },
    position() {
      // Held markup was read as far as it goes: the position follows it.
      if (buf.length > 0) {
        advance(buf, 0, buf.length);
        lastChunk = buf;
        lineStart -= buf.length;
        buf = EMPTY;
      }
      return { line, column: column(0) };
    },
    endPosition() {
      // Back from the end over white space: a file cut after a line end is reported on the line
      // where its last character stands.
      const tail = lastChunk;
      const at = column(buf.length) - 1;
      let i = tail.length - 1;
      let newlines = 0;
      let spaces = 0;
      for (; i >= 0; i -= 1) {
        const c = tail[i];
        if (c === LF) {
          newlines += 1;
          if (tail[i - 1] === CR) i -= 1;
        } else if (c === CR) newlines += 1;
        else if (c === SPACE || c === TAB) spaces += 1;
        else break;
      }
      if (i < 0) return { line, column: Math.max(1, at) };
      if (newlines === 0) return { line, column: Math.max(1, at - spaces) };
      let start = i;
      while (start >= 0 && tail[start] !== LF && tail[start] !== CR) start -= 1;
      return start < 0
        ? { line: line - newlines }
        : { line: line - newlines, column: unitsBetween(tail, start + 1, i + 1) };
    },
    get depth() {
      return depth;
    },
    get sawRoot() {
      return sawRoot;
    },
  };
}
