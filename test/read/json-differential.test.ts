import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJson } from "../../src/read/json-parser.js";
import { valueOf } from "../support/json-value.js";

function reference(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** JSON text, sometimes cut or with a character changed, so both valid and invalid inputs occur. */
const text = fc
  .tuple(
    fc.jsonValue({ maxDepth: 5 }),
    fc.boolean(),
    fc.option(fc.tuple(fc.nat(), fc.constantFrom("", "}", "]", ",", '"', ":", "0", "-", "\\", "\n", " "))),
  )
  .map(([value, pretty, mutation]) => {
    const json = JSON.stringify(value, null, pretty ? 2 : undefined);
    if (mutation === null) return json;
    const [at, replacement] = mutation;
    const i = at % (json.length + 1);
    return json.slice(0, i) + replacement + json.slice(i + 1);
  });

describe("the JSON reader against JSON.parse, on generated and mutated texts", () => {
  it("accepts exactly what JSON.parse accepts, with the same value", () => {
    const seen = { ok: 0, bad: 0 };
    fc.assert(
      fc.property(text, (t) => {
        const ours = parseJson(t);
        const theirs = reference(t);
        expect(ours.ok).toBe(theirs.ok);
        if (ours.ok && theirs.ok) {
          seen.ok += 1;
          expect(valueOf(ours.node)).toEqual(theirs.value);
        } else {
          seen.bad += 1;
          if (!ours.ok) expect(ours.problem.code).toBe("read.json_syntax");
        }
      }),
      { numRuns: 3000 },
    );
    expect(seen.ok).toBeGreaterThan(300);
    expect(seen.bad).toBeGreaterThan(300);
  });
});
