/** A problem in the CSV syntax of one record. */
export interface CsvProblem {
  code:
    | "read.csv_quote_not_closed"
    | "read.csv_quote_invalid"
    | "read.csv_field_too_long"
    | "read.record_too_long";
  /** The physical line: where the quote opens (not closed), or where the stray quote or text is. */
  line: number;
  /** The field's ordinal in the record (1-based). */
  column: number;
  message: string;
}

/** One CSV record: its fields as text, its first and last physical line. */
export interface CsvRecord {
  line: number;
  endLine: number;
  fields: string[];
  problem?: CsvProblem;
}

export interface CsvScannerOptions {
  /** `;` or `,`; when absent, decided from the first line: `;` unless only `,` occurs. */
  delimiter?: ";" | ",";
  /** The physical line of the first character fed. */
  firstLine?: number;
  /** A field longer than this many characters makes its record one `read.csv_field_too_long`. */
  maxFieldChars?: number | undefined;
  /**
   * A record not ended after this many characters (16 fields at the limit by default) is one
   * `read.record_too_long`; the rest of it is skipped, not kept, so memory stays bounded.
   */
  maxRecordChars?: number;
}

/** The longest field read by default: 1 MiB of text. */
export const DEFAULT_MAX_FIELD_CHARS = 1 << 20;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NEED_MORE = null;

/**
 * Decides the delimiter from a header line: `,` when it holds more commas than semicolons
 * outside quotes, else `;` (Engage's convention). A quoted `Name; full` does not count.
 */
export function detectDelimiter(headerLine: string): ";" | "," {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (let i = 0; i < headerLine.length; i++) {
    const c = headerLine.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === 0x2c) commas += 1;
    else if (c === 0x3b) semicolons += 1;
  }
  return commas > semicolons ? "," : ";";
}

/**
 * An RFC 4180 CSV state machine over text pushed in chunks. Lines without a quote take a fast
 * path (`split`); quoted fields may hold delimiters, doubled quotes and line breaks. Malformed
 * input never throws: a record carries a `problem` and reading goes on, resynchronised at the
 * line after the one where the trouble started. Empty lines are skipped.
 */
export class CsvScanner {
  private buf = "";
  private pos = 0;
  private line: number;
  private delimiter: ";" | "," | undefined;
  private delimiterCode = 0;
  private readonly maxFieldChars: number;
  private readonly maxRecordChars: number;
  /** The next quote at or after `pos` in `buf`, -1 when none, -2 when not yet searched. */
  private nextQuote = -2;
  /** The record break: LF (with or without CR before it), or a lone CR (old Mac, some Excel exports). */
  private nl: "\n" | "\r" | undefined;
  private nlCode = LF;
  /** Text pushed but not yet scanned: a record still open is scanned again only once it doubled. */
  private pending: string[] = [];
  private pendingChars = 0;
  private wantChars = 0;
  /** Set while skipping the rest of a record too long to keep: whether a quote is open. */
  private skipping: { quoted: boolean } | undefined;

  constructor(options: CsvScannerOptions = {}) {
    this.line = options.firstLine ?? 1;
    this.maxFieldChars = options.maxFieldChars ?? DEFAULT_MAX_FIELD_CHARS;
    this.maxRecordChars = options.maxRecordChars ?? this.maxFieldChars * 16;
    if (options.delimiter !== undefined) this.setDelimiter(options.delimiter);
  }

  /** The delimiter in use, once known. */
  get separator(): ";" | "," | undefined {
    return this.delimiter;
  }

  /** The record break in use, once known. */
  get lineBreak(): "\n" | "\r" | undefined {
    return this.nl;
  }

  /** Feeds more text; returns the records completed by it. */
  push(text: string): CsvRecord[] {
    this.pending.push(text);
    this.pendingChars += text.length;
    // A long record is looked at again only when its text has doubled: linear time in all.
    if (this.buf.length - this.pos + this.pendingChars < this.wantChars) return [];
    this.join();
    return this.scan(false);
  }

  /** Ends the input; returns the last records. */
  end(): CsvRecord[] {
    this.join();
    return this.scan(true);
  }

  private join(): void {
    const rest = this.pos < this.buf.length ? this.buf.slice(this.pos) : "";
    this.buf = this.pending.length === 0 ? rest : rest + this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    this.pos = 0;
    this.nextQuote = -2;
  }

  private setDelimiter(delimiter: ";" | ","): void {
    this.delimiter = delimiter;
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  /**
   * Tells the record break from the first one in the text, as csv-parse does: a CR not
   * followed by LF makes CR the break of the whole file. False while the text cannot tell yet.
   */
  private detectLineBreak(final: boolean): boolean {
    const buf = this.buf;
    const lf = buf.indexOf("\n", this.pos);
    const cr = buf.indexOf("\r", this.pos);
    // past the record limit, decide with what there is, so the limit applies to the first line too
    const decide = final || buf.length - this.pos > this.maxRecordChars;
    if (cr >= 0 && (lf < 0 || cr < lf)) {
      if (cr + 1 >= buf.length && !decide) return false;
      this.nl = buf.charCodeAt(cr + 1) === LF ? "\n" : "\r";
    } else if (lf < 0 && !decide) {
      return false;
    } else {
      this.nl = "\n";
    }
    this.nlCode = this.nl.charCodeAt(0);
    return true;
  }

  private scan(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const buf = this.buf;
    if (this.nl === undefined && !this.detectLineBreak(final)) return this.waitForMore(out);
    const nlText = this.nl!;
    const crlf = nlText === "\n";
    if (this.delimiter === undefined) {
      // decided by the first line that is not empty: the header
      let from = this.pos;
      for (;;) {
        const nl = buf.indexOf(nlText, from);
        if (nl < 0 && !final && buf.length - from <= this.maxRecordChars) return this.waitForMore(out);
        const line = buf.slice(from, nl < 0 ? buf.length : nl);
        if (line.trim() !== "" || nl < 0) {
          this.setDelimiter(detectDelimiter(line));
          break;
        }
        from = nl + 1;
      }
    }
    const delimiter = this.delimiter!;
    while (this.pos < buf.length) {
      if (this.skipping !== undefined) {
        if (!this.skip()) break;
        continue;
      }
      const start = this.pos;
      const nl = buf.indexOf(nlText, start);
      if (nl < 0 && !final) break;
      const lineEnd = nl < 0 ? buf.length : nl;
      if (this.nextQuote === -2 || (this.nextQuote >= 0 && this.nextQuote < start))
        this.nextQuote = buf.indexOf('"', start);
      if (this.nextQuote < 0 || this.nextQuote >= lineEnd) {
        let end = lineEnd;
        if (crlf && end > start && buf.charCodeAt(end - 1) === CR) end -= 1;
        if (end > start) {
          const record: CsvRecord = {
            line: this.line,
            endLine: this.line,
            fields: buf.slice(start, end).split(delimiter),
          };
          if (end - start > this.maxFieldChars) this.checkFieldLengths(record);
          out.push(record);
        }
        this.line += 1;
        this.pos = lineEnd + 1;
        continue;
      }
      const record = this.scanQuoted(final);
      if (record === NEED_MORE) break;
      out.push(record);
    }
    if (this.pos > buf.length) this.pos = buf.length;
    if (!final && this.skipping === undefined && buf.length - this.pos > this.maxRecordChars) {
      out.push(this.tooLong());
    }
    return this.waitForMore(out);
  }

  /** Asks `push` to gather twice the open record's text before scanning it again. */
  private waitForMore(out: CsvRecord[]): CsvRecord[] {
    this.wantChars = 2 * (this.buf.length - this.pos);
    return out;
  }

  private checkFieldLengths(record: CsvRecord): void {
    const index = record.fields.findIndex((f) => f.length > this.maxFieldChars);
    if (index >= 0 && record.problem === undefined)
      record.problem = this.fieldTooLong(record.line, index + 1);
  }

  private fieldTooLong(line: number, column: number): CsvProblem {
    return {
      code: "read.csv_field_too_long",
      line,
      column,
      message: `expected a field of at most ${this.maxFieldChars} characters (--max-field-bytes), got a longer one; the record is not read`,
    };
  }

  /** Reports the open record as too long and skips the rest of it from where it starts. */
  private tooLong(): CsvRecord {
    const line = this.line;
    this.skipping = { quoted: false };
    this.skip();
    return {
      line,
      endLine: line,
      fields: [],
      problem: {
        code: "read.record_too_long",
        line,
        column: 1,
        message: `expected a record of at most ${this.maxRecordChars} characters (16 times --max-field-bytes), got a longer one; it is skipped to its end`,
      },
    };
  }

  /**
   * Skips text up to the end of the record being skipped: a quote toggles (so `""` does too),
   * a record break outside quotes ends it. True when it ended; else all the text is dropped.
   */
  private skip(): boolean {
    const buf = this.buf;
    const state = this.skipping!;
    for (let i = this.pos; i < buf.length; i++) {
      const c = buf.charCodeAt(i);
      if (c === QUOTE) state.quoted = !state.quoted;
      else if (c === this.nlCode) {
        this.line += 1;
        if (!state.quoted) {
          this.pos = i + 1;
          this.skipping = undefined;
          this.nextQuote = -2;
          return true;
        }
      }
    }
    this.pos = buf.length;
    return false;
  }

  /**
   * Reads one record that holds a quote, from `pos`. Returns null when the text so far ends
   * inside the record and more may come; `pos` and `line` then stay at the record's start.
   */
  private scanQuoted(final: boolean): CsvRecord | typeof NEED_MORE {
    const buf = this.buf;
    const len = buf.length;
    const d = this.delimiterCode;
    const recordStart = this.pos;
    const recordLine = this.line;
    const fields: string[] = [];
    let problem: CsvProblem | undefined;
    let i = recordStart;
    let line = recordLine;
    for (;;) {
      const column = fields.length + 1;
      if (i < len && buf.charCodeAt(i) === QUOTE) {
        const openAt = i;
        const openLine = line;
        let value = "";
        let seg = i + 1;
        for (;;) {
          const q = buf.indexOf('"', seg);
          if (q < 0 && final) return this.notClosed(fields, openAt, openLine, recordLine, column, problem);
          if (q < 0 || (q + 1 >= len && !final)) return NEED_MORE;
          line += countLines(buf, seg, q, this.nlCode);
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(seg, q + 1);
            seg = q + 2;
            continue;
          }
          value += buf.slice(seg, q);
          i = q + 1;
          break;
        }
        if (value.length > this.maxFieldChars) problem ??= this.fieldTooLong(openLine, column);
        const stop = fieldEnd(buf, i, d, this.nlCode);
        if (stop > i) {
          // text after the closing quote
          const got = JSON.stringify(buf.slice(i, Math.min(stop, i + 20)));
          if (line > openLine) {
            // The quote may be a stray one that paired with a quote lines later: report the
            // record at the line where that quote opens and read the next lines again.
            return this.resync(
              fields,
              openAt,
              openLine,
              recordLine,
              problem ?? {
                code: "read.csv_quote_invalid",
                line: openLine,
                column,
                message: `expected the quote opened here (column ${column}) to close before a delimiter or line end, got it closed on line ${line} followed by ${got}`,
              },
            );
          }
          problem ??= {
            code: "read.csv_quote_invalid",
            line,
            column,
            message: `expected a delimiter or the end of the line after the closing quote, got ${got}`,
          };
          value += buf.slice(i, stop);
        }
        fields.push(value);
        i = stop;
      } else {
        const stop = fieldEnd(buf, i, d, this.nlCode);
        const q = buf.indexOf('"', i);
        if (q >= 0 && q < stop && problem === undefined) {
          problem = {
            code: "read.csv_quote_invalid",
            line,
            column,
            message: `expected quotes only around a whole field, got one inside ${JSON.stringify(buf.slice(i, Math.min(stop, i + 40)))}`,
          };
        }
        if (stop - i > this.maxFieldChars) problem ??= this.fieldTooLong(line, column);
        fields.push(buf.slice(i, stop));
        i = stop;
      }
      // i is at a delimiter, a CR before LF, a LF, a lone CR at the end of the text, or the end
      if (i >= len || (buf.charCodeAt(i) === CR && i + 1 >= len)) {
        if (!final) return NEED_MORE;
        i = len;
      } else if (buf.charCodeAt(i) === d) {
        i += 1;
        continue;
      } else {
        i += buf.charCodeAt(i) === CR && this.nlCode === LF ? 2 : 1;
      }
      this.pos = i;
      this.line = line + 1;
      const record: CsvRecord = { line: recordLine, endLine: line, fields };
      if (problem !== undefined) record.problem = problem;
      return record;
    }
  }

  private notClosed(
    fields: string[],
    openAt: number,
    openLine: number,
    recordLine: number,
    column: number,
    earlier: CsvProblem | undefined,
  ): CsvRecord {
    // the first problem of a record is the one reported, as csv-parse stops at it
    return this.resync(
      fields,
      openAt,
      openLine,
      recordLine,
      earlier ?? {
        code: "read.csv_quote_not_closed",
        line: openLine,
        column,
        message: `expected a closing quote for the field opened here (column ${column}), got none`,
      },
    );
  }

  /** Ends the record at the line where its bad quote opens; reading resumes on the next line. */
  private resync(
    fields: string[],
    openAt: number,
    openLine: number,
    recordLine: number,
    problem: CsvProblem,
  ): CsvRecord {
    const buf = this.buf;
    const nl = buf.indexOf(this.nl ?? "\n", openAt);
    let end = nl < 0 ? buf.length : nl;
    if (this.nlCode === LF && end > openAt && buf.charCodeAt(end - 1) === CR) end -= 1;
    fields.push(buf.slice(openAt + 1, end));
    this.pos = nl < 0 ? buf.length : nl + 1;
    this.line = openLine + 1;
    this.nextQuote = -2;
    return { line: recordLine, endLine: openLine, fields, problem };
  }
}

/**
 * The end of an unquoted field: the next delimiter, the record break (`nl`: LF, or a lone CR),
 * the CR of a CRLF, or the end of the text.
 */
function fieldEnd(buf: string, from: number, delimiter: number, nl: number): number {
  for (let k = from; k < buf.length; k++) {
    const c = buf.charCodeAt(k);
    if (c === delimiter || c === nl) return k;
    if (c === CR && (k + 1 >= buf.length || buf.charCodeAt(k + 1) === LF)) return k;
  }
  return buf.length;
}

function countLines(buf: string, from: number, to: number, nl: number): number {
  let n = 0;
  for (let k = from; k < to; k++) if (buf.charCodeAt(k) === nl) n += 1;
  return n;
}
