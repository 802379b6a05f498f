import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { escapeXmlText, findInvalidXmlChar, formatCodePoint } from "../../src/render/escape-xml.js";

describe("escapeXmlText", () => {
  it("leaves plain text, quotes and apostrophes as they are", () => {
    expect(escapeXmlText(`Spring 20% "off" it's`, "f")).toBe(`Spring 20% "off" it's`);
  });

  it("escapes ampersand, less-than and greater-than (so ]]> never appears)", () => {
    expect(escapeXmlText("a & b < c > d ]]>", "f")).toBe("a &amp; b &lt; c &gt; d ]]&gt;");
  });

  it("writes CR as a character reference so a parser does not turn it into LF", () => {
    expect(escapeXmlText("a\r\nb\rc", "f")).toBe("a&#13;\nb&#13;c");
  });

  it("keeps tab, LF, emoji, right-to-left text and combining marks as they are", () => {
    const text = "tab\there\nnew 😀 שלום e\u0301 \u{10FFFD}";
    expect(escapeXmlText(text, "f")).toBe(text);
  });

  it.each([
    ["NUL", "a\u0000", 0x0, 2],
    ["vertical tab", "ab\u000b", 0xb, 3],
    ["unit separator", "\u001f", 0x1f, 1],
    ["lone high surrogate", "😀x\ud83d", 0xd83d, 3],
    ["lone low surrogate", "\ude00", 0xde00, 1],
    ["U+FFFE", "x\ufffe", 0xfffe, 2],
    ["U+FFFF", "\uffff", 0xffff, 1],
  ])(
    "refuses %s with an internal error naming field, character and position",
    (_, text, codePoint, position) => {
      expect(findInvalidXmlChar(text)).toEqual({ codePoint, position });
      let thrown: unknown;
      try {
        escapeXmlText(text, "heading");
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(EngageError);
      expect(thrown).toMatchObject({ kind: "internal", code: "render.invalid_xml_char" });
      expect((thrown as Error).message).toContain(
        `heading: character ${formatCodePoint(codePoint)} at position ${position}`,
      );
    },
  );

  it("accepts the edges of the allowed ranges", () => {
    for (const c of [
      "\u0009",
      "\u000a",
      "\u000d",
      "\u0020",
      "\ud7ff",
      "\ue000",
      "\ufffd",
      "\u{10000}",
      "\u{10ffff}",
    ]) {
      expect(findInvalidXmlChar(c)).toBeUndefined();
    }
  });
});
