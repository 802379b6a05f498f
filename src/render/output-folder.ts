import { readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import { ManifestSchema, type Manifest, type ManifestFile } from "../schemas/manifest.js";
import { KEYS_NAME, MANIFEST_NAME, REJECTS_NAME } from "./manifest-entries.js";
import { outputFailure } from "./staging.js";

/** What an output folder holds before a render: nothing of ours, an earlier render's manifest, or a manifest we cannot read. */
export type EarlierRender =
  { kind: "none" } | { kind: "manifest"; manifest: Manifest } | { kind: "unreadable" };

/** Reads the manifest an earlier render left in `outDir`, if any. */
export async function readEarlierRender(outDir: string): Promise<EarlierRender> {
  const path = join(outDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "none" };
    throw outputFailure(path, "read", error);
  }
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(text));
    return parsed.success ? { kind: "manifest", manifest: parsed.data } : { kind: "unreadable" };
  } catch {
    return { kind: "unreadable" };
  }
}

/** The failure for an output folder that holds something else. */
export function outDirNotEmpty(outDir: string, why: string): EngageError {
  return new EngageError(
    "output_failed",
    "render.out_dir_not_empty",
    `${outDir}: ${why}; choose another --out, or give --overwrite to replace it`,
  );
}

/** True when two file lists name the same files with the same checksums and sizes, in the same order. */
export function sameFiles(a: readonly ManifestFile[], b: readonly ManifestFile[]): boolean {
  return (
    a.length === b.length &&
    a.every((f, i) => f.name === b[i]?.name && f.sha256 === b[i]?.sha256 && f.bytes === b[i]?.bytes)
  );
}

/**
 * Refuses, before any input is read, a folder that plainly holds another render (a manifest of
 * another timestamp, or one that cannot be read), unless `overwrite`.
 */
export function checkEarlierRender(
  outDir: string,
  earlier: EarlierRender,
  timestamp: string,
  overwrite: boolean,
): void {
  if (overwrite) return;
  if (earlier.kind === "unreadable")
    throw outDirNotEmpty(outDir, `${MANIFEST_NAME} is not a manifest this tool can read`);
  if (earlier.kind === "manifest" && earlier.manifest.timestamp !== timestamp) {
    throw outDirNotEmpty(outDir, `it holds the render of ${earlier.manifest.timestamp}`);
  }
}

/** Refuses when any of `names` already exists in `outDir` (a folder without a manifest, but with files of the same names). */
export async function checkNamesFree(outDir: string, names: readonly string[]): Promise<void> {
  for (const name of names) {
    try {
      await stat(join(outDir, name));
    } catch {
      continue;
    }
    throw outDirNotEmpty(outDir, `${name} already exists`);
  }
}

// Only plain names inside the folder: a manifest is data, and must not steer deletes elsewhere.
function isPlainName(name: string): boolean {
  return name !== "" && name !== "." && name !== ".." && !/[/\\]/.test(name);
}

/** Removes an earlier render: its manifest first (so the folder never lists missing files), then its files. */
export async function removeEarlierRender(outDir: string, earlier: EarlierRender): Promise<void> {
  const names = [MANIFEST_NAME];
  if (earlier.kind === "manifest") {
    for (const f of earlier.manifest.files) names.push(f.name);
    names.push(earlier.manifest.keys.file);
  }
  names.push(KEYS_NAME, REJECTS_NAME);
  for (const name of new Set(names)) {
    if (!isPlainName(name)) continue;
    const path = join(outDir, name);
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT")
        throw outputFailure(path, "remove the earlier render's file", error);
    }
  }
}
