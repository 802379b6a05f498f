import { stat } from "node:fs/promises";

/**
 * The bytes of the input files together: the total a progress display counts towards. Undefined
 * when a file cannot be looked at; the stage that reads it reports why. The paths are those the
 * readers get (see `inputPaths`).
 */
export async function inputBytes(files: readonly string[]): Promise<number | undefined> {
  let total = 0;
  for (const file of files) {
    try {
      const info = await stat(file);
      if (!info.isFile()) return undefined;
      total += info.size;
    } catch {
      return undefined;
    }
  }
  return total;
}
