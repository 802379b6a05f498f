import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const samples = join(import.meta.dirname, "..", "..", "samples");
const INPUTS = [join(samples, "definitions.csv"), join(samples, "assignments.csv")];

const made: string[] = [];
function tempDir(): string {
  const dir = makeTempDir("engage-runs-");
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe("diff --expected with a work folder of runs", () => {
  it("takes every run's manifest, oldest render first whatever the folder names", async () => {
    const work = join(tempDir(), "runs");
    // Folder names are content keys: "aaa" sorts first but was rendered last.
    for (const [name, timestamp] of [
      ["aaa", "2026-03-05T02:00:00Z"],
      ["ccc", "2026-03-01T02:00:00Z"],
      ["bbb", "2026-03-03T02:00:00Z"],
    ] as const) {
      const render = await runCli(["render", ...INPUTS, "--out", join(work, name), "--timestamp", timestamp]);
      expect(render.code, render.stderr).toBe(0);
    }
    mkdirSync(join(work, "not-a-run"));
    writeFileSync(join(work, "stray.txt"), "");
    const run = await runCli([
      "diff",
      "--expected",
      work,
      "--actual",
      join(samples, "exports"),
      "--out",
      join(work, "..", "r.json"),
      "--format",
      "json",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const sources = (run.summary.expected as { sources: { path: string; kind: string }[] }).sources;
    expect(sources.map((s) => s.path)).toEqual(
      ["ccc", "bbb", "aaa"].map((n) => join(work, n, "manifest.json")),
    );
    expect(sources.every((s) => s.kind === "manifest")).toBe(true);
  });

  it("still refuses a folder with neither a manifest nor run folders, exit 66", async () => {
    const empty = tempDir();
    const run = await runCli(["diff", "--expected", empty, "--actual", join(samples, "exports")]);
    expect(run.code).toBe(66);
    expect(run.summary).toMatchObject({ error: { code: "diff.expected_missing" } });
  });
});
