import { KeyLog, LOG_BLOCK, type SpillFile } from "./key-log.js";

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

/** Slots in a bucket: four words of 32 bits, side by side, so a bucket is read in one go. */
const SLOTS = 4;
/**
 * A slot holds a key's ordinal within its level in the low bits (as many as the level's
 * capacity needs, at most 24) and a tag, the top bits of the hash's second half, above them
 * (at least 8 bits; 11 for a level of 1,000,000 keys).
 */
const MAX_ORDINAL_BITS = 24;
/** A table is sized to be this full when it holds the keys it is sized for… */
const TARGET_LOAD = 0.9;
/** …and is rebuilt larger when it gets fuller than this (buckets of four keep cuckoo hashing sure up to about 95 %). */
const MAX_LOAD = 0.95;
const MIN_BUCKETS = 64;
/** Moves of one insertion before the table counts as too full. */
const MAX_KICKS = 500;
/** A bucket comes from the top 27 bits of a hash: exact in floating point for up to 2^26 buckets. */
const BUCKET_SCALE = 2 ** -27;

/** One table: the keys whose ordinals fall in [base, base + levelKeys). */
interface Level {
  base: number;
  buckets: number;
  table: Uint32Array;
  ordinalBits: number;
  count: number;
}

export interface HashIndexOptions {
  /** Opens the file that full blocks of the key log are written to; without it they stay in memory. */
  spill?: (() => SpillFile) | undefined;
  /** Keys per level (at most 2^24); smaller only to test the change of level. */
  levelKeys?: number;
}

function bucketsFor(keys: number): number {
  return Math.max(MIN_BUCKETS, Math.ceil(keys / (SLOTS * TARGET_LOAD)));
}

function bucketOf(h: number, buckets: number): number {
  return Math.floor((h >>> 5) * buckets * BUCKET_SCALE);
}

/** The other bucket of a key in `bucket` with `tag`: the two add up to a number the tag picks. */
function otherBucket(tag: number, bucket: number, buckets: number): number {
  let x = Math.imul(tag, 0x9e3779b1);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  const other = bucketOf(x >>> 0, buckets) - bucket;
  return other < 0 ? other + buckets : other;
}

function tagOf(h2: number, ordinalBits: number): number {
  return h2 >>> ordinalBits || 1;
}

/**
 * A set of keys, each remembered with a position (a number below 2^32, such as a line), for
 * the duplicate rules over batches of millions of rows in little memory, one probe per key.
 *
 * A key is its 64-bit hash. The hashes and positions go to a log in the order keys are added
 * (`KeyLog`: with a spill file, all but its last 48 KiB are on disk). In memory is only a
 * cuckoo hash table of 4 bytes a key: the key's ordinal in the log and, in the bits left, a
 * tag taken from the hash, in one of two buckets of four slots that the hash picks. A lookup
 * reads its two buckets; a slot with the same tag is confirmed by reading the key's full hash
 * from the log (for 1,000,000 keys, 11-bit tags: about 1 lookup in 400). Sized for the keys
 * announced with `reserve`, the table is 90 % full when they are all in: 1,000,000 keys take
 * 4.4 MB. Without an announcement, or beyond it, it is rebuilt from the log with room for half
 * as many keys again; ordinals past 2^24 start a new table (a level) next to the full one.
 *
 * Two different keys with the same 64-bit hash count as one. For n distinct keys the chance
 * that any two collide is about n²/2^65: 1 in 9 million for 2,000,000 keys, so a batch would
 * almost never see a duplicate that is not one; a reported duplicate always names the first
 * line, so a person can check it.
 */
export class HashIndex {
  private readonly log: KeyLog;
  private readonly levels: Level[] = [];
  private readonly levelKeys: number;
  private readonly hash = new Uint32Array(2);
  private readonly entry = new Uint32Array(3);
  /** True when the last `find` found nothing, so `add` may remember its key. */
  private pending = false;
  /** Keys announced in all (0: none). */
  private expected = 0;
  private random = 0x2545f491;

  constructor(options: HashIndexOptions = {}) {
    this.log = new KeyLog(options.spill);
    this.levelKeys = Math.min(options.levelKeys ?? 1 << MAX_ORDINAL_BITS, 1 << MAX_ORDINAL_BITS);
    this.levels.push(this.newLevel(0, MIN_BUCKETS));
  }

  /** Number of keys held. */
  get count(): number {
    return this.log.length;
  }

  /** Bytes the tables take in memory (the log's last block aside). */
  get tableBytes(): number {
    let bytes = 0;
    for (const level of this.levels) bytes += level.table.byteLength;
    return bytes;
  }

  /** Announces about how many keys will be added in all, so the table is sized once for them. */
  reserve(keys: number): void {
    if (!(keys > this.expected)) return;
    this.expected = keys;
    const level = this.levels[this.levels.length - 1]!;
    const want = Math.min(this.levelKeys, keys - level.base);
    if (want > level.buckets * SLOTS * TARGET_LOAD) this.rebuild(level, want);
  }

  /**
   * Looks a key up: its position, or undefined when it is new, in which case `add` may follow
   * (before any other `find` on this index) to remember it.
   */
  find(a: string, b?: string, lowerB = false): number | undefined {
    hash64(this.hash, a, b, lowerB);
    const h1 = this.hash[0]!;
    const h2 = this.hash[1]!;
    for (const level of this.levels) {
      const tag = tagOf(h2, level.ordinalBits);
      const b1 = bucketOf(h1, level.buckets);
      const b2 = otherBucket(tag, b1, level.buckets);
      const found =
        this.probe(level, b1, tag, h1, h2) ?? (b2 === b1 ? undefined : this.probe(level, b2, tag, h1, h2));
      if (found !== undefined) {
        this.pending = false;
        return found;
      }
    }
    this.pending = true;
    return undefined;
  }

  /** Remembers the key the last `find` reported new, at `position`. */
  add(position: number): void {
    if (!this.pending) return;
    this.pending = false;
    const h1 = this.hash[0]!;
    const h2 = this.hash[1]!;
    const ordinal = this.log.append(h1, h2, position);
    let level = this.levels[this.levels.length - 1]!;
    if (ordinal - level.base >= this.levelKeys) {
      const rest = this.expected > ordinal ? this.expected - ordinal : 0;
      level = this.newLevel(ordinal, bucketsFor(Math.min(this.levelKeys, rest)));
      this.levels.push(level);
    }
    level.count += 1;
    const bits = level.ordinalBits;
    const word = ((tagOf(h2, bits) << bits) | (ordinal - level.base)) >>> 0;
    if (
      level.count > level.buckets * SLOTS * MAX_LOAD ||
      !this.place(level, bucketOf(h1, level.buckets), word)
    ) {
      this.rebuild(level, Math.min(this.levelKeys, Math.ceil(level.count * 1.5)));
    }
  }

  /** Closes the log's spill file; the index is not used after. */
  close(): void {
    this.log.close();
  }

  private newLevel(base: number, buckets: number): Level {
    const level: Level = { base, buckets: 0, table: new Uint32Array(0), ordinalBits: 0, count: 0 };
    this.resize(level, buckets);
    return level;
  }

  private resize(level: Level, buckets: number): void {
    level.buckets = buckets;
    level.table = new Uint32Array(buckets * SLOTS);
    level.ordinalBits = Math.min(MAX_ORDINAL_BITS, Math.ceil(Math.log2(buckets * SLOTS)));
  }

  /** The position of the key (h1, h2) if one of the bucket's slots holds it. */
  private probe(level: Level, bucket: number, tag: number, h1: number, h2: number): number | undefined {
    const table = level.table;
    const bits = level.ordinalBits;
    const start = bucket * SLOTS;
    for (let i = start; i < start + SLOTS; i++) {
      const word = table[i]!;
      // slots fill from the first and are never emptied: the first empty one ends the bucket
      if (word === 0) return undefined;
      if (word >>> bits !== tag) continue;
      this.log.read(level.base + (word & ((1 << bits) - 1)), this.entry);
      if (this.entry[0] === h1 && this.entry[1] === h2) return this.entry[2];
    }
    return undefined;
  }

  /**
   * Puts a slot word in its bucket or its other one, moving keys to their other buckets as
   * needed; false when the table is too full (the word in hand then is lost: the caller rebuilds).
   */
  private place(level: Level, bucket: number, word: number): boolean {
    const { table, buckets, ordinalBits: bits } = level;
    if (putIn(table, bucket, word)) return true;
    let b = otherBucket(word >>> bits, bucket, buckets);
    if (putIn(table, b, word)) return true;
    let carried = word;
    for (let kick = 0; kick < MAX_KICKS; kick++) {
      let r = this.random;
      r ^= r << 13;
      r ^= r >>> 17;
      r ^= r << 5;
      this.random = r;
      const i = b * SLOTS + (r & (SLOTS - 1));
      const moved = table[i]!;
      table[i] = carried;
      carried = moved;
      b = otherBucket(carried >>> bits, b, buckets);
      if (putIn(table, b, carried)) return true;
    }
    return false;
  }

  /** Builds the level's table anew, for at least `keys` keys, from the log. */
  private rebuild(level: Level, keys: number): void {
    let buckets = bucketsFor(Math.max(keys, level.count));
    const block = new Uint32Array(LOG_BLOCK * 3);
    for (;;) {
      this.resize(level, buckets);
      const bits = level.ordinalBits;
      let ok = true;
      for (let ordinal = level.base; ok && ordinal < this.log.length;) {
        const n = this.log.readBlock(ordinal, block);
        for (let k = 0; k < n; k++) {
          const word = ((tagOf(block[3 * k + 1]!, bits) << bits) | (ordinal + k - level.base)) >>> 0;
          if (!this.place(level, bucketOf(block[3 * k]!, buckets), word)) {
            ok = false;
            break;
          }
        }
        ordinal += n;
      }
      if (ok) return;
      buckets = Math.ceil(buckets * 1.25);
    }
  }
}

function putIn(table: Uint32Array, bucket: number, word: number): boolean {
  const start = bucket * SLOTS;
  for (let i = start; i < start + SLOTS; i++) {
    if (table[i] === 0) {
      table[i] = word;
      return true;
    }
  }
  return false;
}
