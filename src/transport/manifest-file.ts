import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import { ManifestSchema, type Delivery, type Manifest } from "../schemas/manifest.js";
import { writeFileAtomic } from "./atomic-write.js";

export const MANIFEST_FILE = "manifest.json";

/** A manifest as read from a folder: the validated value, and the JSON as written (kept whole on rewrite). */
export interface LoadedManifest {
  path: string;
  manifest: Manifest;
  /** The parsed JSON: deliveries are added to it, so fields this version does not know survive a rewrite. */
  raw: { files: Record<string, unknown>[] } & Record<string, unknown>;
}

/** Reads and validates `<dir>/manifest.json`: missing exits 66, invalid exits 65. */
export async function readManifestFile(dir: string): Promise<LoadedManifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EngageError(
      "input_missing",
      "transport.manifest_missing",
      code === "ENOENT"
        ? `${path}: no manifest here; upload sends a folder written by render`
        : `${path}: cannot be read (${code ?? "error"})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new EngageError(
      "invalid_data",
      "transport.manifest_invalid",
      `${path}: not valid JSON: ${(error as Error).message}`,
    );
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const at = first ? first.path.map(String).join(".") : "";
    throw new EngageError(
      "invalid_data",
      "transport.manifest_invalid",
      `${path}: not a valid manifest: ${at ? `${at}: ` : ""}${first?.message ?? "invalid"}`,
    );
  }
  return { path, manifest: parsed.data, raw: raw as LoadedManifest["raw"] };
}

/**
 * Records one verified delivery of file `index` to `targetKey` and rewrites manifest.json
 * atomically (temporary file, fsync, rename), so a crash never leaves a torn manifest.
 */
export async function recordDelivery(
  loaded: LoadedManifest,
  index: number,
  targetKey: string,
  delivery: Delivery,
): Promise<void> {
  const file = loaded.manifest.files[index];
  const rawFile = loaded.raw.files[index];
  if (file === undefined || rawFile === undefined)
    throw new Error(`manifest file index ${index} out of range`);
  file.deliveries[targetKey] = delivery;
  const deliveries = (
    typeof rawFile.deliveries === "object" && rawFile.deliveries !== null ? rawFile.deliveries : {}
  ) as Record<string, Delivery>;
  deliveries[targetKey] = delivery;
  rawFile.deliveries = deliveries;
  try {
    await writeFileAtomic(loaded.path, `${JSON.stringify(loaded.raw, null, 2)}\n`);
  } catch (error) {
    throw new EngageError(
      "output_failed",
      "transport.manifest_write_failed",
      `${loaded.path}: cannot record the delivery of ${file.name} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
