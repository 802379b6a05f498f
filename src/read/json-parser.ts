/** Where a JSON value sits: 1-based line and column (UTF-16 units), and its offsets in the text. */
export interface JsonSpan {
  line: number;
  column: number;
  start: number;
  end: number;
}

export interface JsonEntry {
  key: string;
  line: number;
  column: number;
  value: JsonNode;
}

export interface JsonObjectNode extends JsonSpan {
  type: "object";
  entries: JsonEntry[];
  endLine: number;
  /** The first entry whose key an earlier entry of the same object already has. */
  duplicate?: JsonEntry;
}
export interface JsonArrayNode extends JsonSpan {
  type: "array";
  items: JsonNode[];
  endLine: number;
}
export interface JsonStringNode extends JsonSpan {
  type: "string";
  value: string;
}
/** A number keeps its source text: `00` cannot occur, `1E5` stays `1E5`, 20 digits stay exact. */
export interface JsonNumberNode extends JsonSpan {
  type: "number";
  raw: string;
}
export interface JsonBooleanNode extends JsonSpan {
  type: "boolean";
  value: boolean;
}
export interface JsonNullNode extends JsonSpan {
  type: "null";
}

/** A JSON value with its position in the file. */
export type JsonNode =
  JsonObjectNode | JsonArrayNode | JsonStringNode | JsonNumberNode | JsonBooleanNode | JsonNullNode;

/** A syntax error at the offending token. */
export interface JsonSyntaxProblem {
  /** `read.json_depth` past the nesting limit; any other syntax error is `read.json_syntax`. */
  code: "read.json_syntax" | "read.json_depth";
  line: number;
  column: number;
  message: string;
}

export type JsonParseResult = { ok: true; node: JsonNode } | { ok: false; problem: JsonSyntaxProblem };

/** Deep nesting would exhaust the stack; records are a few levels deep. */
export const MAX_JSON_DEPTH = 256;

class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
    readonly code: JsonSyntaxProblem["code"] = "read.json_syntax",
  ) {
    super(message);
  }
}

/**
 * A hand-written JSON parser (RFC 8259) that tracks each value's line and column and keeps
 * number tokens as their source text, so identifiers never lose digits or leading forms.
 */
export class JsonParser {
  private pos = 0;
  private line: number;
  private lineStart = 0;
  private depth = 0;

  /**
   * `firstLine` and `firstColumn` place the text's first character in the file; `depth` is how
   * many arrays and objects already enclose it there (a record of a streamed array sits in one).
   */
  constructor(
    private readonly text: string,
    firstLine = 1,
    firstColumn = 1,
    depth = 0,
  ) {
    this.line = firstLine;
    // columns are counted from lineStart, so the first line starts as if firstColumn - 1 characters came before
    this.lineStart = 1 - firstColumn;
    this.depth = depth;
  }

  /** Parses the whole text as one value. */
  parseDocument(): JsonParseResult {
    return this.attempt(() => {
      this.skipSpace();
      if (this.pos >= this.text.length) this.fail("expected a JSON value, got the end of the file");
      const node = this.parseValue();
      this.skipSpace();
      if (this.pos < this.text.length)
        this.fail(`expected the end of the file after the value, got ${this.describeHere()}`);
      return node;
    });
  }

  /**
   * Parses one value at the start of the text and stops after it, whatever follows: how a
   * streamed array's record is read, its end found by the caller.
   */
  parseOne(): JsonParseResult {
    return this.attempt(() => {
      if (this.pos >= this.text.length) this.fail("expected a JSON value, got the end of the file");
      return this.parseValue();
    });
  }

  private attempt(parse: () => JsonNode): JsonParseResult {
    try {
      return { ok: true, node: parse() };
    } catch (error) {
      if (error instanceof JsonSyntaxError)
        return {
          ok: false,
          problem: { code: error.code, line: error.line, column: error.column, message: error.message },
        };
      throw error;
    }
  }

  private fail(message: string, at = this.pos, line = this.line, lineStart = this.lineStart): never {
    throw new JsonSyntaxError(line, at - lineStart + 1, message);
  }

  private describeHere(): string {
    if (this.pos >= this.text.length) return "the end of the file";
    const word = /^[A-Za-z0-9_+.-]+/.exec(this.text.slice(this.pos, this.pos + 20));
    return JSON.stringify(word ? word[0] : this.text[this.pos]);
  }

  private skipSpace(): void {
    const text = this.text;
    let i = this.pos;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0d) continue;
      if (c === 0x0a) {
        this.line += 1;
        this.lineStart = i + 1;
        continue;
      }
      break;
    }
    this.pos = i;
  }

  private parseValue(): JsonNode {
    const c = this.text.charCodeAt(this.pos);
    if (c === 0x7b) return this.parseObject();
    if (c === 0x5b) return this.parseArray();
    if (c === 0x22) {
      const line = this.line;
      const column = this.pos - this.lineStart + 1;
      const start = this.pos;
      const value = this.parseString();
      return { type: "string", value, line, column, start, end: this.pos };
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    for (const [word, node] of LITERALS) {
      if (this.text.startsWith(word, this.pos)) {
        const span = {
          line: this.line,
          column: this.pos - this.lineStart + 1,
          start: this.pos,
          end: this.pos + word.length,
        };
        this.pos += word.length;
        return { ...node, ...span } as JsonNode;
      }
    }
    return this.fail(`expected a JSON value, got ${this.describeHere()}`);
  }

  private enter(): void {
    this.depth += 1;
    if (this.depth > MAX_JSON_DEPTH)
      throw new JsonSyntaxError(
        this.line,
        this.pos - this.lineStart + 1,
        `expected at most ${MAX_JSON_DEPTH} levels of nested arrays and objects, got more`,
        "read.json_depth",
      );
  }

  private parseObject(): JsonObjectNode {
    this.enter();
    const node: JsonObjectNode = {
      type: "object",
      entries: [],
      line: this.line,
      column: this.pos - this.lineStart + 1,
      start: this.pos,
      end: 0,
      endLine: 0,
    };
    this.pos += 1;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos += 1;
    } else {
      // a set, not a scan of the entries so far: an object with 100k keys stays linear
      const keys = new Set<string>();
      for (;;) {
        if (this.text.charCodeAt(this.pos) !== 0x22) {
          this.fail(`expected a key in double quotes, got ${this.describeHere()}`);
        }
        const line = this.line;
        const column = this.pos - this.lineStart + 1;
        const key = this.parseString();
        this.skipSpace();
        if (this.text.charCodeAt(this.pos) !== 0x3a)
          this.fail(`expected ":" after the key ${JSON.stringify(key)}, got ${this.describeHere()}`);
        this.pos += 1;
        this.skipSpace();
        if (this.pos >= this.text.length)
          this.fail(`expected a value for the key ${JSON.stringify(key)}, got the end of the file`);
        const entry: JsonEntry = { key, line, column, value: this.parseValue() };
        if (keys.has(key)) node.duplicate ??= entry;
        else keys.add(key);
        node.entries.push(entry);
        this.skipSpace();
        const c = this.text.charCodeAt(this.pos);
        if (c === 0x2c) {
          this.pos += 1;
          this.skipSpace();
          continue;
        }
        if (c === 0x7d) {
          this.pos += 1;
          break;
        }
        this.fail(`expected "," or "}" after a value in an object, got ${this.describeHere()}`);
      }
    }
    node.end = this.pos;
    node.endLine = this.line;
    this.depth -= 1;
    return node;
  }

  private parseArray(): JsonArrayNode {
    this.enter();
    const node: JsonArrayNode = {
      type: "array",
      items: [],
      line: this.line,
      column: this.pos - this.lineStart + 1,
      start: this.pos,
      end: 0,
      endLine: 0,
    };
    this.pos += 1;
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos += 1;
    } else {
      for (;;) {
        if (this.pos >= this.text.length) this.fail('expected a value or "]", got the end of the file');
        node.items.push(this.parseValue());
        this.skipSpace();
        const c = this.text.charCodeAt(this.pos);
        if (c === 0x2c) {
          this.pos += 1;
          this.skipSpace();
          if (this.text.charCodeAt(this.pos) === 0x5d) this.fail('expected a value after ",", got "]"');
          continue;
        }
        if (c === 0x5d) {
          this.pos += 1;
          break;
        }
        this.fail(`expected "," or "]" after a value in an array, got ${this.describeHere()}`);
      }
    }
    node.end = this.pos;
    node.endLine = this.line;
    this.depth -= 1;
    return node;
  }

  /** Reads a string starting at the opening quote; leaves `pos` after the closing quote. */
  private parseString(): string {
    const text = this.text;
    const open = this.pos;
    let i = open + 1;
    let out = "";
    let seg = i;
    for (;;) {
      if (i >= text.length)
        this.fail("expected a closing quote for the string opened here, got the end of the file", open);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(seg, i);
        this.pos = i + 1;
        return out;
      }
      if (c === 0x5c) {
        out += text.slice(seg, i);
        const e = text.charCodeAt(i + 1);
        const simple = ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === 0x75) {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9A-Fa-f]{4}$/.test(hex))
            this.fail(`expected four hex digits after \\u, got ${JSON.stringify(hex)}`, i);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          this.fail(
            `expected an escape such as \\n or \\u0041, got ${JSON.stringify(text.slice(i, i + 2))}`,
            i,
          );
        }
        seg = i;
        continue;
      }
      if (c < 0x20) {
        const what =
          c === 0x0a
            ? "a line break"
            : `the control character U+${c.toString(16).toUpperCase().padStart(4, "0")}`;
        this.fail(`expected a closing quote or an escape, got ${what} inside a string`, i);
      }
      i += 1;
    }
  }

  private parseNumber(): JsonNumberNode {
    const text = this.text;
    const start = this.pos;
    const column = start - this.lineStart + 1;
    let i = start;
    if (text.charCodeAt(i) === 0x2d) i += 1;
    const firstDigit = i;
    i = digits(text, i);
    if (i === firstDigit) this.fail(`expected a digit after "-", got ${JSON.stringify(text[i] ?? "")}`, i);
    if (text.charCodeAt(firstDigit) === 0x30 && i - firstDigit > 1) {
      this.fail(
        `expected a number without leading zeros (write an identifier such as ${text.slice(start, i)} as a string), got ${text.slice(start, i)}`,
        start,
      );
    }
    if (text.charCodeAt(i) === 0x2e) {
      const f = digits(text, i + 1);
      if (f === i + 1)
        this.fail(
          'expected a digit after ".", got ' + JSON.stringify(text[i + 1] ?? "the end of the file"),
          i + 1,
        );
      i = f;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      let k = i + 1;
      const s = text.charCodeAt(k);
      if (s === 0x2b || s === 0x2d) k += 1;
      const x = digits(text, k);
      if (x === k)
        this.fail(
          "expected a digit in the exponent, got " + JSON.stringify(text[k] ?? "the end of the file"),
          k,
        );
      i = x;
    }
    this.pos = i;
    return { type: "number", raw: text.slice(start, i), line: this.line, column, start, end: i };
  }
}

function digits(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    i += 1;
  }
  return i;
}

const ESCAPES: Record<number, string> = {
  0x22: '"',
  0x5c: "\\",
  0x2f: "/",
  0x62: "\b",
  0x66: "\f",
  0x6e: "\n",
  0x72: "\r",
  0x74: "\t",
};

const LITERALS: [string, Omit<JsonBooleanNode, keyof JsonSpan> | Omit<JsonNullNode, keyof JsonSpan>][] = [
  ["true", { type: "boolean", value: true }],
  ["false", { type: "boolean", value: false }],
  ["null", { type: "null" }],
];

/** Parses one JSON text whose first character is on `firstLine`. */
export function parseJson(text: string, firstLine = 1): JsonParseResult {
  return new JsonParser(text, firstLine).parseDocument();
}
