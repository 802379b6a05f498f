// A streaming XML 1.0 reader for exports: text in (any split), element events out, with every
// well-formedness rule an export can break checked as it goes. It scans each piece of text in
// tight loops (no call per character), keeps names interned so a tag costs no new string, and
// hands text out as ranges of the text it was given, so the caller slices only what it keeps.
//
// Checked: tag balance, one root, name and attribute syntax, duplicate attributes, entity and
// character references (XML's five names and numeric references to XML characters), characters
// XML forbids, `]]>` in text, comments, processing instructions, CDATA, the XML declaration's
// syntax, text outside the root, and the end of input inside anything. A DOCTYPE in the prolog is
// handed to the caller (which refuses it) as soon as it starts; one anywhere else is an error.
// Positions are 1-based lines and columns in characters (code points), where line ends are LF,
// CR LF or a lone CR, as XML counts them.

/** Why the reader stopped on an error: the caller words some of these with what it knows. */
export type XmlErrorKind =
  "mismatched_close" | "unmatched_close" | "malformed_reference" | "undefined_entity" | "syntax";

/** What the reader reports, in document order. */
export interface XmlEvents {
  /** A start tag, once complete and well-formed; the position is that of its `<`. */
  open(name: string, line: number, column: number): void;
  /**
   * Character data in `source` from `start` to `end` (references decoded, line ends made LF);
   * `space` when all of it is XML white space. One text node may come in several pieces.
   */
  text(source: string, start: number, end: number, space: boolean): void;
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
  /** Reads the next piece of text. */
  write(text: string): void;
  /**
   * Ends the input: returns true when the document is complete. Otherwise the caller reports
   * it as truncated at `endPosition()`.
   */
  end(): boolean;
  /** Stops reading: further text is ignored. */
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

// An entity reference longer than this is not one of XML's five names nor a character reference
// (`&#x10FFFF;` has eight characters between `&` and `;`): it is refused at its `&` without
// reading on to a `;` that may be anywhere in the file.
const MAX_REFERENCE = 32;
// What the prolog may hold while a DOCTYPE is looked at for an entity declaration.
const DOCTYPE_LOOKAHEAD = 64 * 1024;
// Markup held over a read boundary is read again once its text has doubled (not on every read),
// so even a construct of many reads costs linear time.
const REREAD_FROM = 4096;

// ASCII name characters: 1 may start a name, 2 only continue one.
const NAME = new Uint8Array(128);
for (let c = 0; c < 128; c += 1) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z_:]/.test(ch)) NAME[c] = 1;
  else if (/[0-9.-]/.test(ch)) NAME[c] = 2;
}

// NameStartChar above ASCII (XML 1.0 fifth edition), for a UTF-16 unit or a whole code point.
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

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

// The XML declaration, whole: version, then encoding, then standalone, each optional but the first.
const XML_DECLARATION =
  /^<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:"1\.[0-9]+"|'1\.[0-9]+')(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:"[A-Za-z][A-Za-z0-9._-]*"|'[A-Za-z][A-Za-z0-9._-]*'))?(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:"(?:yes|no)"|'(?:yes|no)'))?[ \t\r\n]*\?>$/;

// A copy that shares no memory with the text it came from: a slice of a long string would keep
// the whole read chunk alive for as long as the interned name lives.
function detached(text: string): string {
  return text.length < 13 ? text : (text + " ").slice(0, -1);
}

const INCOMPLETE = -1;
const FAILED = -2;

/** Creates a reader that reports to `events`; constructs past `maxMarkupChars` are refused. */
export function createXmlReader(events: XmlEvents, options: { maxMarkupBytes: number }): XmlReader {
  const maxMarkupBytes = options.maxMarkupBytes;
  let buf = "";
  // Text held back (markup not yet complete) and what came after it, until it is worth reading again.
  let heldParts: string[] = [];
  let heldLength = 0;
  let rereadAt = 0;
  let stopped = false;
  let started = false;
  let lastChunk = "";

  // The position: the line, the index in `buf` where it starts (negative when it started in an
  // earlier piece) and the astral characters (two UTF-16 units, one column) on it so far.
  let line = 1;
  let lineStart = 0;
  let astrals = 0;

  // How far `line` and `lineStart` are counted, and the next LF after that.
  let cursor = 0;
  let nextLf = -1;

  const stack: string[] = [];
  // 1 where the open element's name holds an astral character.
  const wide: number[] = [];
  let depth = 0;
  let sawRoot = false;
  let closedRoot = false;
  let atDocumentStart = true;

  // Interned names: a tag's name is looked up by a hash of its characters, computed while they
  // are checked, so a name seen before costs one comparison and no allocation.
  const names = new Array<string | undefined>(1024).fill(undefined);
  // Names by their length and three of their characters, for the fast path of start tags.
  const fastNames = new Array<string | undefined>(1024).fill(undefined);

  function column(at: number): number {
    return at - lineStart + 1 - astrals;
  }

  function fail(kind: XmlErrorKind, message: string, at: number): number {
    if (!stopped) {
      stopped = true;
      // A line end that is itself the wrong character is reported where it leads, on the next
      // line, as a reader that counts each character as it takes it does.
      const c = buf.charCodeAt(at);
      if (c === LF || c === CR) events.error(kind, message, line + 1, 1);
      else events.error(kind, message, line, Math.max(1, column(at)));
    }
    return FAILED;
  }

  // A UTF-16 unit of 0xD800 or above at `at`: a surrogate pair (one column, an astral on the line)
  // takes one more unit, which is returned; a pair cut by the end of `s` is INCOMPLETE; a lone
  // surrogate, U+FFFE or U+FFFF is no XML character and FAILED.
  function wideChar(s: string, at: number, n: number): number {
    const c = s.charCodeAt(at);
    if (c <= 0xdbff) {
      if (at + 1 >= n) return INCOMPLETE;
      const d = s.charCodeAt(at + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return fail("syntax", "disallowed character.", at);
      astrals += 1;
      return 1;
    }
    if (c <= 0xdfff || c >= 0xfffe) return fail("syntax", "disallowed character.", at);
    return 0;
  }

  function newline(at: number): void {
    line += 1;
    lineStart = at + 1;
    astrals = 0;
  }

  function intern(s: string, start: number, end: number, hash: number): string {
    const slot = (hash ^ (hash >>> 10) ^ (end - start)) & 1023;
    const known = names[slot];
    if (known !== undefined && known.length === end - start && s.startsWith(known, start)) return known;
    const name = detached(s.slice(start, end));
    names[slot] = name;
    return name;
  }

  // A reference at `at` (its `&`): the index after its `;`, INCOMPLETE, or FAILED. The decoded
  // character is left in `referenceText`.
  let referenceText = "";
  function reference(s: string, at: number, n: number): number {
    let k = at + 1;
    for (; k < n; k += 1) {
      const c = s.charCodeAt(k);
      if (c === SEMICOLON) break;
      const entityChar =
        (c < 128 && NAME[c] !== 0) || c === HASH || (c > 0x7f && !(c >= 0xd800 && c <= 0xdfff));
      if (!entityChar || k - at - 1 >= MAX_REFERENCE)
        return fail(
          "malformed_reference",
          "a `&` that does not start an entity reference (write a literal & as &amp;)",
          at,
        );
    }
    if (k >= n) return INCOMPLETE;
    const name = s.slice(at + 1, k);
    // The columns of a reference's characters: none is astral (those fail above).
    if (name === "") return fail("syntax", "empty entity name.", k);
    if (name.charCodeAt(0) === HASH) {
      let code = NaN;
      if (/^#x[0-9a-fA-F]+$/.test(name)) code = parseInt(name.slice(2), 16);
      else if (/^#[0-9]+$/.test(name)) code = parseInt(name.slice(1), 10);
      if (!isXmlChar(code)) return fail("syntax", "malformed character entity.", k);
      referenceText = String.fromCodePoint(code);
      return k + 1;
    }
    const known = PREDEFINED[name];
    if (known !== undefined && Object.hasOwn(PREDEFINED, name)) {
      referenceText = known;
      return k + 1;
    }
    if (!isNameText(name)) return fail("syntax", "disallowed character in entity name.", k);
    return fail("undefined_entity", `undefined entity: ${name}`, k);
  }

  // Character data from `i` up to the next `<`: returns where it stopped (a `<`, the end of the
  // text, or an index to hold from when a reference, a CR or a `]` needs the next piece).
  function text(s: string, i: number, n: number, final: boolean): number {
    let space = true;
    let nonSpace = -1;
    let decoded: string | null = null;
    let from = i;
    let j = i;
    let hold = -1;
    for (; j < n; j += 1) {
      const c = s.charCodeAt(j);
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
          decoded = (decoded ?? "") + s.slice(from, j) + referenceText;
          j = after - 1;
          from = after;
        } else if (c === RBRACKET) {
          if (j + 2 >= n && !final) {
            hold = j;
            break;
          }
          if (s.charCodeAt(j + 1) === RBRACKET && s.charCodeAt(j + 2) === GT)
            return fail("syntax", 'the string "]]>" is disallowed in char data.', j + 2);
        } else if (c >= 0xd800) {
          const extra = wideChar(s, j, n);
          if (extra === INCOMPLETE) {
            hold = j;
            break;
          }
          if (extra === FAILED) return FAILED;
          j += extra;
        }
      } else if (c === LF) {
        newline(j);
      } else if (c === CR) {
        if (j + 1 >= n && !final) {
          hold = j;
          break;
        }
        // CR LF and a lone CR are one line end, given on as LF.
        if (s.charCodeAt(j + 1) === LF) {
          decoded = (decoded ?? "") + s.slice(from, j);
        } else {
          decoded = (decoded ?? "") + s.slice(from, j) + "\n";
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
      if (decoded === null) events.text(s, i, end, space);
      else {
        decoded += s.slice(from, end);
        events.text(decoded, 0, decoded.length, space);
      }
    }
    return end;
  }

  // White space at `k` inside markup, with its line ends counted: the index after it.
  function skipSpace(s: string, k: number, n: number): number {
    for (; k < n; k += 1) {
      const c = s.charCodeAt(k);
      if (c === SPACE || c === TAB) continue;
      if (c === LF) newline(k);
      else if (c === CR) {
        if (k + 1 >= n) return n;
        if (s.charCodeAt(k + 1) !== LF) newline(k);
      } else break;
    }
    return k;
  }

  // A name at `k` (already known to start one): the index after it, or INCOMPLETE. Its hash is
  // left in `nameHash`.
  let nameHash = 0;
  function scanName(s: string, k: number, n: number): number {
    let hash = 0;
    for (; k < n; k += 1) {
      const c = s.charCodeAt(k);
      if (c < 128) {
        if (NAME[c] === 0) break;
      } else if (c >= 0xd800 && c <= 0xdbff) {
        if (k + 1 >= n) return INCOMPLETE;
        const cp = s.codePointAt(k)!;
        if (cp < 0x10000 || !isWideNameChar(cp)) break;
        k += 1;
        astrals += 1;
      } else if (!isWideNameChar(c)) break;
      hash = (Math.imul(hash, 31) + c) | 0;
    }
    if (k >= n) return INCOMPLETE;
    nameHash = hash;
    return k;
  }

  function startsName(s: string, k: number): boolean {
    const c = s.charCodeAt(k);
    if (c < 128) return NAME[c] === 1;
    return isWideNameStart(c >= 0xd800 && c <= 0xdbff ? (s.codePointAt(k) ?? 0) : c);
  }

  // A quoted attribute value from `k` (after its quote): the index after the closing quote.
  function attributeValue(s: string, k: number, n: number, quote: number): number {
    for (; k < n; k += 1) {
      const c = s.charCodeAt(k);
      if (c === quote) return k + 1;
      if (c === LT) return fail("syntax", "disallowed character.", k);
      if (c === AMP) {
        const after = reference(s, k, n);
        if (after < 0) return after;
        k = after - 1;
      } else if (c === LF) newline(k);
      else if (c === CR) {
        if (k + 1 >= n) return INCOMPLETE;
        if (s.charCodeAt(k + 1) !== LF) newline(k);
      } else if (c < SPACE) {
        if (c !== TAB) return fail("syntax", "disallowed character.", k);
      } else if (c >= 0xd800) {
        const extra = wideChar(s, k, n);
        if (extra < 0) return extra;
        k += extra;
      }
    }
    return INCOMPLETE;
  }

  function startTag(s: string, i: number, n: number): number {
    const tagLine = line;
    const tagColumn = column(i);
    if (closedRoot) return fail("syntax", "documents may contain only one root.", i + 1);
    let k = scanName(s, i + 1, n);
    if (k < 0) return k;
    const name = intern(s, i + 1, k, nameHash);
    let attributes: string[] | null = null;
    let spaced = false;
    for (;;) {
      const c = s.charCodeAt(k);
      if (c === GT || c === SLASH) {
        if (c === SLASH) {
          if (k + 1 >= n) return INCOMPLETE;
          if (s.charCodeAt(k + 1) !== GT)
            return fail("syntax", "forward-slash in opening tag not followed by >.", k + 1);
          k += 1;
        }
        if (attributes !== null) {
          for (let a = 1; a < attributes.length; a += 1)
            if (attributes.indexOf(attributes[a]!) < a)
              return fail("syntax", `duplicate attribute: ${attributes[a]}.`, k);
        }
        let isWide = 0;
        for (let a = 0; a < name.length; a += 1) {
          const u = name.charCodeAt(a);
          if (u >= 0xd800 && u <= 0xdfff) isWide = 1;
        }
        if (isWide === 0) rememberName(name);
        openElement(name, tagLine, tagColumn, isWide);
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
      (attributes ??= []).push(s.slice(nameAt, k));
      k = skipSpace(s, k, n);
      if (k >= n) return INCOMPLETE;
      if (s.charCodeAt(k) !== EQUALS) return fail("syntax", "attribute without value.", k);
      k = skipSpace(s, k + 1, n);
      if (k >= n) return INCOMPLETE;
      const q = s.charCodeAt(k);
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

  function endTag(s: string, i: number, n: number): number {
    if (i + 2 >= n) return INCOMPLETE;
    if (!startsName(s, i + 2)) return fail("syntax", "disallowed character in closing tag.", i + 2);
    const end = scanName(s, i + 2, n);
    if (end < 0) return end;
    const k = skipSpace(s, end, n);
    if (k >= n) return INCOMPLETE;
    if (s.charCodeAt(k) !== GT) return fail("syntax", "disallowed character in closing tag.", k);
    if (depth === 0)
      return fail("unmatched_close", `closing tag </${s.slice(i + 2, end)}> has no opening tag`, k);
    const top = stack[depth - 1]!;
    if (top.length !== end - i - 2 || !s.startsWith(top, i + 2))
      return fail("mismatched_close", `unexpected close tag </${s.slice(i + 2, end)}>`, k);
    closeTop();
    return k + 1;
  }

  // Characters of a comment, PI or CDATA section from `k` until `terminator` (its first unit is
  // `first`): the index after the terminator. Text is given on for CDATA.
  function delimited(s: string, k: number, n: number, kind: "comment" | "pi" | "cdata"): number {
    const from = k;
    let decoded: string | null = null;
    let piece = k;
    let space = true;
    for (; k < n; k += 1) {
      const c = s.charCodeAt(k);
      if (kind === "comment" && c === MINUS) {
        if (k + 2 >= n) return INCOMPLETE;
        if (s.charCodeAt(k + 1) === MINUS) {
          if (s.charCodeAt(k + 2) === GT) return k + 3;
          return fail("syntax", "malformed comment.", k + 2);
        }
      } else if (kind === "pi" && c === QUESTION) {
        if (k + 1 >= n) return INCOMPLETE;
        if (s.charCodeAt(k + 1) === GT) return k + 2;
      } else if (kind === "cdata" && c === RBRACKET) {
        if (k + 2 >= n) return INCOMPLETE;
        if (s.charCodeAt(k + 1) === RBRACKET && s.charCodeAt(k + 2) === GT) {
          if (k > from) {
            if (decoded === null) events.text(s, from, k, space);
            else {
              decoded += s.slice(piece, k);
              events.text(decoded, 0, decoded.length, space);
            }
          }
          return k + 3;
        }
      }
      if (c === LF) newline(k);
      else if (c === CR) {
        if (k + 1 >= n) return INCOMPLETE;
        if (s.charCodeAt(k + 1) === LF) decoded = (decoded ?? "") + s.slice(piece, k);
        else {
          decoded = (decoded ?? "") + s.slice(piece, k) + "\n";
          newline(k);
        }
        piece = k + 1;
      } else if (c < SPACE) {
        if (c !== TAB) return fail("syntax", "disallowed character.", k);
      } else if (c >= 0xd800) {
        space = false;
        const extra = wideChar(s, k, n);
        if (extra < 0) return extra;
        k += extra;
      } else if (c !== SPACE) space = false;
    }
    return INCOMPLETE;
  }

  function processingInstruction(s: string, i: number, n: number): number {
    if (i + 2 >= n) return INCOMPLETE;
    if (!startsName(s, i + 2)) {
      return fail(
        "syntax",
        s.charCodeAt(i + 2) === QUESTION
          ? "processing instruction without a target."
          : "disallowed character in processing instruction name.",
        i + 2,
      );
    }
    const k = scanName(s, i + 2, n);
    if (k < 0) return k;
    const target = s.slice(i + 2, k);
    const declaration = target === "xml";
    if (declaration && !atDocumentStart)
      return fail("syntax", "an XML declaration must be at the start of the document.", k - 1);
    if (!declaration && target.toLowerCase() === "xml")
      return fail("syntax", "a processing instruction may not be named xml.", k - 1);
    const c = s.charCodeAt(k);
    if (c === QUESTION) {
      if (k + 1 >= n) return INCOMPLETE;
      if (s.charCodeAt(k + 1) !== GT)
        return fail("syntax", "disallowed character in processing instruction name.", k);
    } else if (!(c === SPACE || c === TAB || c === LF || c === CR)) {
      return fail("syntax", "disallowed character in processing instruction name.", k);
    }
    if (declaration) {
      // No `?` in a declaration but its end: the first one ends it, or it is malformed there.
      const question = s.indexOf("?", k);
      if (question < 0 || question + 1 >= n) return INCOMPLETE;
      if (s.charCodeAt(question + 1) !== GT) {
        advance(s, k, question + 1);
        return fail("syntax", "malformed XML declaration.", question + 1);
      }
      const end = delimited(s, k, question + 2, "pi");
      if (end < 0) return end;
      if (!XML_DECLARATION.test(s.slice(i, end)))
        return fail("syntax", "malformed XML declaration.", question + 1);
      return end;
    }
    return delimited(s, k, n, "pi");
  }

  // Lines and columns up to `to`, from the current position at `from`: for positions reported
  // once reading stops.
  function advance(s: string, from: number, to: number): void {
    for (let k = from; k < to; k += 1) {
      const c = s.charCodeAt(k);
      if (c === LF) newline(k);
      else if (c === CR && s.charCodeAt(k + 1) !== LF) newline(k);
      else if (c >= 0xd800 && c <= 0xdbff) astrals += 1;
    }
  }

  function doctype(s: string, i: number, n: number, final: boolean): number {
    if (sawRoot) return fail("syntax", "inappropriately located doctype declaration.", i + 8);
    // The DOCTYPE is refused whatever it says; an entity declaration in it is named, since that
    // is what an expansion attack carries. Look as far as the internal subset goes, or a while.
    const entity = s.indexOf("<!ENTITY", i);
    const bracket = s.indexOf("[", i);
    const close = s.indexOf(">", i);
    const subsetOpen = bracket >= 0 && (close < 0 || bracket < close);
    const subsetEnd = subsetOpen ? s.indexOf("]", bracket) : -1;
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
  function markup(s: string, i: number, n: number, final: boolean): number {
    if (i + 1 >= n) return INCOMPLETE;
    const c = s.charCodeAt(i + 1);
    if (c === SLASH) return endTag(s, i, n);
    if (c === BANG) {
      if (s.startsWith("<!--", i)) return delimited(s, i + 4, n, "comment");
      if (s.startsWith("<![CDATA[", i)) {
        if (depth === 0) return fail("syntax", "text data outside of root node.", i + 8);
        return delimited(s, i + 9, n, "cdata");
      }
      if (s.startsWith("<!DOCTYPE", i)) return doctype(s, i, n, final);
      const rest = s.slice(i, i + 9);
      if (n - i < 9 && ["<!--", "<![CDATA[", "<!DOCTYPE"].some((w) => w.startsWith(rest))) return INCOMPLETE;
      return fail("syntax", "incorrect syntax.", i + 2);
    }
    if (c === QUESTION) return processingInstruction(s, i, n);
    if (startsName(s, i + 1)) return startTag(s, i, n);
    return fail("syntax", "disallowed character in tag name.", i + 1);
  }

  // Brings the line count up to `to`: fast paths skip over text without counting its line
  // ends, so they are counted here, by search, when a position is needed. Only LF can be in what
  // they skip (a CR, a surrogate or anything unusual sends the text down the character loop,
  // which counts as it goes and moves `cursor` past what it read).
  function sync(to: number): void {
    if (to <= cursor) return;
    if (nextLf < cursor) {
      nextLf = buf.indexOf("\n", cursor);
      if (nextLf < 0) nextLf = buf.length;
    }
    while (nextLf < to) {
      line += 1;
      lineStart = nextLf + 1;
      astrals = 0;
      nextLf = buf.indexOf("\n", nextLf + 1);
      if (nextLf < 0) nextLf = buf.length;
    }
    cursor = to;
  }

  function fastSlot(length: number, first: number, middle: number, last: number): number {
    return (Math.imul(length, 0x9e37) ^ Math.imul(first, 31) ^ Math.imul(middle, 7) ^ last) & 1023;
  }

  // Remembers a name for the fast path of start tags (names with astral characters never take
  // it, since it does not count columns).
  function rememberName(name: string): void {
    const n = name.length;
    for (let k = 0; k < n; k += 1) {
      const c = name.charCodeAt(k);
      if (c >= 0xd800 && c <= 0xdfff) return;
    }
    fastNames[fastSlot(n, name.charCodeAt(0), name.charCodeAt(n >> 1), name.charCodeAt(n - 1))] = name;
  }

  // The common shapes, with no call per character: `<name>` and `<name/>` of a name seen before,
  // the end tag of the open element, and text without references, CRs or unusual characters up to
  // the next `<`. Returns the index after what it read, or -1 to leave it to the full checks.
  function fast(s: string, i: number): number {
    const c = s.charCodeAt(i);
    if (c === LT) {
      const c1 = s.charCodeAt(i + 1);
      if (c1 === SLASH) {
        if (depth === 0) return -1;
        const top = stack[depth - 1]!;
        const after = i + 2 + top.length;
        if (wide[depth - 1] === 1 || s.charCodeAt(after) !== GT || !s.startsWith(top, i + 2)) return -1;
        closeTop();
        return after + 1;
      }
      if (c1 < 128 && NAME[c1] === 1 && !closedRoot) {
        const gt = s.indexOf(">", i + 2);
        if (gt < 0) return -1;
        const empty = s.charCodeAt(gt - 1) === SLASH;
        const end = empty ? gt - 1 : gt;
        const length = end - i - 1;
        if (length <= 0) return -1;
        const known =
          fastNames[fastSlot(length, c1, s.charCodeAt(i + 1 + (length >> 1)), s.charCodeAt(end - 1))];
        if (known === undefined || known.length !== length || !s.startsWith(known, i + 1)) return -1;
        sync(i);
        openElement(known, line, i - lineStart + 1 - astrals, 0);
        if (empty && !stopped) closeTop();
        return gt + 1;
      }
      return -1;
    }
    const lt = s.indexOf("<", i);
    if (lt < 0) return -1;
    // One pass over the text: line ends counted, white space told, anything else left to the
    // character loop (which starts over from `i`, so the count is put back).
    const savedLine = line;
    const savedStart = lineStart;
    let space = true;
    for (let k = i; k < lt; k += 1) {
      const d = s.charCodeAt(k);
      if (d > SPACE) {
        if (d === AMP || d === RBRACKET || (d >= 0xd800 && (d <= 0xdfff || d >= 0xfffe)) || depth === 0) {
          line = savedLine;
          lineStart = savedStart;
          return -1;
        }
        space = false;
      } else if (d === LF) {
        line += 1;
        lineStart = k + 1;
      } else if (d !== SPACE && d !== TAB) {
        line = savedLine;
        lineStart = savedStart;
        return -1;
      }
    }
    if (line !== savedLine) astrals = 0;
    cursor = lt;
    if (depth > 0) events.text(s, i, lt, space);
    return lt;
  }

  function openElement(name: string, at: number, column: number, isWide: number): void {
    sawRoot = true;
    depth += 1;
    stack[depth - 1] = name;
    wide[depth - 1] = isWide;
    events.open(name, at, column);
  }

  // Reads `s` from `from` on; what it cannot finish yet is kept in `buf`.
  function scan(s: string, from: number, final: boolean): void {
    buf = s;
    cursor = from;
    nextLf = -1;
    const n = s.length;
    let i = from;
    // A byte order mark that reached the text is not content.
    if (atDocumentStart && i < n && s.charCodeAt(i) === 0xfeff) {
      i += 1;
      lineStart += 1;
      cursor = i;
    }
    while (i < n) {
      if (!atDocumentStart) {
        const next = fast(s, i);
        if (stopped) return;
        if (next >= 0) {
          i = next;
          continue;
        }
      }
      sync(i);
      let next: number;
      const savedLine = line;
      const savedStart = lineStart;
      const savedAstrals = astrals;
      if (s.charCodeAt(i) === LT) {
        next = markup(s, i, n, final);
        if (next >= 0) atDocumentStart = false;
      } else {
        if (atDocumentStart && i < n) atDocumentStart = false;
        next = text(s, i, n, final);
        if (next === i && next < n) next = INCOMPLETE;
      }
      if (next === FAILED || stopped) return;
      if (next === INCOMPLETE) {
        line = savedLine;
        lineStart = savedStart;
        astrals = savedAstrals;
        cursor = i;
        hold(i, final);
        return;
      }
      cursor = next;
      i = next;
    }
    hold(n, final);
  }

  // Keeps `buf` from `at` on for the next piece (markup not yet complete).
  function hold(at: number, final: boolean): void {
    sync(at);
    if (at >= buf.length) {
      lineStart -= buf.length;
      buf = "";
      rereadAt = 0;
      return;
    }
    if (at > 0) {
      lineStart -= at;
      buf = buf.slice(at);
    }
    if (final) return;
    rereadAt = buf.length >= REREAD_FROM ? buf.length * 2 : 0;
    if (buf.length > maxMarkupBytes / 3) {
      const bytes = Buffer.byteLength(buf);
      if (bytes > maxMarkupBytes + 2) {
        stopped = true;
        events.tooLarge(line, column(0));
      }
    }
  }

  return {
    write(piece) {
      if (stopped || piece.length === 0) return;
      started = true;
      // The end of the text, for the position of an early end: a last piece of white space alone
      // would not show where the last character stands.
      lastChunk = piece.length >= 4096 ? piece : (lastChunk + piece).slice(-8192);
      if (rereadAt > 0) {
        heldParts.push(piece);
        heldLength += piece.length;
        // Read again once the held text has doubled, or could be past the limit.
        if (buf.length + heldLength < Math.min(rereadAt, maxMarkupBytes + 1)) return;
        piece = heldParts.join("");
        heldParts = [];
        heldLength = 0;
      }
      if (buf === "") {
        scan(piece, 0, false);
        return;
      }
      // Markup cut by the end of the last piece usually ends at this piece's first `>`: that bit
      // is read on its own, so the piece itself is read as it is, not copied into one string
      // with what was held.
      const close = buf.length < REREAD_FROM ? piece.indexOf(">") : -1;
      if (close >= 0) {
        scan(buf + piece.slice(0, close + 1), 0, false);
        if (stopped) return;
        if (buf === "") {
          lineStart += close + 1;
          scan(piece, close + 1, false);
          return;
        }
        piece = piece.slice(close + 1);
      }
      scan(buf + piece, 0, false);
    },
    end() {
      if (stopped) return true;
      if (heldLength > 0) {
        buf += heldParts.join("");
        heldParts = [];
        heldLength = 0;
      }
      if (buf !== "") scan(buf, 0, true);
      if (stopped) return true;
      if (buf !== "") {
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
      if (buf !== "") {
        advance(buf, 0, buf.length);
        lastChunk = buf;
        buf = "";
        lineStart -= lastChunk.length;
      }
      return { line, column: column(0) };
    },
    endPosition() {
      // Back from the end over white space: a file cut after a line end is reported on the line
      // where its last character stands.
      const text = lastChunk;
      const at = column(buf.length) - 1;
      let i = text.length - 1;
      let newlines = 0;
      let spaces = 0;
      for (; i >= 0; i -= 1) {
        const c = text.charCodeAt(i);
        if (c === LF) {
          newlines += 1;
          if (text.charCodeAt(i - 1) === CR) i -= 1;
        } else if (c === CR) newlines += 1;
        else if (c === SPACE || c === TAB) spaces += 1;
        else break;
      }
      if (i < 0) return { line, column: Math.max(1, at) };
      if (newlines === 0) return { line, column: Math.max(1, at - spaces) };
      const start = Math.max(text.lastIndexOf("\n", i), text.lastIndexOf("\r", i));
      return start < 0 ? { line: line - newlines } : { line: line - newlines, column: i - start };
    },
    get depth() {
      return depth;
    },
    get sawRoot() {
      return sawRoot;
    },
  };
}
