import { randomBytes } from "node:crypto";
import { writeSync } from "node:fs";
import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";
import { basename, dirname, join } from "node:path";
import { EngageError } from "../core/errors.js";

/** Where parsed records go: written in pieces, then committed (or discarded on failure). */
export interface RecordOutput {
  write(text: string): Promise<void>;
  /** Writes bytes at once (a buffer the caller reuses on return); not mixed with `write`. */
  writeBytes(bytes: Uint8Array): void;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

function failed(display: string, error: unknown): EngageError {
  const code = (error as NodeJS.ErrnoException).code ?? "error";
  return new EngageError(
    "output_failed",
    "parse.output_failed",
    `--out ${display}: cannot be written (${code})`,
    { cause: error },
  );
}

/**
 * Opens an output file under a temporary name in the same folder and renames it into place on
 * commit, so a reader never sees half a file and a failed run leaves the old file as it was.
 */
export async function openRecordFile(path: string, display: string): Promise<RecordOutput> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  let handle: FileHandle;
  try {
    handle = await open(temp, "wx");
  } catch (error) {
    throw failed(display, error);
  }
  // One write may run while the next batch is parsed; the next write waits for it.
  let inFlight: Promise<unknown> = Promise.resolve();
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    async write(text) {
      if (text === "") return;
      try {
        await inFlight;
      } catch (error) {
        throw failed(display, error);
      }
      inFlight = handle.write(text);
      // Marked handled here; the failure is thrown by the next write or by commit.
      inFlight.catch(() => undefined);
    },
    writeBytes(bytes) {
      try {
        for (let at = 0; at < bytes.length;) at += writeSync(handle.fd, bytes, at);
      } catch (error) {
        throw failed(display, error);
      }
    },
    async commit() {
      try {
        await inFlight;
        await close();
        await rename(temp, path);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw failed(display, error);
      }
    },
    async discard() {
      await inFlight.catch(() => undefined);
      await close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
    },
  };
}

/** Output to the command's stdout (a pipe or file: Node writes those synchronously). */
export function stdoutOutput(write: (text: string) => void): RecordOutput {
  // Bytes may end inside a character: the decoder keeps its start for the next ones.
  const decoder = new StringDecoder("utf8");
  return {
    write: async (text) => {
      if (text !== "") write(text);
    },
    writeBytes(bytes) {
      const text = decoder.write(bytes);
      if (text !== "") write(text);
    },
    commit: async () => undefined,
    discard: async () => undefined,
  };
}
