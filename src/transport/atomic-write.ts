import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * Replaces a file's content atomically: writes a temporary file beside it, fsyncs it, renames
 * it over the file, then fsyncs the folder, so a crash leaves the old or the new content whole.
 * The content is one string or a sequence of pieces, written one after the other.
 */
export async function writeFileAtomic(path: string, content: string | Iterable<string>): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  const fh = await open(temp, "w");
  try {
    if (typeof content === "string") await fh.writeFile(content, "utf8");
    else for (const piece of content) await fh.write(piece, null, "utf8");
    await fh.sync();
  } catch (error) {
    await fh.close();
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fh.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await fsyncFolder(dirname(path));
}

/** Flushes a folder's entries (a rename just done in it) to disk; best effort where refused. */
export async function fsyncFolder(dir: string): Promise<void> {
  try {
    const d = await open(dir, "r");
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  } catch {
    // Some file systems refuse fsync on a folder; the rename itself is still atomic.
  }
}
