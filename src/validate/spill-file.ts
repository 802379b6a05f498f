import { randomBytes } from "node:crypto";
import { closeSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { SpillFile } from "./key-log.js";

/** Prefix of spill files' names in the temporary folder. */
export const SPILL_PREFIX = "engage-promo-keys-";

function spillFailure(path: string, action: string, error: unknown): EngageError {
  const err = error as NodeJS.ErrnoException;
  const why = err.code !== undefined ? `${err.code}: ${err.message}` : String(err?.message ?? error);
  return new EngageError(
    "output_failed",
    "validate.spill_failed",
    `${path}: cannot ${action} the temporary file of the duplicate checks (${why})`,
    { cause: error },
  );
}

/**
 * Opens a new spill file in `dir` (the system's temporary folder by default). Its name is
 * removed at once where the system allows it, so the file vanishes with the process however
 * it ends; elsewhere it is removed on close.
 */
export function openSpillFile(dir: string = tmpdir()): SpillFile {
  const path = join(dir, `${SPILL_PREFIX}${process.pid}-${randomBytes(6).toString("hex")}`);
  let fd: number;
  try {
    fd = openSync(path, "wx+", 0o600);
  } catch (error) {
    throw spillFailure(path, "create", error);
  }
  let linked = true;
  try {
    unlinkSync(path);
    linked = false;
  } catch {
    // an open file cannot be unlinked here: removed on close instead
  }
  let open = true;
  return {
    write(bytes, position) {
      try {
        let done = 0;
        while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done, position + done);
      } catch (error) {
        throw spillFailure(path, "write", error);
      }
    },
    read(into, position) {
      let done = 0;
      try {
        while (done < into.length) {
          const n = readSync(fd, into, done, into.length - done, position + done);
          if (n === 0) break;
          done += n;
        }
      } catch (error) {
        throw spillFailure(path, "read", error);
      }
      if (done < into.length) throw spillFailure(path, "read", new Error("the file is shorter than written"));
    },
    close() {
      if (!open) return;
      open = false;
      try {
        closeSync(fd);
      } catch {
        // nothing left to save
      }
      if (linked) {
        try {
          unlinkSync(path);
        } catch {
          // best effort: the name is in the temporary folder
        }
      }
    },
  };
}
