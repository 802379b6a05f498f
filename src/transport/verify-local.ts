import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { ManifestFile } from "../schemas/manifest.js";
import { showName, unsafeNameReason } from "./safe-name.js";

async function sha256Of(path: string): Promise<string> {
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
    for (const f of sized) {
      if ((await sha256Of(join(dir, f.name))) !== f.sha256) changed.push(`${f.name} (sha256 differs)`);
    }
  }
  if (changed.length > 0) {
    throw new EngageError(
      "invalid_data",
      "transport.checksum_mismatch",
      `${dir}: files changed since render, nothing was sent: ${listNames(changed)}; render the folder again`,
    );
  }
}
