import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { KeyLog, LOG_BLOCK, type SpillFile } from "../../src/validate/key-log.js";
import { openSpillFile } from "../../src/validate/spill-file.js";
import { makeTempDir } from "../support/temp-dir.js";

const dir = makeTempDir("engage-key-log-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A spill file that counts what goes through it. */
function countingSpill(): { open: () => SpillFile; writes: number; reads: number; closed: boolean } {
  const stats = {
    writes: 0,
    reads: 0,
    closed: false,
    open: (): SpillFile => {
      const file = openSpillFile(dir);
      return {
        write(bytes, position) {
          stats.writes += 1;
          file.write(bytes, position);
        },
        read(into, position) {
          stats.reads += 1;
          file.read(into, position);
        },
        close() {
          stats.closed = true;
          file.close();
        },
      };
    },
  };
  return stats;
}

/** Appends the entries with ordinals from `from` to `to` (not included), each made of its ordinal. */
function fill(log: KeyLog, from: number, to: number): void {
  for (let i = from; i < to; i++) expect(log.append(i * 7 + 1, i ^ 0xabcdef, i + 2)).toBe(i);
}

describe("KeyLog", () => {
  it("reads back each entry by its ordinal, across blocks, without a spill file", () => {
    const log = new KeyLog();
    fill(log, 0, LOG_BLOCK * 2 + 5);
    const out = new Uint32Array(3);
    for (const ordinal of [0, LOG_BLOCK - 1, LOG_BLOCK, 2 * LOG_BLOCK + 4]) {
      log.read(ordinal, out);
      expect([...out]).toEqual([ordinal * 7 + 1, ordinal ^ 0xabcdef, ordinal + 2]);
    }
    expect(log.length).toBe(LOG_BLOCK * 2 + 5);
  });

  it("writes each full block to the spill file and reads older entries back from it", () => {
    const spill = countingSpill();
    const log = new KeyLog(spill.open);
    fill(log, 0, LOG_BLOCK - 1);
    expect(spill.writes).toBe(0);
    fill(log, LOG_BLOCK - 1, LOG_BLOCK * 3 + 10);
    expect(spill.writes).toBe(3);
    const out = new Uint32Array(3);
    log.read(LOG_BLOCK + 17, out);
    expect([...out]).toEqual([(LOG_BLOCK + 17) * 7 + 1, (LOG_BLOCK + 17) ^ 0xabcdef, LOG_BLOCK + 19]);
    expect(spill.reads).toBe(1);
    // the block being filled is read from memory
    log.read(LOG_BLOCK * 3 + 9, out);
    expect(out[2]).toBe(LOG_BLOCK * 3 + 11);
    expect(spill.reads).toBe(1);
    log.close();
    expect(spill.closed).toBe(true);
  });

  it("keeps blocks in memory when the spill file cannot be opened", () => {
    const log = new KeyLog(() => {
      throw new Error("no temporary folder");
    });
    fill(log, 0, LOG_BLOCK * 2 + 1);
    const out = new Uint32Array(3);
    log.read(5, out);
    expect([...out]).toEqual([36, 5 ^ 0xabcdef, 7]);
    log.close();
  });

  it("keeps blocks in memory from the first write that fails, reading older ones from the file", () => {
    const spill = countingSpill();
    let writes = 0;
    const log = new KeyLog(() => {
      const file = spill.open();
      return {
        ...file,
        write(bytes, position) {
          writes += 1;
          if (writes > 1) throw new Error("no space left on device");
          file.write(bytes, position);
        },
      };
    });
    fill(log, 0, LOG_BLOCK * 3 + 2);
    const out = new Uint32Array(3);
    for (const ordinal of [3, LOG_BLOCK + 3, 2 * LOG_BLOCK + 3, 3 * LOG_BLOCK + 1]) {
      log.read(ordinal, out);
      expect(out[2]).toBe(ordinal + 2);
    }
    expect(spill.reads).toBe(1);
    expect(writes).toBe(2);
    log.close();
    expect(spill.closed).toBe(true);
  });

  it("reads the log through a block at a time, from the file and from memory", () => {
    const spill = countingSpill();
    const log = new KeyLog(spill.open);
    fill(log, 0, LOG_BLOCK + 3);
    const block = new Uint32Array(LOG_BLOCK * 3);
    const seen: number[] = [];
    for (let from = 0; from < log.length;) {
      const n = log.readBlock(from, block);
      for (let k = 0; k < n; k++) seen.push(block[3 * k + 2]! - 2);
      from += n;
    }
    expect(seen).toEqual(Array.from({ length: LOG_BLOCK + 3 }, (_, i) => i));
    expect(log.readBlock(log.length, block)).toBe(0);
    log.close();
  });
});

describe("openSpillFile", () => {
  it("leaves no name in the folder, even while open, and reads back what it wrote", () => {
    const sub = mkdtempSync(join(dir, "spill-"));
    const file = openSpillFile(sub);
    expect(readdirSync(sub)).toEqual([]);
    file.write(new Uint8Array([1, 2, 3, 4, 5]), 100);
    const back = new Uint8Array(3);
    file.read(back, 101);
    expect([...back]).toEqual([2, 3, 4]);
    expect(() => file.read(new Uint8Array(10), 100)).toThrow(/shorter than written/);
    file.close();
    file.close();
    expect(readdirSync(sub)).toEqual([]);
  });

  it("fails as output_failed, naming the folder, when it cannot create the file", () => {
    expect(() => openSpillFile(join(dir, "no-such-folder"))).toThrow(
      expect.objectContaining({ kind: "output_failed", code: "validate.spill_failed" }),
    );
    expect(() => openSpillFile(join(dir, "no-such-folder"))).toThrow(/no-such-folder/);
  });
});
