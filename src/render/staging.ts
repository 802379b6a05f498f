import { createHash, type Hash } from "node:crypto";
import { mkdir, mkdtemp, open, rename, rm, rmdir, unlink, type FileHandle } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { EngageError } from "../core/errors.js";

/** A file written into the staging folder: its final name, checksum and size. */
export interface StagedFile {
  name: string;
  /** Lower-case hex sha256 of the content. */
  sha256: string;
  bytes: number;
}

/** The folder name prefix of a run's staging folder inside the output folder. */
export const STAGING_PREFIX = ".staging-";

// Whole files are written, fsync'd and closed on the thread pool while the next chunk renders;
// a few at a time keeps memory bounded (each holds one chunk's bytes) without stalling the render.
const MAX_IN_FLIGHT = 2;

/** Turns a file-system failure into the documented output failure, naming the path. */
export function outputFailure(path: string, action: string, error: unknown): EngageError {
  if (error instanceof EngageError) return error;
  const err = error as NodeJS.ErrnoException;
  const why = err.code !== undefined ? `${err.code}: ${err.message}` : String(err?.message ?? error);
  return new EngageError("output_failed", "render.write_failed", `${path}: cannot ${action} (${why})`, {
    cause: error,
  });
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

/** A file in the staging folder that grows chunk by chunk (the keys file), hashed as it goes. */
export class StagedAppendFile {
  private readonly hash: Hash = createHash("sha256");
  private bytes = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Appends bytes; waits only for the previous append, so at most two chunks are in memory.
   * `written` is called once the bytes are no longer needed (written, or the write failed).
   */
  async append(data: Buffer, written?: () => void): Promise<void> {
    this.hash.update(data);
    this.bytes += data.length;
    const previous = this.tail;
    this.tail = previous.then(() => writeAll(this.handle, data)).finally(written);
    // Marked handled here; the failure itself surfaces at the next append or at finish.
    this.tail.catch(() => undefined);
    try {
      await previous;
    } catch (error) {
      throw outputFailure(this.path, "write", error);
    }
  }

  /** Flushes, fsyncs and closes the file; returns its checksum and size. */
  async finish(): Promise<StagedFile> {
    try {
      await this.tail;
      await this.handle.sync();
    } catch (error) {
      throw outputFailure(this.path, "write", error);
    } finally {
      await this.handle.close().catch(() => undefined);
    }
    return { name: this.name, sha256: this.hash.digest("hex"), bytes: this.bytes };
  }

  /** Closes the file without caring about its content (the run is being abandoned). */
  async abandon(): Promise<void> {
    await this.tail.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
  }
}

/**
 * A run's private folder inside the output folder: every file is written there under a
 * temporary name and only renamed into the output folder when the whole run succeeded, so an
 * interrupted or failed run never leaves a final file behind.
 */
export class Staging {
  private readonly inFlight: Promise<void>[] = [];
  private readonly appendFiles: StagedAppendFile[] = [];
  private failure: unknown;

  private constructor(
    readonly outDir: string,
    readonly dir: string,
    /** The topmost folder this run created for the output folder, if it did not exist. */
    private readonly created: string | undefined,
  ) {}

  /** Creates the output folder if needed and a fresh staging folder inside it. */
  static async create(outDir: string): Promise<Staging> {
    let created: string | undefined;
    try {
      created = await mkdir(outDir, { recursive: true });
    } catch (error) {
      throw outputFailure(outDir, "create the output folder", error);
    }
    try {
      return new Staging(outDir, await mkdtemp(join(outDir, STAGING_PREFIX)), created);
    } catch (error) {
      if (created !== undefined) await rm(created, { recursive: true, force: true }).catch(() => undefined);
      throw outputFailure(outDir, "create a staging folder in", error);
    }
  }

  /** The temporary path of a staged file. */
  tempPath(name: string): string {
    return join(this.dir, `${name}.partial`);
  }

  /**
   * Stages a whole file from its parts: hashed now, written, fsync'd and closed in the
   * background. `written` is called once the parts are no longer needed (written, or failed).
   */
  async put(name: string, parts: Buffer | readonly Buffer[], written?: () => void): Promise<StagedFile> {
    this.throwIfFailed();
    const list = Buffer.isBuffer(parts) ? [parts] : parts;
    const hash = createHash("sha256");
    let bytes = 0;
    for (const part of list) {
      hash.update(part);
      bytes += part.length;
    }
    const path = this.tempPath(name);
    const task = (async () => {
      const handle = await open(path, "wx");
      try {
        for (const part of list) await writeAll(handle, part);
        await handle.sync();
      } finally {
        await handle.close();
      }
    })()
      .catch((error: unknown) => {
        this.failure ??= outputFailure(path, "write", error);
      })
      .finally(written);
    this.inFlight.push(task);
    while (this.inFlight.length >= MAX_IN_FLIGHT) await this.inFlight.shift();
    this.throwIfFailed();
    return { name, sha256: hash.digest("hex"), bytes };
  }

  /** Opens a staged file that is written chunk by chunk. */
  async openAppend(name: string): Promise<StagedAppendFile> {
    const path = this.tempPath(name);
    try {
      const file = new StagedAppendFile(name, path, await open(path, "wx"));
      this.appendFiles.push(file);
      return file;
    } catch (error) {
      throw outputFailure(path, "create", error);
    }
  }

  /** Waits until every staged file is on disk; throws the first write failure. */
  async settle(): Promise<void> {
    while (this.inFlight.length > 0) await this.inFlight.shift();
    this.throwIfFailed();
  }

  /**
   * Moves staged files into the output folder in the given order. When a rename fails, the
   * files already moved are removed again, so the folder never holds part of a run.
   */
  async commit(names: readonly string[]): Promise<void> {
    await this.settle();
    const moved: string[] = [];
    for (const name of names) {
      const target = join(this.outDir, name);
      try {
        await rename(this.tempPath(name), target);
        moved.push(target);
      } catch (error) {
        for (const done of moved.reverse()) await unlink(done).catch(() => undefined);
        throw outputFailure(target, "rename a staged file to", error);
      }
    }
    await this.syncOutDir();
  }

  /** Removes the staging folder and everything in it (best effort: the run's outcome is already decided). */
  async discard(): Promise<void> {
    await Promise.allSettled(this.inFlight.splice(0));
    for (const file of this.appendFiles.splice(0)) await file.abandon();
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /**
   * Abandons the run: removes the staging folder, then the output folders this run created,
   * as long as they are empty, so a refused or failed render leaves the disk as it found it.
   */
  async abandon(): Promise<void> {
    await this.discard();
    if (this.created === undefined) return;
    const top = resolve(this.created);
    for (let dir = resolve(this.outDir); ; dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return;
      }
      if (dir === top || dirname(dir) === dir) return;
    }
  }

  // A rename is durable only once the folder holding the new name is synced.
  private async syncOutDir(): Promise<void> {
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.outDir, "r");
      await handle.sync();
    } catch {
      // Some file systems refuse fsync on a folder; the renames themselves have happened.
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
