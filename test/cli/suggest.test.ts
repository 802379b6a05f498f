import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { editDistance, nearest, unknownFlags } from "../../src/cli/suggest.js";

const COMMANDS = ["validate", "render", "upload", "run", "fetch", "parse", "diff", "schema"];

describe("suggestions for slips", () => {
  it("counts a swap of two letters as one edit", () => {
    expect(editDistance("fromat", "format")).toBe(1);
    expect(editDistance("valdate", "validate")).toBe(1);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("finds the command one slip away from every command", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...COMMANDS.filter((c) => c.length >= 5)),
        fc.nat(),
        fc.constantFrom("drop", "swap", "double"),
        (command, at, how) => {
          const i = at % (command.length - 1);
          const typo =
            how === "drop"
              ? command.slice(0, i) + command.slice(i + 1)
              : how === "double"
                ? command.slice(0, i) + command[i]! + command.slice(i)
                : command.slice(0, i) + command[i + 1]! + command[i]! + command.slice(i + 2);
          if (typo === command) return;
          expect(nearest(typo, COMMANDS)).toBe(command);
        },
      ),
    );
  });

  it("suggests nothing for a word far from every candidate, or equally near two", () => {
    expect(nearest("frobnicate", COMMANDS)).toBeUndefined();
    expect(nearest("max", ["max-per-file", "max-rejects"])).toBeUndefined();
  });

  it("knows the flags a command takes in kebab-case, camelCase and negated form", () => {
    const options = {
      "max-per-file": { type: "number" },
      progress: { type: "boolean" },
      quiet: { type: "boolean", alias: "q" },
    } as const;
    expect(
      unknownFlags(
        ["--max-per-file=3", "--maxPerFile", "3", "--no-progress", "-q", "--qiet", "--", "--x"],
        options,
      ),
    ).toEqual(["qiet"]);
  });
});
