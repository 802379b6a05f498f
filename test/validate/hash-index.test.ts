import { describe, expect, it } from "vitest";
import { hash64, HashIndex } from "../../src/validate/hash-index.js";

describe("HashIndex", () => {
  it("remembers where a key was first seen, and only when added", () => {
    const index = new HashIndex();
    expect(index.find("a")).toBeUndefined();
    expect(index.find("b")).toBeUndefined();
    index.add(7);
    expect(index.find("a")).toBeUndefined();
    expect(index.find("b")).toBe(7);
    expect(index.count).toBe(1);
  });

  it("keeps every key through growth, with no false duplicates among 200,000 keys", () => {
    const index = new HashIndex();
    let seenBefore = 0;
    for (let i = 0; i < 200_000; i++) {
      if (index.find(`CODE-${i}`) !== undefined) seenBefore += 1;
      index.add(i);
    }
    expect(seenBefore).toBe(0);
    expect(index.count).toBe(200_000);
    let wrong = 0;
    for (let i = 0; i < 200_000; i++) if (index.find(`CODE-${i}`) !== i) wrong += 1;
    expect(wrong).toBe(0);
    expect(index.find("CODE-200000")).toBeUndefined();
  });

  it("keys a pair without joining the texts, folding ASCII capitals of the second when asked", () => {
    const index = new HashIndex();
    index.find("P", "abc-DEF", true);
    index.add(1);
    expect(index.find("P", "ABC-def", true)).toBe(1);
    expect(index.find("P", "ABC-def")).toBeUndefined();
    expect(index.find("Pa", "bc-def", true)).toBeUndefined();
  });

  it("hashes to 64 bits that differ for close keys", () => {
    const a = new Uint32Array(2);
    const b = new Uint32Array(2);
    hash64(a, "SPRING-26-0000001");
    hash64(b, "SPRING-26-0000002");
    expect(a[0]).not.toBe(b[0]);
    expect(a[1]).not.toBe(b[1]);
  });
});
