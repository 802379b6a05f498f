import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** What a watch of a delivery folder saw. */
export interface WatchReport {
  /** Every time a final name held something other than the whole, right file. */
  violations: string[];
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
    finalSeen: new Set(),
    observations: 0,
  };
  const checked = new Map<string, string>();
  const poll = (): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    report.observations += 1;
    for (const name of names) {
      if (name.endsWith(".part")) continue;
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
        // renamed over or removed between readdir and read: the next poll sees what replaced it
      }
    }
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
