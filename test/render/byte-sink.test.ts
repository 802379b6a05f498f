import { describe, expect, it } from "vitest";
import { ByteSink } from "../../src/render/byte-sink.js";

describe("ByteSink", () => {
  it("collects strings as UTF-8, growing past its first size", () => {
    const sink = new ByteSink(64);
    const parts: string[] = [];
    for (let i = 0; i < 20_000; i += 1) {
      const part = `row ${i} é 😀 ${"x".repeat(i % 7)}\n`;
      parts.push(part);
      sink.write(part);
    }
    expect(sink.bytes().toString("utf8")).toBe(parts.join(""));
    expect(sink.nextSize).toBeGreaterThan(sink.bytes().length);
  });

  it("holds nothing before the first write", () => {
    expect(new ByteSink().bytes().length).toBe(0);
  });

  it("writes into a buffer it is given, and hands that buffer back as its storage", () => {
    const given = Buffer.alloc(32, 0x2a);
    const sink = new ByteSink(given);
    sink.write("abc");
    expect(sink.bytes().toString()).toBe("abc");
    expect(sink.storage).toBe(given);
    expect(given.subarray(0, 4).toString()).toBe("abc*");
    sink.write("x".repeat(40));
    expect(sink.bytes().toString()).toBe(`abc${"x".repeat(40)}`);
    expect(sink.storage).not.toBe(given);
  });
});
