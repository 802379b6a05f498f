import { randomBytes } from "node:crypto";
import { constants, createWriteStream } from "node:fs";
import { access, rename, stat, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { EngageError } from "../core/errors.js";

/** Joins small report chunks into pieces of about `size` characters, so writes stay few. */
export function* batchChunks(chunks: Iterable<string>, size = 1 << 16): Generator<string> {
  let buffer = "";
  for (const chunk of chunks) {
    buffer += chunk;
    if (buffer.length >= size) {
      yield buffer;
      buffer = "";
    }
  }
  if (buffer !== "") yield buffer;
}

function failure(path: string, error: unknown): EngageError {
  const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new EngageError(
    "output_failed",
    "diff.report_unwritable",
    `--out ${path}: report cannot be written (${code})`,
    { cause: error },
  );
}

/**
 * Checks, before any work, that the folder of `--out` exists and can be written, so a long
 * reconciliation does not end in a report it cannot write.
 */
export async function checkReportFolder(out: string, cwd: string): Promise<void> {
  const folder = dirname(resolve(cwd, out));
  try {
    if (!(await stat(folder)).isDirectory())
      throw Object.assign(new Error("not a folder"), { code: "ENOTDIR" });
    await access(folder, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new EngageError(
      "output_failed",
      "diff.report_unwritable",
      `--out ${out}: its folder cannot be written (${code})`,
    );
  }
}

/**
 * Writes a report to `fullPath` under a temporary name in the same folder, honouring
 * backpressure, then renames it into place: a reader never sees half a report, and a failed
 * run leaves the previous report as it was.
 */
export async function writeReportFile(
  chunks: Iterable<string>,
  fullPath: string,
  displayPath: string,
): Promise<number> {
  const temp = join(
    dirname(fullPath),
    `.${basename(fullPath)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  const stream = createWriteStream(temp, { flags: "wx" });
  let failed: unknown;
  stream.on("error", (error) => {
    failed ??= error;
  });
  let bytes = 0;
  try {
    await new Promise<void>((ok, ko) => {
      stream.once("open", () => ok());
      stream.once("error", ko);
    });
    for (const piece of batchChunks(chunks)) {
      if (failed !== undefined) break;
      bytes += Buffer.byteLength(piece);
      if (!stream.write(piece)) {
        await new Promise<void>((ok) => {
          const done = () => {
            stream.off("drain", done);
            stream.off("error", done);
            ok();
          };
          stream.on("drain", done);
          stream.on("error", done);
        });
      }
    }
    await new Promise<void>((ok, ko) => {
      if (failed !== undefined) return ko(failed);
      stream.end((error?: Error | null) => (error ? ko(error) : ok()));
    });
    if (failed !== undefined) throw failed;
    await rename(temp, fullPath);
    return bytes;
  } catch (error) {
    stream.destroy();
    await unlink(temp).catch(() => undefined);
    throw failure(displayPath, error);
  }
}

/** Writes a report through `write` (the command's stdout) in pieces of about 64 KiB. */
export function writeReportTo(chunks: Iterable<string>, write: (text: string) => void): number {
  let bytes = 0;
  for (const piece of batchChunks(chunks)) {
    bytes += Buffer.byteLength(piece);
    write(piece);
  }
  return bytes;
}
