import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createUtf8Check, firstInvalidUtf8 } from "../../src/parse/utf8-text.js";

// The check hands on whole characters only (what the XML reader is given), so each piece is
// decoded here on its own: one that ended inside a character would throw.
function decodeInPieces(bytes: Uint8Array, cuts: number[]): { text: string; error?: string } {
  const utf8 = createUtf8Check();
  const decode = (piece: Uint8Array): string =>
    new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(piece);
  let text = "";
  let from = 0;
  for (const cut of [...cuts.filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b), bytes.length]) {
    const part = utf8.check(bytes.subarray(from, cut));
    for (const piece of part.pieces) text += decode(piece);
    if (part.error !== undefined) return { text, error: part.error };
    from = cut;
  }
  const rest = utf8.end();
  return rest.error === undefined ? { text } : { text, error: rest.error };
}

describe("checking export bytes as UTF-8", () => {
  it("decodes any text the same however the bytes are cut", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 40 }),
        fc.array(fc.nat(200), { maxLength: 8 }),
        (text, cuts) => {
          const bytes = new TextEncoder().encode(text);
          expect(decodeInPieces(bytes, cuts)).toEqual({ text });
        },
      ),
    );
  });

  it("hands a byte order mark on as it is, wherever it stands (the XML reader skips a leading one)", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xef, 0xbb, 0xbf]);
    expect(decodeInPieces(bytes, [1, 2, 5])).toEqual({ text: "\uFEFFa\uFEFF" });
  });

  it("stops at the first byte that is not UTF-8 and hands on the bytes before it", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("Gå "), 0xe4, 0x6c, 0x6c]);
    expect(decodeInPieces(bytes, [])).toEqual({
      text: "Gå ",
      error: "byte 0xE4 is not valid UTF-8 here: export files must be UTF-8",
    });
  });

  it("finds the bad byte when a sequence begun in one chunk breaks in the next", () => {
    // 0xE2 0x82 starts "€" (E2 82 AC); 0x41 cannot continue it.
    const bytes = new Uint8Array([0x61, 0xe2, 0x82, 0x41]);
    for (const cut of [1, 2, 3]) {
      expect(decodeInPieces(bytes, [cut])).toEqual({
        text: "a",
        error: "byte 0xE2 is not valid UTF-8 here: export files must be UTF-8",
      });
    }
  });

  it("reports a file that ends inside a sequence", () => {
    expect(decodeInPieces(new Uint8Array([0x61, 0xe2, 0x82]), [2])).toEqual({
      text: "a",
      error: "the file ends inside a UTF-8 sequence (0xE2 0x82): export files must be UTF-8",
    });
  });

  it("agrees with the platform decoder on where bytes stop being UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        const index = firstInvalidUtf8(bytes);
        let platformOk = true;
        try {
          new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: true });
        } catch {
          platformOk = false;
        }
        expect(index === -1).toBe(platformOk);
        if (index >= 0) {
          // Everything before the index is valid on its own.
          expect(() =>
            new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, index), { stream: true }),
          ).not.toThrow();
        }
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ["an overlong slash", [0xc0, 0xaf]],
    ["a surrogate", [0xed, 0xa0, 0x80]],
    ["a code point past U+10FFFF", [0xf4, 0x90, 0x80, 0x80]],
    ["a lone continuation byte", [0x80]],
  ])("refuses %s", (_, bytes) => {
    expect(firstInvalidUtf8(new Uint8Array([0x61, ...bytes]))).toBe(1);
  });
});
