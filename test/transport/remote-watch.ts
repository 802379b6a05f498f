import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** What a watch of a delivery folder saw. */
export interface WatchReport {
  /** Every time a final name held something other than the whole, right file. */
  violations: string[];
  /** How many times `<name>.part` appeared (a new upload of that file began). */
  partAppearances: Map<string, number>;
  /** Final names seen, whole. */
  finalSeen: Set<string>;
  observations: number;
}

/**
 * Polls a folder every few milliseconds while a delivery runs and checks that each final name
 * only ever holds a complete file with the expected sha256 (the `.part` files may hold anything).
 */
export function watchDeliveryFolder(
  dir: string,
  expected: ReadonlyMap<string, string>,
  intervalMs = 5,
): { stop: () => WatchReport } {
  const report: WatchReport = {
    violations: [],
    partAppearances: new Map(),
    finalSeen: new Set(),
    observations: 0,
  };
  const checked = new Map<string, string>();
  const partsPresent = new Set<string>();
  const poll = (): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    report.observations += 1;
    const partsNow = new Set<string>();
    for (const name of names) {
      if (name.endsWith(".part")) {
        const base = name.slice(0, -".part".length);
        partsNow.add(base);
        if (!partsPresent.has(base))
          report.partAppearances.set(base, (report.partAppearances.get(base) ?? 0) + 1);
        continue;
      }
      const want = expected.get(name);
      if (want === undefined) continue;
      try {
        const st = statSync(join(dir, name));
        const stamp = `${st.ino}:${st.size}:${st.mtimeMs}`;
        if (checked.get(name) === stamp) continue;
        const got = createHash("sha256")
          .update(readFileSync(join(dir, name)))
          .digest("hex");
        if (got !== want)
          report.violations.push(`${name}: ${st.size} bytes, sha256 ${got.slice(0, 12)}… is not the file`);
        else report.finalSeen.add(name);
        checked.set(name, stamp);
      } catch {
        // removed between readdir and stat: nothing to see
      }
    }
    partsPresent.clear();
    for (const p of partsNow) partsPresent.add(p);
  };
  const timer = setInterval(poll, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      poll();
      return report;
    },
  };
}
