// Preloaded into a measured process (node --import): on exit, writes its peak RSS in bytes to the
// file named by BENCH_RSS_FILE, so the bench reads the child's own figure rather than a guess.
import { writeFileSync } from "node:fs";

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on("exit", () => {
    writeFileSync(target, String(process.resourceUsage().maxRSS * 1024));
  });
}
