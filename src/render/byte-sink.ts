// Copying many small strings into a buffer one by one costs more in call overhead than in bytes;
// joining them into a string of about this size first, then copying once, was ~3× faster here.
const PENDING_CHARS = 16 * 1024;

/**
 * A growable UTF-8 byte buffer. Rendered rows are copied in soon after they are made, so the
 * short-lived strings die young and a chunk of 20,000 rows lives as one block of bytes outside
 * the JavaScript heap instead of as 20,000 retained strings for the garbage collector to trace.
 */
export class ByteSink {
  private buffer: Buffer;
  private used = 0;
  private pending = "";

  constructor(initialBytes = 1 << 20) {
    this.buffer = Buffer.allocUnsafe(Math.max(64, initialBytes));
  }

  /** Appends a string (as UTF-8). */
  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= PENDING_CHARS) this.copyPending();
  }

  /** The bytes written so far (a view: the sink must not be written to afterwards). */
  bytes(): Buffer {
    this.copyPending();
    return this.buffer.subarray(0, this.used);
  }

  /** The capacity reached, a good first size for the next sink of the same kind. */
  get capacity(): number {
    return this.buffer.length;
  }

  private copyPending(): void {
    if (this.pending === "") return;
    // A UTF-16 code unit never takes more than three UTF-8 bytes.
    const worst = this.pending.length * 3;
    if (this.used + worst > this.buffer.length) this.grow(this.used + worst);
    this.used += this.buffer.write(this.pending, this.used, "utf8");
    this.pending = "";
  }

  private grow(needed: number): void {
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buffer.copy(next, 0, 0, this.used);
    this.buffer = next;
  }
}
