import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { hash64, HashIndex } from "../../src/validate/hash-index.js";
import { KeyLog } from "../../src/validate/key-log.js";
import { openSpillFile } from "../../src/validate/spill-file.js";
import { makeTempDir } from "../support/temp-dir.js";

const dir = makeTempDir("engage-hash-index-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Adds keys `CODE-from` … `CODE-(to - 1)` at their numbers; returns how many `find` already knew. */
function addCodes(index: HashIndex, from: number, to: number): number {
  let known = 0;
  for (let i = from; i < to; i++) {
    if (index.find(`CODE-${i}`) !== undefined) known += 1;
    index.add(i);
  }
  return known;
}

/** How many of `CODE-from` … `CODE-(to - 1)` are not found at their numbers. */
function misplaced(index: HashIndex, from: number, to: number): number {
  let wrong = 0;
  for (let i = from; i < to; i++) if (index.find(`CODE-${i}`) !== i) wrong += 1;
  return wrong;
}

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

  it("takes about 4.4 bytes a key when told the count: 1,000,000 keys in a table of under 4.5 MB", () => {
    const index = new HashIndex();
    index.reserve(1_000_000);
    const before = index.tableBytes;
    expect(addCodes(index, 0, 1_000_000)).toBe(0);
    expect(index.tableBytes).toBe(before);
    expect(index.tableBytes).toBeLessThan(4_500_000);
    expect(misplaced(index, 0, 1_000_000)).toBe(0);
  });

  it("tells keys with the same tag apart by their full hash in the log", () => {
    // 11-bit tags among 1,000,000 keys: thousands of lookups meet a slot with their tag
    const read = vi.spyOn(KeyLog.prototype, "read");
    const index = new HashIndex();
    index.reserve(1_000_000);
    expect(addCodes(index, 0, 300_000)).toBe(0);
    expect(read.mock.calls.length).toBeGreaterThan(100);
    expect(index.find("CODE-300000")).toBeUndefined();
    read.mockRestore();
  });

  it("grows past the count it was told, and starts a new level when ordinals outgrow one", () => {
    const index = new HashIndex({ levelKeys: 4096 });
    index.reserve(3000);
    expect(addCodes(index, 0, 20_000)).toBe(0);
    expect(index.count).toBe(20_000);
    expect(misplaced(index, 0, 20_000)).toBe(0);
    expect(index.find("CODE-20000")).toBeUndefined();
  });

  it("keeps its keys in a spill file that has no name, and reads first positions back from it", () => {
    const spillDir = mkdtempSync(join(dir, "spill-"));
    const index = new HashIndex({ spill: () => openSpillFile(spillDir) });
    index.reserve(50_000);
    expect(addCodes(index, 0, 50_000)).toBe(0);
    expect(readdirSync(spillDir)).toEqual([]);
    expect(index.find("CODE-17")).toBe(17);
    expect(index.find("CODE-49999")).toBe(49_999);
    expect(misplaced(index, 0, 50_000)).toBe(0);
    index.close();
  });

  it("does not remember a key again once it was found", () => {
    const index = new HashIndex();
    index.find("a");
    index.add(1);
    expect(index.find("a")).toBe(1);
    index.add(2);
    expect(index.find("a")).toBe(1);
    expect(index.count).toBe(1);
  });
});
