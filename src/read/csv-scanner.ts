/** A problem in the CSV syntax of one record. */
export interface CsvProblem {
  code: "read.csv_quote_not_closed" | "read.csv_quote_invalid";
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
  /**
   * A quoted field still open after this many characters is reported as not closed where it
   * opens, and reading resumes on the next line: memory stays bounded whatever the input.
   */
  maxRecordChars?: number;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const NEED_MORE = null;

/** Decides the delimiter from a header line: `;` (Engage's convention) unless only `,` occurs. */
export function detectDelimiter(headerLine: string): ";" | "," {
  return !headerLine.includes(";") && headerLine.includes(",") ? "," : ";";
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
  private readonly maxRecordChars: number;
  /** The next quote at or after `pos` in `buf`, -1 when none, -2 when not yet searched. */
  private nextQuote = -2;

  constructor(options: CsvScannerOptions = {}) {
    this.line = options.firstLine ?? 1;
    this.maxRecordChars = options.maxRecordChars ?? 1 << 20;
    if (options.delimiter !== undefined) this.setDelimiter(options.delimiter);
  }

  /** The delimiter in use, once known. */
  get separator(): ";" | "," | undefined {
    return this.delimiter;
  }

  /** Feeds more text; returns the records completed by it. */
  push(text: string): CsvRecord[] {
    this.buf = this.pos < this.buf.length ? this.buf.slice(this.pos) + text : text;
    this.pos = 0;
    this.nextQuote = -2;
    return this.scan(false);
  }

  /** Ends the input; returns the last records. */
  end(): CsvRecord[] {
    return this.scan(true);
  }

  private setDelimiter(delimiter: ";" | ","): void {
    this.delimiter = delimiter;
    this.delimiterCode = delimiter.charCodeAt(0);
  }

  private scan(final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const buf = this.buf;
    if (this.delimiter === undefined) {
      // decided by the first line that is not empty: the header
      let from = this.pos;
      for (;;) {
        const nl = buf.indexOf("\n", from);
        if (nl < 0 && !final) return out;
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
      const start = this.pos;
      const nl = buf.indexOf("\n", start);
      if (nl < 0 && !final) break;
      const lineEnd = nl < 0 ? buf.length : nl;
      if (this.nextQuote === -2 || (this.nextQuote >= 0 && this.nextQuote < start))
        this.nextQuote = buf.indexOf('"', start);
      if (this.nextQuote < 0 || this.nextQuote >= lineEnd) {
        let end = lineEnd;
        if (end > start && buf.charCodeAt(end - 1) === CR) end -= 1;
        if (end > start)
          out.push({ line: this.line, endLine: this.line, fields: buf.slice(start, end).split(delimiter) });
        this.line += 1;
        this.pos = lineEnd + 1;
        continue;
      }
      const record = this.scanQuoted(final);
      if (record === NEED_MORE) break;
      out.push(record);
    }
    if (this.pos > buf.length) this.pos = buf.length;
    return out;
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
          const tooLong = (q < 0 ? len : q) - recordStart > this.maxRecordChars;
          if (tooLong || (q < 0 && final))
            return this.notClosed(fields, openAt, openLine, recordLine, column);
          if (q < 0 || (q + 1 >= len && !final)) return NEED_MORE;
          line += countLines(buf, seg, q);
          if (buf.charCodeAt(q + 1) === QUOTE) {
            value += buf.slice(seg, q + 1);
            seg = q + 2;
            continue;
          }
          value += buf.slice(seg, q);
          i = q + 1;
          break;
        }
        const stop = fieldEnd(buf, i, d);
        if (stop > i) {
          // text after the closing quote
          const got = JSON.stringify(buf.slice(i, Math.min(stop, i + 20)));
          if (line > openLine) {
            // The quote may be a stray one that paired with a quote lines later: report the
            // record at the line where that quote opens and read the next lines again.
            return this.resync(fields, openAt, openLine, recordLine, {
              code: "read.csv_quote_invalid",
              line: openLine,
              column,
              message: `expected the quote opened here (column ${column}) to close before a delimiter or line end, got it closed on line ${line} followed by ${got}`,
            });
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
        const stop = fieldEnd(buf, i, d);
        const q = buf.indexOf('"', i);
        if (q >= 0 && q < stop && problem === undefined) {
          problem = {
            code: "read.csv_quote_invalid",
            line,
            column,
            message: `expected quotes only around a whole field, got one inside ${JSON.stringify(buf.slice(i, Math.min(stop, i + 40)))}`,
          };
        }
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
        i += buf.charCodeAt(i) === CR ? 2 : 1;
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
  ): CsvRecord {
    return this.resync(fields, openAt, openLine, recordLine, {
      code: "read.csv_quote_not_closed",
      line: openLine,
      column,
      message: `expected a closing quote for the field opened here (column ${column}), got none`,
    });
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
    const nl = buf.indexOf("\n", openAt);
    let end = nl < 0 ? buf.length : nl;
    if (end > openAt && buf.charCodeAt(end - 1) === CR) end -= 1;
    fields.push(buf.slice(openAt + 1, end));
    this.pos = nl < 0 ? buf.length : nl + 1;
    this.line = openLine + 1;
    this.nextQuote = -2;
    return { line: recordLine, endLine: openLine, fields, problem };
  }
}

/** The end of an unquoted field: the next delimiter, the CR of a CRLF, a LF, or the end of the text. */
function fieldEnd(buf: string, from: number, delimiter: number): number {
  for (let k = from; k < buf.length; k++) {
    const c = buf.charCodeAt(k);
    if (c === delimiter || c === LF) return k;
    if (c === CR && (k + 1 >= buf.length || buf.charCodeAt(k + 1) === LF)) return k;
  }
  return buf.length;
}

function countLines(buf: string, from: number, to: number): number {
  let n = 0;
  for (let k = buf.indexOf("\n", from); k >= 0 && k < to; k = buf.indexOf("\n", k + 1)) n += 1;
  return n;
}
