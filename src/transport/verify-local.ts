import { createHash, webcrypto } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { ManifestFile } from "../schemas/manifest.js";
import { showName, unsafeNameReason } from "./safe-name.js";

/** Files up to this size are read whole and hashed off the main thread; larger ones are streamed. */
const WHOLE_FILE_LIMIT = 32 * 1024 * 1024;
/** Files hashed at once: the thread pool does the work, the main thread stays free for the handshake. */
const HASH_CONCURRENCY = 2;

async function sha256Of(path: string, size: number): Promise<string> {
  if (size <= WHOLE_FILE_LIMIT) {
    const data = await readFile(path);
    return Buffer.from(await webcrypto.subtle.digest("SHA-256", data)).toString("hex");
  }
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { highWaterMark: 1024 * 1024 }))
    hash.update(chunk as Buffer);
  return hash.digest("hex");
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/**
 * Checks every file the manifest lists against its recorded size and sha256 before anything is
 * sent: a name that is not plain, a missing file (exit 66), or a changed one (exit 65) refuses
 * the whole folder, since it no longer is what render wrote.
 */
export async function verifyLocalFiles(dir: string, files: readonly ManifestFile[]): Promise<void> {
  for (const f of files) {
    const why = unsafeNameReason(f.name);
    if (why !== undefined)
      throw new EngageError(
        "invalid_data",
        "transport.unsafe_name",
        `manifest.json lists ${showName(f.name)}, which ${why}`,
      );
  }
  const missing: string[] = [];
  const changed: string[] = [];
  const sized: ManifestFile[] = [];
  // Sizes first: a cheap check that finds most changes before any file is read whole.
  for (const f of files) {
    try {
      const s = await stat(join(dir, f.name));
      if (!s.isFile()) missing.push(f.name);
      else if (s.size !== f.bytes) changed.push(`${f.name} (${s.size} bytes, manifest says ${f.bytes})`);
      else sized.push(f);
    } catch {
      missing.push(f.name);
    }
  }
  if (missing.length > 0) {
    throw new EngageError(
      "input_missing",
      "transport.file_missing",
      `${dir}: files listed in manifest.json are missing: ${listNames(missing)}`,
    );
  }
  if (changed.length === 0) {
    const differs = new Set<string>();
    let next = 0;
    await Promise.all(
      Array.from({ length: HASH_CONCURRENCY }, async () => {
        while (next < sized.length) {
          const f = sized[next++]!;
          if ((await sha256Of(join(dir, f.name), f.bytes)) !== f.sha256) differs.add(f.name);
        }
      }),
    );
    // Reported in manifest order, whichever hash finished first.
    for (const f of sized) if (differs.has(f.name)) changed.push(`${f.name} (sha256 differs)`);
  }
  if (changed.length > 0) {
    throw new EngageError(
      "invalid_data",
      "transport.checksum_mismatch",
      `${dir}: files changed since render, nothing was sent: ${listNames(changed)}; render the folder again`,
    );
  }
}
