import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ArrayElement } from "../../src/read/json-array-scanner.js";
import { parseJson, type JsonNode } from "../../src/read/json-parser.js";
import { valueOf } from "../support/json-value.js";
import { JsonArrayBytes } from "../../src/read/read-json-array.js";

/** A node as the file has it, without the offsets (a streamed element counts them from its own start). */
function view(node: JsonNode): unknown {
  const at = `${node.line}:${node.column}`;
  switch (node.type) {
    case "object":
      return {
        at,
        end: node.endLine,
        entries: node.entries.map((e) => [e.key, `${e.line}:${e.column}`, view(e.value)]),
        duplicate: node.duplicate?.key,
      };
    case "array":
      return { at, end: node.endLine, items: node.items.map(view) };
    case "number":
      return { at, raw: node.raw };
    case "null":
      return { at, null: true };
    default:
      return { at, value: node.value };
  }
}

/** Feeds the bytes to the streaming reader cut at `cuts` (byte offsets, any order). */
function stream(bytes: Buffer, cuts: readonly number[], maxElementChars?: number) {
  const reader = new JsonArrayBytes(maxElementChars);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const elements: ArrayElement[] = [];
  let from = 0;
  for (const to of [...points, bytes.length]) {
    for (const e of reader.push(bytes.subarray(from, to)).elements) elements.push(e);
    from = to;
  }
  for (const e of reader.end().elements) elements.push(e);
  return {
    elements,
    problem: reader.scanner.problem,
    notArray: reader.scanner.notArray,
  };
}

// ------------------------------------------------------------------ generated JSON text

type Value =
  | { t: "num"; raw: string }
  | { t: "str"; s: string }
  | { t: "lit"; raw: "true" | "false" | "null" }
  | { t: "arr"; items: Value[] }
  | { t: "obj"; entries: [string, Value][] };

const space = fc.constantFrom("", "", "", " ", "  ", "\n", "\r\n", "\t", "\n    ");

/** Numbers in every syntax JSON allows: sign, zero or digits, fraction, exponent of either case and sign. */
const number = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.constant("0"), fc.stringMatching(/^[1-9][0-9]{0,24}$/)),
    fc.option(fc.stringMatching(/^[0-9]{1,6}$/)),
    fc.option(
      fc.tuple(fc.constantFrom("e", "E"), fc.constantFrom("", "+", "-"), fc.stringMatching(/^[0-9]{1,3}$/)),
    ),
  )
  .map(([neg, int, frac, exp]) => ({
    t: "num" as const,
    raw: `${neg ? "-" : ""}${int}${frac === null ? "" : `.${frac}`}${exp === null ? "" : exp.join("")}`,
  }));

/** Text with escapes, surrogate pairs, lone surrogates, control characters and any Unicode. */
const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.string({
    unit: fc.constantFrom(
      '"',
      "\\",
      "/",
      "\b",
      "\f",
      "\n",
      "\r",
      "\t",
      "\u0000",
      "\u001f",
      "ä",
      "😀",
      "\ud800",
      "\udfff",
      "x",
      "[",
      "]",
      "{",
      "}",
      ",",
    ),
    maxLength: 12,
  }),
);

const { value } = fc.letrec<{ value: Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    number,
    text.map((s) => ({ t: "str" as const, s })),
    fc.constantFrom("true", "false", "null").map((raw) => ({ t: "lit" as const, raw })),
    fc.array(tie("value"), { maxLength: 4 }).map((items) => ({ t: "arr" as const, items })),
    fc
      .array(
        fc.tuple(fc.oneof(text, fc.constantFrom("externalPromotionId", "contactId", "a")), tie("value")),
        {
          maxLength: 5,
        },
      )
      .map((entries) => ({ t: "obj" as const, entries })),
  ),
}));

/** A string literal, escaped at random in one of the forms JSON allows. */
function quote(s: string, pick: () => number): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    const p = pick();
    if (code > 0xffff && p % 3 === 0) {
      const hi = 0xd800 + ((code - 0x10000) >> 10);
      const lo = 0xdc00 + ((code - 0x10000) & 0x3ff);
      out += `\\u${hi.toString(16)}\\u${lo.toString(16).toUpperCase()}`;
    } else if (p % 7 === 0 || code < 0x20 || ch === '"' || ch === "\\" || (code >= 0xd800 && code <= 0xdfff))
      out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += JSON.stringify(ch).slice(1, -1);
  }
  return `${out}"`;
}

function write(v: Value, ws: () => string, pick: () => number): string {
  switch (v.t) {
    case "num":
    case "lit":
      return v.raw;
    case "str":
      return quote(v.s, pick);
    case "arr":
      return `[${ws()}${v.items.map((i) => write(i, ws, pick)).join(`${ws()},${ws()}`)}${ws()}]`;
    case "obj":
      return `{${ws()}${v.entries.map(([k, x]) => `${quote(k, pick)}${ws()}:${ws()}${write(x, ws, pick)}`).join(`${ws()},${ws()}`)}${ws()}}`;
  }
}

/** A top-level array, mostly of objects, with white space anywhere and sometimes a BOM. */
const document = fc
  .tuple(
    fc.array(
      fc.oneof({ weight: 4, arbitrary: value.filter((v) => v.t === "obj") }, { weight: 1, arbitrary: value }),
      {
        maxLength: 8,
      },
    ),
    fc.array(space, { minLength: 64, maxLength: 64 }),
    fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
    fc.boolean(),
  )
  .map(([items, spaces, picks, bom]) => {
    let s = 0;
    let p = 0;
    const ws = () => spaces[s++ % spaces.length]!;
    const pick = () => picks[p++ % picks.length]! + p;
    return { text: write({ t: "arr", items }, ws, pick), bom };
  });

/** The text with one edit: a character removed, added or replaced, so invalid inputs of every sort occur. */
const mutated = fc
  .tuple(
    document,
    fc.option(
      fc.tuple(
        fc.nat(),
        fc.constantFrom("delete", "insert", "replace"),
        fc.constantFrom(
          "",
          "}",
          "]",
          "[",
          "{",
          ",",
          '"',
          ":",
          "0",
          "-",
          ".",
          "e",
          "\\",
          "\n",
          " ",
          "x",
          "\u0001",
          "t",
        ),
      ),
      { freq: 2 },
    ),
  )
  .map(([doc, edit]) => {
    if (edit === null) return doc;
    const [at, how, ch] = edit;
    const i = at % (doc.text.length + 1);
    const t = doc.text;
    const text =
      how === "delete"
        ? t.slice(0, i) + t.slice(i + 1)
        : how === "insert"
          ? t.slice(0, i) + ch + t.slice(i)
          : t.slice(0, i) + ch + t.slice(i + 1);
    return { text, bom: doc.bom };
  });

function reference(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

describe("the streaming JSON array reader against the whole-text parser and JSON.parse", () => {
  it("gives the same records, or the same first error at the same line and column, however the bytes are cut", () => {
    const seen = { ok: 0, bad: 0 };
    fc.assert(
      fc.property(mutated, fc.array(fc.nat(), { maxLength: 12 }), ({ text, bom }, cuts) => {
        const bytes = Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, "utf8")]);
        // lone surrogates do not survive UTF-8: compare with the text the file really holds
        const decoded = Buffer.from(text, "utf8").toString("utf8");
        const ours = stream(bytes, cuts);
        const whole = parseJson(decoded);
        const theirs = reference(decoded);
        const isArray = decoded.trimStart().startsWith("[");
        expect(ours.notArray).toBe(!isArray && decoded.trim() !== "");
        if (!isArray) return;
        expect(ours.problem === undefined).toBe(theirs.ok);
        expect(ours.problem === undefined).toBe(whole.ok);
        if (whole.ok && theirs.ok) {
          seen.ok += 1;
          if (whole.node.type !== "array") throw new Error("an array was expected");
          const values = ours.elements.map((e) => (e.type === "value" ? e.node : undefined));
          expect(values.map((n) => (n === undefined ? undefined : view(n)))).toEqual(
            whole.node.items.map(view),
          );
          expect(values.map((n) => (n === undefined ? undefined : valueOf(n)))).toEqual(theirs.value);
          // each record's text is the file's own text of it
          ours.elements.forEach((e, k) => {
            const item = whole.node.type === "array" ? whole.node.items[k]! : undefined;
            if (e.type === "value" && item !== undefined)
              expect(e.source.slice(e.node.start, e.node.end)).toBe(decoded.slice(item.start, item.end));
          });
        } else if (!whole.ok) {
          seen.bad += 1;
          const p = ours.problem!;
          expect([p.code, p.line, p.column]).toEqual([
            whole.problem.code,
            whole.problem.line,
            whole.problem.column,
          ]);
          // a message may quote a word cut by a chunk boundary differently; uncut, it is the same
          if (cuts.length === 0) expect(p.message).toBe(whole.problem.message);
        }
      }),
      { numRuns: 4000 },
    );
    expect(seen.ok).toBeGreaterThan(800);
    expect(seen.bad).toBeGreaterThan(800);
  });

  it("skips exactly the records longer than the limit, and reads the others as before", () => {
    fc.assert(
      fc.property(
        document,
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.integer({ min: 1, max: 60 }),
        (doc, cuts, limit) => {
          const whole = parseJson(doc.text);
          if (!whole.ok || whole.node.type !== "array") throw new Error("a valid array was expected");
          const ours = stream(Buffer.from(doc.text, "utf8"), cuts, limit);
          expect(ours.problem).toBeUndefined();
          expect(ours.elements.length).toBe(whole.node.items.length);
          ours.elements.forEach((e, k) => {
            const item = (whole.node.type === "array" ? whole.node.items : [])[k]!;
            if (item.end - item.start > limit)
              expect(e).toEqual({
                type: "too_long",
                line: item.line,
                column: item.column,
                endLine: item.type === "object" || item.type === "array" ? item.endLine : item.line,
              });
            else expect(e.type === "value" && view(e.node)).toEqual(view(item));
          });
        },
      ),
      { numRuns: 1500 },
    );
  });

  it("stops at the depth limit where the whole-text parser does, or at an earlier error", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 250, max: 262 }),
        fc.array(fc.constantFrom("[", '{"k":', '{"k" '), { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 8 }),
        (levels, openers, close, cuts) => {
          let text = '[{"a": 1}, ';
          for (let k = 0; k < levels; k++) text += openers[k % openers.length]!;
          if (close) text += "1";
          const whole = parseJson(text);
          if (whole.ok) throw new Error("an unclosed text was expected");
          const ours = stream(Buffer.from(text), cuts);
          const p = ours.problem!;
          expect([p.code, p.line, p.column]).toEqual([
            whole.problem.code,
            whole.problem.line,
            whole.problem.column,
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("cuts inside every multi-byte character and every escape alike", () => {
    const text = '[{"a": "ä😀\\u00e4\\ud83d\\ude00\\n\\"", "b": -1.5E+3}, "€", 1e5, true]';
    const bytes = Buffer.from(text, "utf8");
    const whole = parseJson(text);
    if (!whole.ok || whole.node.type !== "array") throw new Error("a valid array was expected");
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (const step of [1, 2, 3, 7]) {
        const cuts: number[] = [];
        for (let c = cut; c <= bytes.length; c += step) cuts.push(c);
        const ours = stream(bytes, cuts);
        expect(ours.problem).toBeUndefined();
        expect(ours.elements.map((e) => (e.type === "value" ? view(e.node) : e))).toEqual(
          whole.node.items.map(view),
        );
      }
    }
  });
});
