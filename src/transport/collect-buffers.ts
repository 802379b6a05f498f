import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Bytes moved over SFTP between two young-generation collections (see `countMoved`). */
export const COLLECT_EVERY_BYTES = 4 * 1024 * 1024;

type Collect = (options: { type: "minor" }) => void;

let collector: Collect | null | undefined;
let nextAt = COLLECT_EVERY_BYTES;
let moved = 0;

/** The engine's collector, exposed once; null where the engine refuses to expose it. */
function minorCollector(): Collect | null {
  if (collector !== undefined) return collector;
  try {
    setFlagsFromString("--expose-gc");
    const gc: unknown = runInNewContext("gc");
    collector = typeof gc === "function" ? (gc as Collect) : null;
  } catch {
    collector = null;
  }
  return collector;
}

/**
 * Counts `bytes` moved over SFTP, and runs a young-generation collection every
 * COLLECT_EVERY_BYTES. The SSH library allocates a new buffer for every request and every
 * packet, twice the bytes sent, and the engine frees them only once some 64 MB of them are held.
 * Each of those buffers then lands on pages the process touches for the first time, a page fault
 * every 4 KiB (12 to 18 µs each on a virtual machine): a tenth of a 100 MB upload's time, and
 * 30 MB of resident memory. Collected every 4 MiB, the buffers are freed while they are few and
 * the allocator hands the same pages out again. One collection takes about a millisecond, since
 * little else lives in the young generation: about 1 % of the time at 50 MB/s.
 */
export function countMoved(bytes: number): void {
  moved += bytes;
  if (moved < nextAt) return;
  nextAt = moved + COLLECT_EVERY_BYTES;
  minorCollector()?.({ type: "minor" });
}
