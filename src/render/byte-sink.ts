// Strings are gathered and copied into the buffer a batch at a time: copying many short strings
// one by one, or a long string grown by `+=`, cost several times as much here as joining an
// array of them. Batches stay under V8's large-object size (128 KiB), where each joined string
// would be a fresh mapping of its own: at 256K characters a million rows took 2.6 times the page
// faults and half again the system time.
const BATCH_CHARS = 64 * 1024;

/**
 * A growable UTF-8 byte buffer. Rendered rows are copied in soon after they are made, so a
 * chunk of 20,000 rows lives as one block of bytes outside the JavaScript heap instead of as
 * 20,000 retained strings for the garbage collector to trace.
 */
export class ByteSink {
  private buffer: Buffer;
  private used = 0;
  private pending: string[] = [];
  private pendingChars = 0;

  /** Starts with room for `initial` bytes, or in the given buffer (its content is overwritten). */
  constructor(initial: number | Buffer = 1 << 20) {
    this.buffer = Buffer.isBuffer(initial) ? initial : Buffer.allocUnsafe(Math.max(64, initial));
  }

  /** Appends a string (as UTF-8). */
  write(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= BATCH_CHARS) this.copyPending();
  }

  /** The bytes written so far (a view: the sink must not be written to afterwards). */
  bytes(): Buffer {
    this.copyPending();
    return this.buffer.subarray(0, this.used);
  }

  /** The whole buffer the bytes are in, to reuse once they have been written out. */
  get storage(): Buffer {
    return this.buffer;
  }

  /** A good first size for the next sink of the same kind: what this one needed, and a little more. */
  get nextSize(): number {
    return this.used + (this.used >> 3) + 65_536;
  }

  private copyPending(): void {
    if (this.pending.length === 0) return;
    const text = this.pending.join("");
    this.pending = [];
    this.pendingChars = 0;
    // A UTF-16 code unit never takes more than three UTF-8 bytes.
    const worst = text.length * 3;
    if (this.used + worst > this.buffer.length) this.grow(this.used + worst);
    this.used += this.buffer.write(text, this.used, "utf8");
  }

  private grow(needed: number): void {
    let size = Math.max(this.buffer.length * 2, 64);
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }
}
