const K1 = 2654435761;
const K2 = 1597334677;

/**
 * A 64-bit hash of a key made of one or two texts (two are hashed as `a`, U+0000, `b`, without
 * building the joined string; `lowerB` folds ASCII capitals of `b`, for GUIDs). Two independent
 * multiply-xorshift lanes over the UTF-16 code units (the scheme of cyrb53, kept at 64 bits),
 * each finished with an avalanche mix. Writes the halves to `out`; one flat function, so the
 * engine inlines it into the probe.
 */
export function hash64(out: Uint32Array, a: string, b?: string, lowerB = false): void {
  let h1 = 0xdeadbeef ^ a.length;
  let h2 = 0x41c6ce57 ^ (b === undefined ? 0xffff : b.length);
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, K1);
    h2 = Math.imul(h2 ^ c, K2);
  }
  if (b !== undefined) {
    // the U+0000 between the two texts
    h1 = Math.imul(h1, K1);
    h2 = Math.imul(h2, K2);
    for (let i = 0; i < b.length; i++) {
      let c = b.charCodeAt(i);
      if (lowerB && c >= 65 && c <= 90) c += 32;
      h1 = Math.imul(h1 ^ c, K1);
      h2 = Math.imul(h2 ^ c, K2);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  out[0] = h1 >>> 0;
  out[1] = h2 >>> 0;
}

/** Slots of one segment: 16,384 × 12 bytes = 192 KiB, small enough to allocate and split at will. */
const SEGMENT_BITS = 14;
const SEGMENT = 1 << SEGMENT_BITS;
const SLOT_MASK = SEGMENT - 1;
/** A segment splits when it would be more than 80 % full: linear probing stays short. */
const SPLIT_AT = Math.floor(SEGMENT * 0.8);
/** The directory never needs this many bits: 2^24 segments would hold 200 billion keys. */
const MAX_DEPTH = 24;

/**
 * A set of keys, each remembered with a position (a number below 2^32 - 1, such as a line), for
 * the duplicate rules over batches of millions of rows in little memory, one probe per key.
 *
 * Keys are stored as 64-bit hashes, not as strings, in an extendible hash table: a directory
 * indexed by the top bits of the hash's first half points at fixed segments of 16,384 slots;
 * a segment that gets 80 % full splits in two on one more bit. The table so grows a segment at
 * a time, reusing the full segment in place: it never copies, or leaves for the garbage
 * collector, a large array, so memory has no peaks beyond what it holds. Within a segment,
 * linear probing over slots of 12 bytes side by side (the two hash halves and the position), so
 * a probe reads one cache line. As a uniform hash fills all segments alike, they split in the
 * same wave: segments are 40 to 80 % full, 15 to 30 bytes a key; 1,000,000 keys take 24 MB,
 * 2,000,000 keys 48 MB.
 *
 * The price is that two different keys with the same 64-bit hash count as one. For n distinct
 * keys the chance that any two collide is about n²/2^65: 1 in 9 million for 2,000,000 keys, so
 * a batch would almost never see a duplicate that is not one; a reported duplicate always
 * names the first line, so a person can check it.
 */
export class HashIndex {
  /** Segment number for each value of the hash's top `depth` bits. */
  private directory = new Int32Array(1);
  private depth = 0;
  /** Per segment, per slot three words: first half, second half, position + 1 (0: empty). */
  private readonly segments: Uint32Array[] = [new Uint32Array(SEGMENT * 3)];
  private readonly localDepth: number[] = [0];
  private readonly filled: number[] = [0];
  private scratch: Uint32Array | undefined;
  private size = 0;
  private readonly hash = new Uint32Array(2);
  /** Where the last `find` stopped at an empty slot, for `add`; -1 after a hit. */
  private emptySegment = -1;
  private emptySlot = -1;

  /** Number of keys held. */
  get count(): number {
    return this.size;
  }

  /**
   * Looks a key up: its position, or undefined when it is new, in which case `add` may follow
   * (before any other `find` on this index) to remember it.
   */
  find(a: string, b?: string, lowerB = false): number | undefined {
    hash64(this.hash, a, b, lowerB);
    const h1 = this.hash[0]!;
    const h2 = this.hash[1]!;
    const segment = this.depth === 0 ? this.directory[0]! : this.directory[h1 >>> (32 - this.depth)]!;
    const table = this.segments[segment]!;
    let s = h2 & SLOT_MASK;
    for (let probes = 0; probes < SEGMENT; probes++) {
      const i = 3 * s;
      const ref = table[i + 2]!;
      if (ref === 0) {
        this.emptySegment = segment;
        this.emptySlot = s;
        return undefined;
      }
      if (table[i] === h1 && table[i + 1] === h2) {
        this.emptySegment = -1;
        return ref - 1;
      }
      s = (s + 1) & SLOT_MASK;
    }
    // a full segment: cannot happen while segments split at 80 %
    this.emptySegment = -1;
    return undefined;
  }

  /** Remembers the key the last `find` reported new, at `position`. */
  add(position: number): void {
    const segment = this.emptySegment;
    if (segment < 0) return;
    const i = 3 * this.emptySlot;
    const table = this.segments[segment]!;
    table[i] = this.hash[0]!;
    table[i + 1] = this.hash[1]!;
    table[i + 2] = position + 1;
    this.emptySegment = -1;
    this.size += 1;
    this.filled[segment]! += 1;
    if (this.filled[segment]! > SPLIT_AT && this.localDepth[segment]! < MAX_DEPTH) this.split(segment);
  }

  /** Splits a segment on the next bit of the hash's first half into itself and a new segment. */
  private split(segment: number): void {
    const d = this.localDepth[segment]!;
    if (d === this.depth) {
      const doubled = new Int32Array(this.directory.length * 2);
      for (let i = 0; i < doubled.length; i++) doubled[i] = this.directory[i >> 1]!;
      this.directory = doubled;
      this.depth += 1;
    }
    const sibling = this.segments.length;
    this.segments.push(new Uint32Array(SEGMENT * 3));
    this.localDepth[segment] = d + 1;
    this.localDepth.push(d + 1);
    this.filled[segment] = 0;
    this.filled.push(0);
    // directory entries of this segment whose bit d (from the top) is 1 now point at the sibling
    const shift = this.depth - 1 - d;
    for (let i = 0; i < this.directory.length; i++) {
      if (this.directory[i] === segment && ((i >>> shift) & 1) === 1) this.directory[i] = sibling;
    }
    const old = this.segments[segment]!;
    const scratch = (this.scratch ??= new Uint32Array(SEGMENT * 3));
    scratch.set(old);
    old.fill(0);
    for (let i = 0; i < scratch.length; i += 3) {
      if (scratch[i + 2] === 0) continue;
      const h1 = scratch[i]!;
      const target = ((h1 >>> (31 - d)) & 1) === 1 ? sibling : segment;
      const table = this.segments[target]!;
      let s = scratch[i + 1]! & SLOT_MASK;
      while (table[3 * s + 2] !== 0) s = (s + 1) & SLOT_MASK;
      table[3 * s] = h1;
      table[3 * s + 1] = scratch[i + 1]!;
      table[3 * s + 2] = scratch[i + 2]!;
      this.filled[target]! += 1;
    }
  }
}
