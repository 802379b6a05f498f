import { JsonParser, MAX_JSON_DEPTH, type JsonNode, type JsonSyntaxProblem } from "./json-parser.js";

/** One element of a streamed top-level array, handed on as soon as it closes. */
export type ArrayElement =
  | {
      type: "value";
      node: JsonNode;
      /** The element's own text: the node's offsets count from its start. */
      source: string;
      endLine: number;
    }
  | {
      /** Longer than the limit: skipped to its end without being kept, so never parsed. */
      type: "too_long";
      line: number;
      column: number;
      endLine: number;
    };

const enum State {
  /** Before the opening `[`. */
  Start,
  /** After `[`: a value or `]`. */
  First,
  /** Inside an element. */
  Element,
  /** After an element: `,` or `]`. */
  After,
  /** After `,`: a value. */
  Next,
  /** After the closing `]`: only white space. */
  End,
  /** Gathering the word an error message quotes, which may go on in the next chunk. */
  Describe,
  /** A syntax error was found; nothing more is read. */
  Failed,
}

const enum Shape {
  Container,
  String,
  Scalar,
}

/** `true`, `-1.5e3`: what a number or a literal is made of (the parser's messages quote such words). */
function isWordChar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f ||
    c === 0x2b ||
    c === 0x2d ||
    c === 0x2e
  );
}

/** How many characters after a string or scalar element are given to its parser, for its messages. */
const LOOKAHEAD = 20;

/**
 * Splits a top-level JSON array, given as decoded text in chunks of any size, into its
 * elements, each parsed by {@link JsonParser} as soon as it closes. It follows strings and
 * brackets to find where an element ends, keeps only the element being read (at most
 * `maxElementChars` characters; a longer one is skipped unread), and checks the array's own
 * commas and brackets, so memory is bounded by the largest element and time is linear. Syntax
 * errors are those `parseJson` gives for the whole text, at the same line and column; the first
 * one stops the scanner (see `problem`).
 */
export class JsonArrayScanner {
  /** Set once the text is found not to start with `[` (then it is not read on). */
  notArray = false;
  /** The first syntax error; once set, nothing more is read. */
  problem: JsonSyntaxProblem | undefined;
  /** Where the opening `[` is. */
  root: { line: number; column: number } | undefined;

  private state = State.Start;
  private line = 1;
  /** The offset (in the whole text) where the current line starts. */
  private lineStart = 0;
  /** The offset of the current chunk's first character in the whole text. */
  private offset = 0;

  private shape = Shape.Container;
  private depth = 0;
  private inString = false;
  private escape = false;
  private parts: string[] = [];
  private partsChars = 0;
  private skipping = false;
  private elementLine = 0;
  private elementColumn = 0;
  /** Where the last string opened, for the message of a skipped element cut by the end of the file. */
  private stringLine = 0;
  private stringColumn = 0;

  private describe: { line: number; column: number; prefix: string; word: string } | undefined;

  constructor(private readonly maxElementChars: number) {}

  /** The line an element still open starts on (else the current line): what later chunks may still concern. */
  get openLine(): number {
    return this.state === State.Element ? this.elementLine : this.line;
  }

  /** Reads the next chunk of text; returns the elements that closed in it. */
  push(text: string): ArrayElement[] {
    const out: ArrayElement[] = [];
    const n = text.length;
    let i = 0;
    // where the current element's text starts in this chunk, once one is open
    let from = 0;
    while (i < n && this.state !== State.Failed && this.state !== State.Describe) {
      const state = this.state;
      if (state === State.Element) {
        const end = this.scanElement(text, i);
        if (end < 0) {
          if (this.state === State.Element) this.keep(text.slice(from));
          i = n;
        } else {
          this.closeElement(text, from, end, out);
          i = end;
        }
        continue;
      }
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i += 1;
        continue;
      }
      if (c === 0x0a) {
        this.newLine(i);
        i += 1;
        continue;
      }
      if (state === State.Start) {
        if (c === 0x5b) {
          this.root = { line: this.line, column: this.columnAt(i) };
          this.state = State.First;
          i += 1;
        } else {
          this.notArray = true;
          this.state = State.Failed;
        }
      } else if (state === State.First || state === State.Next) {
        if (c !== 0x5d) {
          if (this.openElement(text, i)) from = i;
        } else if (state === State.Next) {
          this.fail('expected a value after ",", got "]"', i);
        } else {
          this.state = State.End;
          i += 1;
        }
      } else if (state === State.After) {
        // on anything else i stays: the word there is gathered below
        if (c === 0x2c) this.state = State.Next;
        else if (c === 0x5d) this.state = State.End;
        else {
          this.failDescribing('expected "," or "]" after a value in an array, got ', text, i);
          continue;
        }
        i += 1;
      } else {
        this.failDescribing("expected the end of the file after the value, got ", text, i);
      }
    }
    if (this.state === State.Describe) this.gather(text, i);
    this.offset += n;
    return out;
  }

  /** Ends the text: sets `problem` unless the array was closed (and nothing but white space followed). */
  end(): void {
    // positions are counted from the end of the last chunk
    const here = 0;
    switch (this.state) {
      case State.Start:
        this.fail("expected a JSON value, got the end of the file", here);
        break;
      case State.First:
      case State.Next:
        this.fail('expected a value or "]", got the end of the file', here);
        break;
      case State.After:
        this.fail('expected "," or "]" after a value in an array, got the end of the file', here);
        break;
      case State.Describe:
        this.finishDescribe();
        break;
      case State.Element:
        if (this.skipping) {
          if (this.inString)
            this.problem = {
              code: "read.json_syntax",
              line: this.stringLine,
              column: this.stringColumn,
              message: "expected a closing quote for the string opened here, got the end of the file",
            };
          else
            this.fail(
              `expected the record that starts at line ${this.elementLine}, column ${this.elementColumn} to be closed, got the end of the file`,
              here,
            );
          this.state = State.Failed;
        } else if (this.shape === Shape.Scalar) {
          // a complete scalar, but the array is not closed after it
          if (this.closeElement("", 0, 0, []))
            this.fail('expected "," or "]" after a value in an array, got the end of the file', here);
        } else {
          // an element cut by the end of the file: the parser says what it misses, and where
          this.parseFailure(this.take(""));
        }
        break;
      default:
        break;
    }
  }

  private columnAt(i: number): number {
    return this.offset + i - this.lineStart + 1;
  }

  private newLine(i: number): void {
    this.line += 1;
    this.lineStart = this.offset + i + 1;
  }

  private fail(message: string, i: number, code: JsonSyntaxProblem["code"] = "read.json_syntax"): void {
    this.problem = { code, line: this.line, column: this.columnAt(i), message };
    this.state = State.Failed;
  }

  /** Fails at `i` quoting the word there (as the parser does), read on into later chunks if need be. */
  private failDescribing(prefix: string, text: string, i: number): void {
    const c = text.charCodeAt(i);
    if (!isWordChar(c)) {
      this.fail(prefix + JSON.stringify(text[i]), i);
      return;
    }
    // gathered from i on by push, here and in the next chunks if the word goes on
    this.describe = { line: this.line, column: this.columnAt(i), prefix, word: "" };
    this.state = State.Describe;
  }

  private gather(text: string, from: number): void {
    const d = this.describe!;
    let i = from;
    while (i < text.length && d.word.length < LOOKAHEAD && isWordChar(text.charCodeAt(i))) i += 1;
    d.word += text.slice(from, i);
    if (i < text.length || d.word.length >= LOOKAHEAD) this.finishDescribe();
  }

  private finishDescribe(): void {
    const d = this.describe!;
    this.problem = {
      code: "read.json_syntax",
      line: d.line,
      column: d.column,
      message: d.prefix + JSON.stringify(d.word),
    };
    this.state = State.Failed;
  }

  /** Starts an element at `i`; false when no value can start there. */
  private openElement(text: string, i: number): boolean {
    const c = text.charCodeAt(i);
    this.elementLine = this.line;
    this.elementColumn = this.columnAt(i);
    this.parts = [];
    this.partsChars = 0;
    this.skipping = false;
    this.inString = false;
    this.escape = false;
    this.depth = 0;
    if (c === 0x7b || c === 0x5b) this.shape = Shape.Container;
    else if (c === 0x22) this.shape = Shape.String;
    else if (isWordChar(c)) this.shape = Shape.Scalar;
    else {
      this.fail(`expected a JSON value, got ${JSON.stringify(text[i])}`, i);
      return false;
    }
    this.state = State.Element;
    return true;
  }

  /**
   * Follows the element from `i`; returns the offset just past its end (a scalar ends before the
   * character that cannot continue it), or -1 when it goes on past this chunk (or failed).
   */
  private scanElement(text: string, from: number): number {
    const n = text.length;
    let i = from;
    if (this.shape === Shape.Scalar) {
      while (i < n && isWordChar(text.charCodeAt(i))) i += 1;
      return i < n ? i : -1;
    }
    let depth = this.depth;
    let inString = this.inString;
    let escape = this.escape;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) this.newLine(i);
      if (inString) {
        if (escape) escape = false;
        else if (c === 0x5c) escape = true;
        else if (c === 0x22) {
          inString = false;
          if (this.shape === Shape.String) {
            this.depth = depth;
            this.inString = false;
            this.escape = false;
            return i + 1;
          }
        }
        continue;
      }
      if (c === 0x22) {
        inString = true;
        this.noteString(i);
      } else if (c === 0x7b || c === 0x5b) {
        depth += 1;
        // the array itself is one level: an element may open MAX_JSON_DEPTH - 1 more
        if (depth >= MAX_JSON_DEPTH) {
          this.depthExceeded(text, from, i);
          return -1;
        }
      } else if (c === 0x7d || c === 0x5d) {
        depth -= 1;
        if (depth === 0) {
          this.depth = 0;
          this.inString = false;
          this.escape = false;
          return i + 1;
        }
      }
    }
    this.depth = depth;
    this.inString = inString;
    this.escape = escape;
    return -1;
  }

  private noteString(i: number): void {
    this.stringLine = this.line;
    this.stringColumn = this.columnAt(i);
  }

  /**
   * The element nests deeper than the limit at `i`: the parser reads what came before, so an
   * earlier syntax error is the one reported, else the depth at this bracket.
   */
  private depthExceeded(text: string, from: number, i: number): void {
    if (this.skipping) {
      this.fail(
        `expected at most ${MAX_JSON_DEPTH} levels of nested arrays and objects, got more`,
        i,
        "read.json_depth",
      );
      return;
    }
    this.parseFailure(this.take(text.slice(from, i + 1)));
  }

  /** Keeps part of the element's text, or stops keeping it once it is longer than the limit. */
  private keep(part: string): void {
    if (this.skipping) return;
    if (this.partsChars + part.length > this.maxElementChars) {
      this.skipping = true;
      this.parts = [];
      this.partsChars = 0;
      return;
    }
    this.parts.push(part);
    this.partsChars += part.length;
  }

  private take(last: string): string {
    const parts = this.parts;
    this.parts = [];
    this.partsChars = 0;
    if (parts.length === 0) return last;
    if (last === "" && parts.length === 1) return parts[0]!;
    parts.push(last);
    return parts.join("");
  }

  private parseFailure(source: string): void {
    const parsed = new JsonParser(source, this.elementLine, this.elementColumn, 1).parseOne();
    this.problem = parsed.ok
      ? {
          code: "read.json_syntax",
          line: this.line,
          column: this.columnAt(0),
          message: "expected the rest of the record, got the end of the file",
        }
      : parsed.problem;
    this.state = State.Failed;
  }

  /**
   * Parses the element that ended at `end` (its text in this chunk starts at `from`); false when
   * it has a syntax error.
   */
  private closeElement(text: string, from: number, end: number, out: ArrayElement[]): boolean {
    this.state = State.After;
    // An element within one chunk is a slice of it, not a copy: most records are.
    const whole = this.parts.length === 0 && !this.skipping && end - from <= this.maxElementChars;
    let source = whole ? text.slice(from, end) : "";
    if (!whole) this.keep(text.slice(from, end));
    if (this.skipping) {
      this.skipping = false;
      out.push({ type: "too_long", line: this.elementLine, column: this.elementColumn, endLine: this.line });
      return true;
    }
    if (!whole) source = this.take("");
    // A string or a scalar is parsed with what follows it, so the messages quote what the whole
    // text's parser would; a container ends at its own bracket.
    const lookahead = this.shape === Shape.Container ? "" : text.slice(end, end + LOOKAHEAD);
    const parsed = new JsonParser(source + lookahead, this.elementLine, this.elementColumn, 1).parseOne();
    if (!parsed.ok) {
      this.problem = parsed.problem;
      this.state = State.Failed;
      return false;
    }
    const node = parsed.node;
    if (node.end < source.length) {
      // a scalar with more word characters than its grammar takes: `12a`, `truex`
      this.problem = {
        code: "read.json_syntax",
        line: this.elementLine,
        column: this.elementColumn + node.end,
        message: `expected "," or "]" after a value in an array, got ${JSON.stringify(source.slice(node.end, node.end + LOOKAHEAD))}`,
      };
      this.state = State.Failed;
      return false;
    }
    out.push({ type: "value", node, source, endLine: this.line });
    return true;
  }
}
