import { describe, expect, it } from "vitest";
import { parseJson, type JsonNode } from "../../src/read/json-parser.js";

function ok(text: string, firstLine = 1): JsonNode {
  const result = parseJson(text, firstLine);
  if (!result.ok) throw new Error(`unexpected: ${result.problem.message}`);
  return result.node;
}

function problem(text: string) {
  const result = parseJson(text);
  if (result.ok) throw new Error("expected a syntax error");
  return result.problem;
}

describe("parseJson", () => {
  it("keeps number tokens as their source text", () => {
    const node = ok("[1E5, 12345678901234567890, -0.50, 0, 1e-7, 2.5E+3]");
    expect(node.type === "array" && node.items.map((n) => (n.type === "number" ? n.raw : null))).toEqual([
      "1E5",
      "12345678901234567890",
      "-0.50",
      "0",
      "1e-7",
      "2.5E+3",
    ]);
  });

  it("gives each value its line and column", () => {
    const node = ok('[\n  {"a": "x",\n   "b": [true, null]}\n]');
    if (node.type !== "array") throw new Error("array expected");
    const record = node.items[0]!;
    expect(record).toMatchObject({ type: "object", line: 2, column: 3, endLine: 3 });
    if (record.type !== "object") throw new Error("object expected");
    expect(record.entries.map((e) => [e.key, e.line, e.column, e.value.line, e.value.column])).toEqual([
      ["a", 2, 4, 2, 9],
      ["b", 3, 4, 3, 9],
    ]);
  });

  it("counts lines from the given first line", () => {
    expect(ok('{"a": 1}', 42)).toMatchObject({ line: 42, column: 1 });
  });

  it("decodes escapes, including surrogate pairs and lone surrogates", () => {
    const node = ok('"a\\"b\\\\c\\/\\n\\t\\u00e4\\ud83d\\ude00\\ud800"');
    expect(node.type === "string" && node.value).toBe('a"b\\c/\n\tä😀\ud800');
  });

  it("marks the first duplicate key of an object", () => {
    const node = ok('{"a": 1, "b": 2, "a": 3}');
    expect(node.type === "object" && node.duplicate).toMatchObject({ key: "a", line: 1, column: 18 });
  });

  it.each([
    ["[1, 2\n  3]", 2, 3, 'expected "," or "]"'],
    ['{"a": 1,}', 1, 9, "expected a key in double quotes"],
    ["[1,]", 1, 4, 'expected a value after ","'],
    ['{"a" 1}', 1, 6, 'expected ":"'],
    ['["open', 1, 2, "closing quote"],
    ['["line\nbreak"]', 1, 7, "a line break inside a string"],
    ["[00123]", 1, 2, "leading zeros"],
    ["[1.]", 1, 4, 'after "."'],
    ["[1e]", 1, 4, "exponent"],
    ["[-]", 1, 3, 'after "-"'],
    ["[tru]", 1, 2, "expected a JSON value"],
    ['{"a": 1}\n{"b": 2}', 2, 1, "end of the file"],
    ["", 1, 1, "got the end of the file"],
    ['["\\x"]', 1, 3, "expected an escape"],
    ['["\\u12G4"]', 1, 3, "four hex digits"],
  ])("reports %j at line %i, column %i", (text, line, column, message) => {
    const p = problem(text);
    expect([p.line, p.column]).toEqual([line, column]);
    expect(p.message).toContain(message);
  });

  it("refuses nesting deeper than it can follow, without exhausting the stack", () => {
    const p = problem("[".repeat(100_000));
    expect(p).toMatchObject({ code: "read.json_depth", line: 1, column: 257 });
    expect(p.message).toContain("256 levels of nested");
  });

  it("accepts exactly 256 levels and reports the 257th with its own code", () => {
    expect(parseJson("[".repeat(256) + "]".repeat(256)).ok).toBe(true);
    expect(problem('{"a":'.repeat(257) + "1" + "}".repeat(257)).code).toBe("read.json_depth");
  });

  it("reports a key given twice among 100,000 keys, in linear time", () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `"k${i}": 1`);
    keys.push('"k5": 2');
    const started = Date.now();
    const parsed = parseJson(`{${keys.join(",")}}`);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(parsed.ok && parsed.node.type === "object" && parsed.node.duplicate?.key).toBe("k5");
  });
});
