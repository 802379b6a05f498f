import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// The folders this test file made; removed after its last test by test/support/setup.ts.
const made = new Set<string>();

/** A new empty folder in the system's temporary folder, removed once the test file has run. */
export function makeTempDir(prefix = "engage-test-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes `dir` now (it may be gone already); it is not removed again later. */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

/** Removes every folder `makeTempDir` made and still exists. */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  made.clear();
}
