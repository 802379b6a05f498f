import { readSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { SFTPWrapper, Stats } from "ssh2";
import { countMoved } from "./collect-buffers.js";

/**
 * Writes kept in flight per file: eight of ~255 KiB fill the SSH channel window (2 MiB at
 * OpenSSH), which bounds the bytes in flight on a long link anyway; more would only wait in
 * memory. A rename never queues behind them: it goes out before the next file's writes.
 */
export const WRITE_WINDOW = 8;

/**
 * Writes kept in flight on a short link (a round trip under SHORT_LINK_MS): 1 MiB covers a
 * round trip of 5 ms at 200 MB/s, and of 10 ms at 100 MB/s. More only piles up in the server:
 * OpenSSH's sshd holds what its SFTP process has not taken yet in a buffer it grows by copying,
 * so a 2 MiB backlog on a new connection stalls the first file by ~200 ms over loopback.
 */
export const SHORT_LINK_WINDOW = 4;

/**
 * The round trip (ms) below which a link counts as short: a LAN answers within a millisecond,
 * and loopback within a few on a busy machine (the server's answer waits for a free core).
 */
export const SHORT_LINK_MS = 10;

/**
 * Writes kept in flight on a near link (a round trip under NEAR_LINK_MS): 510 KiB still covers
 * 170 MB/s at 3 ms. Even a 1 MiB backlog made sshd grow its buffer for the first files of a
 * connection: over loopback the first write was answered after ~60 ms, against ~30 ms with two
 * in flight, and the five first files took 140 against 100 ms, the later ones the same.
 */
export const NEAR_LINK_WINDOW = 2;

/** The round trip (ms) below which a link counts as near: loopback, or a quiet LAN. */
export const NEAR_LINK_MS = 3;

/**
 * The writes to keep in flight for a round trip `roundTripMs` (the quickest small request of
 * the session so far): the whole channel window on a long link or before anything is known.
 */
export function writeWindowFor(roundTripMs: number | undefined): number {
  if (roundTripMs === undefined || roundTripMs >= SHORT_LINK_MS) return WRITE_WINDOW;
  return roundTripMs < NEAR_LINK_MS ? NEAR_LINK_WINDOW : SHORT_LINK_WINDOW;
}

/**
 * Reads kept in flight per file: half the channel window, so that a lost connection catches at
 * most ~1 MiB of a download on its way, and a delete's answer never waits behind more.
 */
export const READ_WINDOW = 4;

/** The request size when the server does not state its limits (the SFTP minimum every server takes). */
const FALLBACK_CHUNK = 32 * 1024;

/** The largest write and read the server accepts in one request (limits@openssh.com), if known. */
function requestLimit(sftp: SFTPWrapper, which: "_maxWriteLen" | "_maxReadLen"): number | undefined {
  const value = (sftp as unknown as Record<string, unknown>)[which];
  return typeof value === "number" && value > 0 ? value : undefined;
}

/** A callback-style library call as a promise. */
export function promised<T>(
  start: (done: (error: Error | undefined | null, value?: T) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, value) => {
      if (error) reject(error);
      else resolve(value as T);
    });
  });
}

/** Opens a remote file; the handle is an opaque server token. */
export function openRemote(sftp: SFTPWrapper, path: string, mode: "r" | "w"): Promise<Buffer> {
  return promised<Buffer>((done) => sftp.open(path, mode, done));
}

/** Closes a remote handle. */
export function closeRemote(sftp: SFTPWrapper, handle: Buffer): Promise<void> {
  return promised<void>((done) => sftp.close(handle, done));
}

/** Progress of one transfer: `touch` keeps the stall deadline away, `onBytes` feeds progress. */
export interface TransferProgress {
  touch(): void;
  onBytes: ((n: number) => void) | undefined;
  /** Called once every request of the transfer is sent, before the answers are in. */
  onSent?: (() => void) | undefined;
  /**
   * Runs `send`, which hands one request to the library, so that the packets it makes reach the
   * socket as one write (a 255 KiB write is eight SSH packets, each its own system call otherwise).
   */
  batch?: ((send: () => void) => void) | undefined;
}

/** A counter of requests in flight that a loop can wait on. */
function inFlightGate(): { wait(): Promise<void>; wake(): void } {
  let waiting: (() => void) | undefined;
  return {
    wait: () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
      }),
    wake: () => {
      const w = waiting;
      waiting = undefined;
      w?.();
    },
  };
}

/**
 * Writes a local file to an open remote handle and closes it: the file is read in
 * request-sized chunks and up to `window` writes are in flight, always sent in offset order
 * (as OpenSSH's client does), so a server that handles requests one after the other writes the
 * bytes in order. Right behind the last write go a size query on the handle and the close, so
 * the server answers all three in one round trip. Returns the size the server reports for the
 * file once every write is acknowledged; the first refused write, or a refused close, fails it.
 */
export async function sendFile(
  sftp: SFTPWrapper,
  handle: Buffer,
  source: FileHandle,
  progress: TransferProgress,
  window = WRITE_WINDOW,
): Promise<number> {
  const limit = requestLimit(sftp, "_maxWriteLen");
  // The library copies the data into its packet before write() returns (as long as a request
  // is not split, which the limit rules out): one buffer serves every chunk.
  const size = limit ?? FALLBACK_CHUNK;
  const shared = limit === undefined ? undefined : Buffer.allocUnsafe(size);
  const gate = inFlightGate();
  let inFlight = 0;
  let failure: Error | undefined;
  let position = 0;
  try {
    for (;;) {
      const chunk = shared ?? Buffer.allocUnsafe(size);
      // Read on this thread: a rendered file is in the page cache, where 255 KiB comes back in
      // about 50 µs, while a read on the thread pool costs a hand-off and a promise per chunk
      // (4 % of a loopback upload). A file read from disk holds the loop for one read, with the
      // window's writes still in flight.
      const bytesRead = readSync(source.fd, chunk, 0, size, position);
      if (bytesRead === 0) break;
      while (inFlight >= window && failure === undefined) await gate.wait();
      if (failure !== undefined) break;
      inFlight += 1;
      const at = position;
      const send = (): void =>
        sftp.write(handle, chunk, 0, bytesRead, at, (error?: Error | null) => {
          inFlight -= 1;
          if (error) failure ??= error;
          else {
            progress.touch();
            progress.onBytes?.(bytesRead);
            countMoved(bytesRead);
          }
          gate.wake();
        });
      if (progress.batch) progress.batch(send);
      else send();
      position += bytesRead;
    }
  } catch (error) {
    failure ??= error as Error;
  }
  const stat = promised<Stats>((done) => sftp.fstat(handle, done));
  const closed = closeRemote(sftp, handle);
  stat.catch(() => undefined);
  closed.catch(() => undefined);
  if (failure === undefined) progress.onSent?.();
  while (inFlight > 0) await gate.wait();
  if (failure !== undefined) throw failure;
  const { size: written } = await stat;
  await closed;
  return written;
}

/** One read to make: `length` bytes at `position`. */
interface Span {
  position: number;
  length: number;
}

/** What `receiveFile` did. */
export interface Received {
  /** The size of the local file: the end of the last byte written. */
  bytes: number;
  /** Reads were sent after `onPlanned` was called (the file was not the size expected). */
  late: boolean;
}

/**
 * Reads an open remote handle into a local file with up to READ_WINDOW reads in flight, each
 * written at its own offset. `expected` (the size the listing showed) plans the reads, with one
 * more at that end whose "end of file" answer confirms the size; `onPlanned` is called once all
 * of those are sent, so that a request made there reaches the server right behind them. The
 * file is read to its end whatever its size turns out to be: a short read asks again for the
 * rest, and reads go on past `expected` while data keeps coming.
 */
export async function receiveFile(
  sftp: SFTPWrapper,
  handle: Buffer,
  target: FileHandle,
  expected: number,
  progress: TransferProgress,
  onPlanned?: () => void,
): Promise<Received> {
  const size = requestLimit(sftp, "_maxReadLen") ?? FALLBACK_CHUNK;
  const spans: Span[] = [];
  for (let p = 0; p < expected; p += size) spans.push({ position: p, length: Math.min(size, expected - p) });
  let tail = Math.max(0, expected);
  spans.push({ position: tail, length: size });
  tail += size;

  const free: Buffer[] = [];
  const gate = inFlightGate();
  let busy = 0;
  let failure: Error | undefined;
  let end = Infinity;
  let written = 0;
  let planned = false;
  let late = false;
  const buffers = Math.min(READ_WINDOW, spans.length);
  for (let i = 0; i < buffers; i++) free.push(Buffer.allocUnsafe(size));

  const finished = (buffer: Buffer): void => {
    busy -= 1;
    free.push(buffer);
    gate.wake();
  };
  const start = (span: Span, buffer: Buffer): void => {
    busy += 1;
    if (planned) late = true;
    sftp.read(handle, buffer, 0, span.length, span.position, (error, bytesRead) => {
      if (error) {
        failure ??= error;
        finished(buffer);
        return;
      }
      if (bytesRead === 0) {
        end = Math.min(end, span.position);
        finished(buffer);
        return;
      }
      progress.touch();
      progress.onBytes?.(bytesRead);
      countMoved(bytesRead);
      if (bytesRead < span.length)
        spans.unshift({ position: span.position + bytesRead, length: span.length - bytesRead });
      else if (span.position + span.length === tail) {
        // The file goes on past what was planned: read further.
        spans.push({ position: tail, length: size });
        tail += size;
      }
      target.write(buffer, 0, bytesRead, span.position).then(
        ({ bytesWritten }) => {
          if (bytesWritten !== bytesRead)
            failure ??= new Error(`short write (${bytesWritten} of ${bytesRead} bytes)`);
          written = Math.max(written, span.position + bytesRead);
          finished(buffer);
        },
        (writeError: Error) => {
          failure ??= writeError;
          finished(buffer);
        },
      );
    });
  };

  for (;;) {
    while (failure === undefined && spans.length > 0 && free.length > 0) {
      const span = spans.shift()!;
      if (span.position >= end) continue;
      start(span, free.pop()!);
    }
    if (!planned && spans.length === 0) {
      planned = true;
      onPlanned?.();
    }
    if (failure !== undefined || spans.every((s) => s.position >= end)) {
      if (busy === 0) break;
    }
    await gate.wait();
  }
  if (failure !== undefined) throw failure;
  return { bytes: written, late };
}
