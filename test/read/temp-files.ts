import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir } from "../support/temp-dir.js";

/** A temporary folder for input files, removed by `remove()`. */
export function tempInputs(prefix = "engage-inputs-") {
  const dir = makeTempDir(prefix);
  return {
    dir,
    /** Writes a file (text as UTF-8, or bytes) and returns its path. */
    write(name: string, content: string | Uint8Array): string {
      const file = join(dir, name);
      writeFileSync(file, content);
      return file;
    },
    remove(): void {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
