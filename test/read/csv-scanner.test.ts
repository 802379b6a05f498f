import { describe, expect, it } from "vitest";
import { CsvScanner, detectDelimiter, type CsvRecord } from "../../src/read/csv-scanner.js";

/** Scans `text` fed in pieces of `step` characters (whole when 0). */
function scan(
  text: string,
  step = 0,
  options: ConstructorParameters<typeof CsvScanner>[0] = {},
): CsvRecord[] {
  const scanner = new CsvScanner(options);
  const out: CsvRecord[] = [];
  if (step <= 0) out.push(...scanner.push(text));
  else for (let i = 0; i < text.length; i += step) out.push(...scanner.push(text.slice(i, i + step)));
  out.push(...scanner.end());
  return out;
}

const fields = (records: CsvRecord[]) => records.map((r) => r.fields);

describe("detectDelimiter", () => {
  it("keeps the semicolon by default and when both occur", () => {
    expect(detectDelimiter("a;b;c")).toBe(";");
    expect(detectDelimiter("a;b,c")).toBe(";");
    expect(detectDelimiter("single")).toBe(";");
  });

  it("detects a comma header", () => {
    expect(detectDelimiter("a,b,c")).toBe(",");
  });
});

describe("CsvScanner", () => {
  it("splits semicolon records and numbers their physical lines", () => {
    const records = scan("h1;h2\na;b\nc;d\n");
    expect(fields(records)).toEqual([
      ["h1", "h2"],
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(records.map((r) => [r.line, r.endLine])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it("detects a comma delimiter from the first line", () => {
    expect(fields(scan("h1,h2\na,b"))).toEqual([
      ["h1", "h2"],
      ["a", "b"],
    ]);
  });

  it("strips CR of CRLF line ends and reads a last line without a line end", () => {
    expect(fields(scan("a;b\r\nc;d\r\ne;f"))).toEqual([
      ["a", "b"],
      ["c", "d"],
      ["e", "f"],
    ]);
  });

  it("skips empty lines but counts them", () => {
    const records = scan("h\n\na\r\n\r\nb\n");
    expect(fields(records)).toEqual([["h"], ["a"], ["b"]]);
    expect(records.map((r) => r.line)).toEqual([1, 3, 5]);
  });

  it("reads quoted fields with delimiters, doubled quotes and line breaks, at their first line", () => {
    const records = scan('h;i\n"a;1";"say ""hi"""\n"multi\nline";x\r\n"crlf\r\ninside";y\nlast;z\n');
    expect(fields(records)).toEqual([
      ["h", "i"],
      ["a;1", 'say "hi"'],
      ["multi\nline", "x"],
      ["crlf\r\ninside", "y"],
      ["last", "z"],
    ]);
    expect(records.map((r) => [r.line, r.endLine])).toEqual([
      [1, 1],
      [2, 2],
      [3, 4],
      [5, 6],
      [7, 7],
    ]);
  });

  it("gives the same records whatever the chunk boundaries", () => {
    const text = 'h;i\r\n"a;1";"say ""hi"""\r\n"multi\r\nline";x\r\nplain;"end"';
    const whole = scan(text);
    for (const step of [1, 2, 3, 5, 7]) expect(scan(text, step)).toEqual(whole);
  });

  it("keeps an empty last field after a trailing delimiter", () => {
    expect(fields(scan("a;b;\n'x';;"))).toEqual([
      ["a", "b", ""],
      ["'x'", "", ""],
    ]);
  });

  it("reports an unclosed quote at the line where it opens and reads the next lines again", () => {
    const records = scan('h;i\nok;1\nbad;"open\nnext;2\nlast;3\n');
    expect(fields(records)).toEqual([
      ["h", "i"],
      ["ok", "1"],
      ["bad", "open"],
      ["next", "2"],
      ["last", "3"],
    ]);
    const bad = records[2]!;
    expect(bad.problem).toMatchObject({ code: "read.csv_quote_not_closed", line: 3, column: 2 });
    expect(bad.problem?.message).toContain("expected a closing quote");
    expect(records[3]!.line).toBe(4);
  });

  it("reports a stray quote that pairs with one lines later at its own line, and rereads those lines", () => {
    const records = scan('h;i;j\n1;"foo;bar\n2;x;y\n3;"z";w\n');
    expect(records[1]).toMatchObject({
      line: 2,
      problem: { code: "read.csv_quote_invalid", line: 2, column: 2 },
    });
    expect(fields(records).slice(2)).toEqual([
      ["2", "x", "y"],
      ["3", "z", "w"],
    ]);
    expect(records.slice(2).map((r) => r.line)).toEqual([3, 4]);
  });

  it("reports a quote inside an unquoted field", () => {
    const [, record] = scan('h;i\n10" screen;x\n');
    expect(record!.problem).toMatchObject({ code: "read.csv_quote_invalid", line: 2, column: 1 });
    expect(record!.fields).toEqual(['10" screen', "x"]);
  });

  it("reports text after a closing quote on the same line", () => {
    const [, record] = scan('h;i\n"ab"c;x\n');
    expect(record!.problem).toMatchObject({ code: "read.csv_quote_invalid", line: 2, column: 1 });
    expect(record!.fields).toEqual(["abc", "x"]);
  });

  it("reads a quoted field of many lines up to the limit whole, whatever the chunks", () => {
    const long = "line\n".repeat(2000);
    for (const step of [0, 7, 4096]) {
      const records = scan(`h;i\na;"${long}"\nb;c\n`, step, { maxFieldChars: 20_000 });
      expect(records.map((r) => [r.line, r.problem?.code])).toEqual([
        [1, undefined],
        [2, undefined],
        [2003, undefined],
      ]);
      expect(records[1]!.fields).toEqual(["a", long]);
    }
  });

  it("reports a quoted field past the limit once for its record and never reads its lines as records", () => {
    const long = "line\n".repeat(2000);
    const records = scan(`h;i\na;"${long}"\nb;c\n`, 100, { maxFieldChars: 1000 });
    expect(records.map((r) => [r.line, r.problem?.code, r.problem?.column])).toEqual([
      [1, undefined, undefined],
      [2, "read.csv_field_too_long", 2],
      [2003, undefined, undefined],
    ]);
    expect(records[2]!.fields).toEqual(["b", "c"]);
  });

  it("skips a record past the record limit to its end, in bounded memory, as one issue", () => {
    const long = "x\n".repeat(5000);
    const records = scan(`h;i\na;"${long}"\nb;c\n`, 64, { maxFieldChars: 100, maxRecordChars: 1000 });
    expect(records.map((r) => [r.line, r.problem?.code])).toEqual([
      [1, undefined],
      [2, "read.record_too_long"],
      [5003, undefined],
    ]);
    expect(records[2]!.fields).toEqual(["b", "c"]);
  });

  it("reads one long line without a line break in linear time and skips it past the limit", () => {
    const scanner = new CsvScanner({ maxFieldChars: 1 << 20 });
    const chunk = "y".repeat(1 << 16);
    const out: CsvRecord[] = scanner.push("h;i\n");
    const started = Date.now();
    for (let i = 0; i < 1600; i++) for (const r of scanner.push(chunk)) out.push(r); // 100 MiB
    for (const r of scanner.push("\nb;c\n")) out.push(r);
    for (const r of scanner.end()) out.push(r);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out.map((r) => [r.line, r.problem?.code])).toEqual([
      [1, undefined],
      [2, "read.record_too_long"],
      [3, undefined],
    ]);
  });

  it("skips a file that is one line past the limit, with no line break at all, as one record", () => {
    const scanner = new CsvScanner({ maxFieldChars: 1000, maxRecordChars: 10_000 });
    const out: CsvRecord[] = [];
    for (let i = 0; i < 1000; i++) for (const r of scanner.push("z;".repeat(500))) out.push(r);
    for (const r of scanner.end()) out.push(r);
    expect(out.map((r) => [r.line, r.problem?.code])).toEqual([[1, "read.record_too_long"]]);
  });

  it("keeps the first of two quote problems in one record, with its code and column", () => {
    const [, record] = scan('h;i;j\na"b;"c\n');
    expect(record!.problem).toMatchObject({ code: "read.csv_quote_invalid", line: 2, column: 1 });
  });

  it("accepts a closing quote as the last character of the text", () => {
    expect(fields(scan('a;"b"'))).toEqual([["a", "b"]]);
  });
});

describe("CsvScanner's record breaks", () => {
  it("reads CR-only line endings as line breaks", () => {
    for (const step of [0, 1, 3]) {
      const records = scan('h;i\ra;b\r"c\rd";e\r', step);
      expect(records.map((r) => [r.line, r.fields])).toEqual([
        [1, ["h", "i"]],
        [2, ["a", "b"]],
        [3, ["c\rd", "e"]],
      ]);
    }
  });

  it("reads a lone CR at the end of the file as the end of the last record", () => {
    expect(fields(scan("h;i\na;b\r"))).toEqual([
      ["h", "i"],
      ["a", "b"],
    ]);
    expect(fields(scan('h;i\na;"b"\r'))).toEqual([
      ["h", "i"],
      ["a", "b"],
    ]);
  });
});

describe("detectDelimiter, counting outside quotes", () => {
  it("takes comma when the header holds more commas than semicolons", () => {
    expect(detectDelimiter('a,"b;c",d')).toBe(",");
    expect(detectDelimiter("a,b;c,d")).toBe(",");
    expect(detectDelimiter('a;"b,c,d";e')).toBe(";");
  });
});

describe("CsvScanner's delimiter", () => {
  it("is decided by the first line that is not empty", () => {
    const records = new CsvScanner().push("\r\n\na,b\nc,d\n");
    expect(records.map((r) => [r.line, r.fields])).toEqual([
      [3, ["a", "b"]],
      [4, ["c", "d"]],
    ]);
  });
});
