/** Where full blocks of a key log go when they need not stay in memory: a file read back by offset. */
export interface SpillFile {
  /** Writes all of `bytes` at byte `position`. */
  write(bytes: Uint8Array, position: number): void;
  /** Fills all of `into` from byte `position` (the bytes were written before). */
  read(into: Uint8Array, position: number): void;
  /** Releases the file; it leaves nothing behind. */
  close(): void;
}

/** Entries in a block: 4,096 × 12 bytes = 48 KiB, written to a spill file in one call. */
export const LOG_BLOCK = 4096;
const WORDS = 3;

/**
 * The keys of an index in the order they were added: per key its 64-bit hash (two halves) and
 * its position. Appending gives the key its ordinal, by which it is read back. Blocks of
 * entries are filled in memory; with a spill file, each full block is written out and dropped,
 * so only the block being filled stays in memory and a read of an older key is one small
 * positioned read (the file's pages stay in the system's cache, outside the process). When the
 * file cannot be opened or written, the blocks from then on stay in memory: the checks need
 * more memory but still hold.
 */
export class KeyLog {
  private readonly blocks: (Uint32Array | undefined)[] = [];
  private current = new Uint32Array(LOG_BLOCK * WORDS);
  private size = 0;
  private spillFile: SpillFile | undefined;
  private readonly one = new Uint32Array(WORDS);
  private readonly oneBytes = new Uint8Array(this.one.buffer);

  /** `spill` opens the file full blocks go to; without it every block stays in memory. */
  constructor(private spill?: () => SpillFile) {}

  /** Number of entries. */
  get length(): number {
    return this.size;
  }

  /** Appends a key: its hash halves and position; returns its ordinal (0, 1, 2…). */
  append(h1: number, h2: number, position: number): number {
    const ordinal = this.size;
    const at = (ordinal % LOG_BLOCK) * WORDS;
    const block = this.current;
    block[at] = h1;
    block[at + 1] = h2;
    block[at + 2] = position;
    this.size += 1;
    if (this.size % LOG_BLOCK === 0) this.seal();
    return ordinal;
  }

  /** Reads entry `ordinal` into `out` (h1, h2, position). */
  read(ordinal: number, out: Uint32Array): void {
    const b = Math.floor(ordinal / LOG_BLOCK);
    const at = (ordinal % LOG_BLOCK) * WORDS;
    const block = b === this.blocks.length ? this.current : this.blocks[b];
    if (block !== undefined) {
      out[0] = block[at]!;
      out[1] = block[at + 1]!;
      out[2] = block[at + 2]!;
      return;
    }
    this.spillFile!.read(this.oneBytes, ordinal * WORDS * 4);
    out[0] = this.one[0]!;
    out[1] = this.one[1]!;
    out[2] = this.one[2]!;
  }

  /**
   * Reads the entries from `from` on into `out` (three words each), as many as fit or exist
   * within one block; returns how many. For reading the log through in order.
   */
  readBlock(from: number, out: Uint32Array): number {
    const b = Math.floor(from / LOG_BLOCK);
    const first = from % LOG_BLOCK;
    const inBlock = b === this.blocks.length ? this.size % LOG_BLOCK : LOG_BLOCK;
    const count = Math.max(0, Math.min(inBlock - first, Math.floor(out.length / WORDS)));
    if (count === 0) return 0;
    const block = b === this.blocks.length ? this.current : this.blocks[b];
    if (block !== undefined) {
      out.set(block.subarray(first * WORDS, (first + count) * WORDS));
    } else {
      const bytes = new Uint8Array(out.buffer, out.byteOffset, count * WORDS * 4);
      this.spillFile!.read(bytes, from * WORDS * 4);
    }
    return count;
  }

  /** Closes the spill file, if one was opened. */
  close(): void {
    this.spillFile?.close();
    this.spillFile = undefined;
  }

  /** The current block is full: write it out and reuse its memory, or keep it. */
  private seal(): void {
    const index = this.blocks.length;
    if (this.spill !== undefined) {
      const c = this.current;
      try {
        this.spillFile ??= this.spill();
        this.spillFile.write(
          new Uint8Array(c.buffer, c.byteOffset, c.byteLength),
          index * LOG_BLOCK * WORDS * 4,
        );
        this.blocks.push(undefined);
        return;
      } catch {
        // no room for the file (or none at all): what is written stays readable, the rest stays here
        this.spill = undefined;
      }
    }
    this.blocks.push(this.current);
    this.current = new Uint32Array(LOG_BLOCK * WORDS);
  }
}
