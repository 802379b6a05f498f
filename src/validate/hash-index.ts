const K1 = 2654435761;
const K2 = 1597334677;

function fold(text: string, h: Uint32Array, lowerAscii: boolean): void {
  let h1 = h[0]!;
  let h2 = h[1]!;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (lowerAscii && c >= 65 && c <= 90) c += 32;
    h1 = Math.imul(h1 ^ c, K1);
    h2 = Math.imul(h2 ^ c, K2);
  }
  h[0] = h1;
  h[1] = h2;
}

function finish(h: Uint32Array): void {
  let h1 = h[0]!;
  let h2 = h[1]!;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  h[0] = h1 >>> 0;
  h[1] = h2 >>> 0;
}

/**
 * A 64-bit hash of a key made of one or two texts (two are hashed as `a`, U+0000, `b`, without
 * building the joined string; `lowerB` folds ASCII capitals of `b`, for GUIDs). Two independent
 * multiply-xorshift lanes over the UTF-16 code units (the scheme of cyrb53, kept at 64 bits),
 * each finished with an avalanche mix. Writes the halves to `out`.
 */
export function hash64(out: Uint32Array, a: string, b?: string, lowerB = false): void {
  out[0] = 0xdeadbeef ^ a.length;
  out[1] = 0x41c6ce57 ^ (b?.length ?? 0xffff);
  fold(a, out, false);
  if (b !== undefined) {
    fold("\0", out, false);
    fold(b, out, lowerB);
  }
  finish(out);
}

/** Most keys a table holds before it grows by half: linear probing stays short at 80 %. */
const MAX_LOAD = 0.8;
const TWO_32 = 4294967296;

/**
 * A set of keys, each remembered with a position (a number below 2^32 - 1, such as a line), for
 * the duplicate rules over batches of millions of rows in little memory, one probe per key.
 *
 * Keys are stored as 64-bit hashes, not as strings. One open-addressing table (linear probing,
 * at most 80 % full, growing by half) holds per slot the two hash halves and the position,
 * 12 bytes, side by side so a probe reads one cache line: 15 to 23 bytes a key, so
 * 1,000,000 keys take at most 23 MB and 2,000,000 at most 45 MB.
 *
 * The price is that two different keys with the same 64-bit hash count as one. For n distinct
 * keys the chance that any two collide is about n²/2^65: 1 in 9 million for 2,000,000 keys, so
 * a batch would almost never see a duplicate that is not one; a reported duplicate always
 * names the first line, so a person can check it.
 */
export class HashIndex {
  /** Per slot three words: low half, high half, position + 1 (0: the slot is empty). */
  private table: Uint32Array;
  private capacity: number;
  private size = 0;
  private readonly hash = new Uint32Array(2);
  /** The empty slot the last `find` stopped at, for `add`; -1 after a hit. */
  private emptySlot = -1;

  constructor(initialSlots = 1 << 12) {
    this.capacity = initialSlots;
    this.table = new Uint32Array(initialSlots * 3);
  }

  /** Number of keys held. */
  get count(): number {
    return this.size;
  }

  private home(lo: number): number {
    // multiply-shift range reduction: any capacity, uses the hash's high bits
    return Math.min(Math.floor((lo / TWO_32) * this.capacity), this.capacity - 1);
  }

  /**
   * Looks a key up: its position, or undefined when it is new, in which case `add` may follow
   * (before any other `find` on this index) to remember it.
   */
  find(a: string, b?: string, lowerB = false): number | undefined {
    hash64(this.hash, a, b, lowerB);
    const lo = this.hash[0]!;
    const hi = this.hash[1]!;
    const table = this.table;
    const capacity = this.capacity;
    for (let s = this.home(lo); ; s = s + 1 === capacity ? 0 : s + 1) {
      const i = 3 * s;
      const ref = table[i + 2]!;
      if (ref === 0) {
        this.emptySlot = s;
        return undefined;
      }
      if (table[i] === lo && table[i + 1] === hi) {
        this.emptySlot = -1;
        return ref - 1;
      }
    }
  }

  /** Remembers the key the last `find` reported new, at `position`. */
  add(position: number): void {
    if (this.emptySlot < 0) return;
    const i = 3 * this.emptySlot;
    this.table[i] = this.hash[0]!;
    this.table[i + 1] = this.hash[1]!;
    this.table[i + 2] = position + 1;
    this.emptySlot = -1;
    this.size += 1;
    if (this.size > this.capacity * MAX_LOAD) this.grow();
  }

  private grow(): void {
    const old = this.table;
    this.capacity = Math.ceil(this.capacity * 1.5);
    const table = new Uint32Array(this.capacity * 3);
    const capacity = this.capacity;
    for (let i = 0; i < old.length; i += 3) {
      if (old[i + 2] === 0) continue;
      let s = this.home(old[i]!);
      while (table[3 * s + 2] !== 0) s = s + 1 === capacity ? 0 : s + 1;
      table[3 * s] = old[i]!;
      table[3 * s + 1] = old[i + 1]!;
      table[3 * s + 2] = old[i + 2]!;
    }
    this.table = table;
  }
}
