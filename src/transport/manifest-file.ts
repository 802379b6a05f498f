import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EngageError } from "../core/errors.js";
import type { Delivery, Manifest } from "../schemas/manifest.js";
import { writeFileAtomic } from "./atomic-write.js";

export const MANIFEST_FILE = "manifest.json";

/** A manifest as read from a folder: the validated value, and the JSON as written (kept whole on rewrite). */
export interface LoadedManifest {
  path: string;
  manifest: Manifest;
  /** The parsed JSON: deliveries are added to it, so fields this version does not know survive a rewrite. */
  raw: { files: Record<string, unknown>[] } & Record<string, unknown>;
}

function unreadable(path: string, error: unknown): EngageError {
  const code = (error as NodeJS.ErrnoException).code;
  return new EngageError(
    "input_missing",
    "transport.manifest_missing",
    code === "ENOENT"
      ? `${path}: no manifest here; upload sends a folder written by render`
      : `${path}: cannot be read (${code ?? "error"})`,
  );
}

/** `manifest.json` read and its JSON parsed, not yet checked against the manifest schema. */
export interface ManifestJson {
  path: string;
  raw: unknown;
}

/**
 * Reads `<dir>/manifest.json` and parses its JSON: missing exits 66, not JSON exits 65.
 * Synchronous and cheap, so a caller can start what a valid manifest will need (checksums, a
 * connection) while the schema itself loads and checks it.
 */
export function readManifestJson(dir: string): ManifestJson {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw unreadable(path, error);
  }
  try {
    return { path, raw: JSON.parse(text) as unknown };
  } catch (error) {
    throw new EngageError(
      "invalid_data",
      "transport.manifest_invalid",
      `${path}: not valid JSON: ${(error as Error).message}`,
    );
  }
}

/**
 * Checks parsed manifest JSON against the manifest schema: invalid exits 65. The schema (and
 * the validation library behind it, most of the code upload loads) is loaded on first use, so
 * that its loading overlaps the SSH handshake instead of coming before it.
 */
export async function validateManifest({ path, raw }: ManifestJson): Promise<LoadedManifest> {
  const { ManifestSchema } = await import("../schemas/manifest.js");
  // Checked once per run: compiling the library's fast path for that one check costs more than
  // it saves (about 4 of the check's 12 ms).
  const parsed = ManifestSchema.safeParse(raw, { jitless: true });
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

/** Reads and validates `<dir>/manifest.json`: missing exits 66, invalid exits 65. */
export async function readManifestFile(dir: string): Promise<LoadedManifest> {
  return validateManifest(readManifestJson(dir));
}

/** Records deliveries in manifest.json as they are verified, writing in the background. */
export interface DeliveryRecorder {
  /** Records a verified delivery now (in memory) and schedules the rewrite of manifest.json. */
  record(index: number, targetKey: string, delivery: Delivery): void;
  /** The first write failure, if any (exit 73), so the caller can stop sending. */
  readonly error: EngageError | undefined;
  /** Waits until every recorded delivery is on disk; throws the write failure. */
  flush(): Promise<void>;
}

/**
 * A recorder that rewrites manifest.json atomically (temporary file, fsync, rename) after each
 * verified file. Writes run one at a time behind the transfer, and deliveries recorded while one
 * runs are written together by the next, so a slow fsync never holds up the next upload; a crash
 * loses at most the records not yet written, and those files are sent again by the next run.
 */
export function createDeliveryRecorder(loaded: LoadedManifest): DeliveryRecorder {
  let writing: Promise<void> | undefined;
  let dirty = false;
  let failure: EngageError | undefined;
  let lastName = "";

  const writeLoop = async (): Promise<void> => {
    while (dirty && failure === undefined) {
      dirty = false;
      const text = `${JSON.stringify(loaded.raw, null, 2)}\n`;
      try {
        await writeFileAtomic(loaded.path, text);
      } catch (error) {
        failure = new EngageError(
          "output_failed",
          "transport.manifest_write_failed",
          `${loaded.path}: cannot record the delivery of ${lastName} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
        );
      }
    }
    writing = undefined;
  };

  return {
    record(index, targetKey, delivery) {
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
      lastName = file.name;
      dirty = true;
      writing ??= writeLoop();
    },
    get error() {
      return failure;
    },
    async flush() {
      while (writing !== undefined) await writing;
      if (failure !== undefined) throw failure;
    },
  };
}
