import { describe, expect, it } from "vitest";
import { Utf8Text } from "../../src/read/utf8-text.js";

function decodeAll(chunks: Buffer[]): { text: string; badLines: number[]; utf16: boolean } {
  const decoder = new Utf8Text();
  let text = "";
  const badLines: number[] = [];
  for (const chunk of chunks) {
    const d = decoder.decode(chunk);
    text += d.text;
    badLines.push(...d.badLines);
  }
  const end = decoder.end();
  return {
    text: text + end.text,
    badLines: [...new Set([...badLines, ...end.badLines])],
    utf16: decoder.utf16,
  };
}

describe("Utf8Text", () => {
  it("strips a UTF-8 byte order mark at the start only", () => {
    expect(decodeAll([Buffer.from("\uFEFFa\uFEFFb")]).text).toBe("a\uFEFFb");
  });

  it("strips a byte order mark split over the first chunks", () => {
    const bytes = Buffer.from("\uFEFFab");
    expect(decodeAll([bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2)]).text).toBe("ab");
  });

  it("keeps a character split between chunks whole", () => {
    const bytes = Buffer.from("ä€😀\nx");
    for (let cut = 1; cut < bytes.length; cut++) {
      const got = decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(got).toEqual({ text: "ä€😀\nx", badLines: [], utf16: false });
    }
  });

  it("names the lines that hold bytes which are not UTF-8", () => {
    const bytes = Buffer.concat([
      Buffer.from("ok\nbad "),
      Buffer.from([0xff, 0xfe]),
      Buffer.from("\nok\n"),
      Buffer.from([0xc3]),
      Buffer.from("\n"),
    ]);
    const got = decodeAll([bytes.subarray(0, 5), bytes.subarray(5, 9), bytes.subarray(9)]);
    expect(got.badLines).toEqual([2, 4]);
    expect(got.text.split("\n")[1]).toBe("bad \uFFFD\uFFFD");
  });

  it("reports a character cut off at the end of the file", () => {
    const got = decodeAll([Buffer.from([0x61, 0x0a, 0xe2, 0x82])]);
    expect(got.badLines).toEqual([2]);
  });

  it("tells a UTF-16 file by its byte order mark", () => {
    expect(decodeAll([Buffer.from([0xff, 0xfe, 0x61, 0x00])]).utf16).toBe(true);
    expect(decodeAll([Buffer.from([0xfe, 0xff, 0x00, 0x61])]).utf16).toBe(true);
  });
});
