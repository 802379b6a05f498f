import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, "..");
export const CLI = join(ROOT, "dist", "bundle", "main.js");
export const DATA = join(here, ".data");

/**
 * Runs `node dist/bundle/main.js ...args` and returns its wall time, peak RSS (from the child
 * itself) and output.
 */
export async function measureCli(args, options = {}) {
  const dir = mkdtempSync(join(tmpdir(), "bench-rss-"));
  const rssFile = join(dir, "rss");
  const started = process.hrtime.bigint();
  const { code, stdout, stderr } = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", join(here, "report-rss.mjs"), CLI, ...args], {
      cwd: options.cwd ?? ROOT,
      env: { ...process.env, ...(options.env ?? {}), BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (c) => resolve({ code: c, stdout: out, stderr: err }));
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let maxRssBytes = NaN;
  try {
    maxRssBytes = Number(readFileSync(rssFile, "utf8"));
  } catch {
    // the child died before its exit hook ran
  }
  rmSync(dir, { recursive: true, force: true });
  return { code, stdout, stderr, wallMs, maxRssMB: maxRssBytes / 1024 / 1024 };
}

/** Prints one result line, human-readable then machine-readable. */
export function report(result) {
  const verdict = result.pass === undefined ? "" : result.pass ? "  PASS" : "  FAIL";
  console.log(`${result.name}: ${result.value} ${result.unit} (target ${result.target})${verdict}`);
  console.log(`BENCH ${JSON.stringify(result)}`);
}
