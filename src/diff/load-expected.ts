import { open, readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { EngageError } from "../core/errors.js";
import { statNamedPath } from "./stat-path.js";
import { makeIssue, type Issue } from "../core/issue.js";
import { validateInputs, type ValidateOptions } from "../validate/validate-inputs.js";
import type { ReportSource } from "./diff-report.js";
import { expectedAssignmentOf, expectedPromotionOf } from "./expected.js";
import { loadManifest } from "./load-manifest.js";
import type { Reconciler } from "./reconciler.js";

const MANIFEST_NAME = "manifest.json";

/** How an `--expected` path is read. */
export type ExpectedPathKind =
  { kind: "manifest"; full: string; display: string } | { kind: "input"; full: string; display: string };

async function looksLikeManifest(full: string): Promise<boolean> {
  if (basename(full) === MANIFEST_NAME) return true;
  if (extname(full).toLowerCase() !== ".json") return false;
  // A renamed manifest still starts with its version key: manifests are written in a fixed key order.
  const handle = await open(full, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(256), 0, 256, 0);
    return /^\uFEFF?\s*\{\s*"manifestVersion"\s*:/.test(buffer.subarray(0, bytesRead).toString("utf8"));
  } finally {
    await handle.close();
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * The run folders of a work folder (`.engage-promo/runs/<key>/manifest.json`), oldest render
 * first: folder names are content keys, so only the manifest's `timestamp` tells the order.
 */
async function runsIn(folder: string): Promise<string[]> {
  const runs: { name: string; time: number }[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const manifest = join(folder, entry.name, MANIFEST_NAME);
    if (!(await isFile(manifest))) continue;
    runs.push({ name: entry.name, time: await renderTimeOf(manifest) });
  }
  return runs.sort((a, b) => a.time - b.time || a.name.localeCompare(b.name)).map((r) => r.name);
}

/** A manifest's render time; one that cannot be read sorts first, and loading it reports why. */
async function renderTimeOf(manifest: string): Promise<number> {
  try {
    const data = JSON.parse(await readFile(manifest, "utf8")) as { timestamp?: unknown };
    const time = typeof data.timestamp === "string" ? Date.parse(data.timestamp) : NaN;
    return Number.isNaN(time) ? -Infinity : time;
  } catch {
    return -Infinity;
  }
}

/**
 * Tells what each `--expected` path is: a render folder (its `manifest.json`), a work folder of
 * runs (every run folder's manifest, ordered by render time), a manifest file
 * (named `manifest.json`, or a `.json` file that starts like one), or an input file (CSV, JSON,
 * NDJSON) to validate. A path that does not exist is an input failure (exit 66).
 */
export async function classifyExpectedPaths(
  paths: readonly string[],
  cwd: string,
): Promise<ExpectedPathKind[]> {
  const out: ExpectedPathKind[] = [];
  for (const display of paths) {
    const full = resolve(cwd, display);
    const info = await statNamedPath(full, "expected", display);
    if (info.isDirectory()) {
      const manifest = join(full, MANIFEST_NAME);
      if (await isFile(manifest)) {
        out.push({ kind: "manifest", full: manifest, display: join(display, MANIFEST_NAME) });
        continue;
      }
      const runs = await runsIn(full);
      if (runs.length === 0)
        throw new EngageError(
          "input_missing",
          "diff.expected_missing",
          `--expected ${display}: a folder without ${MANIFEST_NAME} and without run folders holding one; give a render folder, a work folder of runs, a manifest or input files`,
        );
      for (const run of runs)
        out.push({
          kind: "manifest",
          full: join(full, run, MANIFEST_NAME),
          display: join(display, run, MANIFEST_NAME),
        });
    } else {
      out.push({ kind: (await looksLikeManifest(full)) ? "manifest" : "input", full, display });
    }
  }
  return out;
}

export interface ExpectedLoad {
  sources: ReportSource[];
  issues: Issue[];
  /** Rows the validate stage rejected (never sent, so not expected). */
  rejected: number;
}

/**
 * Feeds the expected side into the reconciler, in the order given: manifests with their keys
 * files, and input files validated together (a definition in one file serves assignments in
 * another) at the place of the first of them.
 */
export async function loadExpected(
  paths: readonly ExpectedPathKind[],
  options: { reconciler: Reconciler; validate: ValidateOptions; onProgress?: (assignments: number) => void },
): Promise<ExpectedLoad> {
  const sources: ReportSource[] = [];
  const issues: Issue[] = [];
  let rejected = 0;
  let done = 0;
  const inputs = paths.filter((p) => p.kind === "input");
  let inputsRead = false;
  for (const p of paths) {
    if (p.kind === "manifest") {
      const before = done;
      const load = await loadManifest(p.full, p.display, options.reconciler, (n) =>
        options.onProgress?.(before + n),
      );
      done += load.assignments;
      for (const issue of load.issues) issues.push(issue);
      sources.push({ path: p.display, kind: "manifest", count: load.assignments });
      continue;
    }
    if (inputsRead) continue;
    inputsRead = true;
    // Inputs are opened by absolute path (the working directory may not be the process's), and
    // every location is turned back into the path the user gave.
    const displayOf = new Map(inputs.map((i) => [i.full, i.display] as const));
    const shown = <T extends { file: string }>(at: T): T => {
      const display = displayOf.get(at.file);
      return display === undefined ? at : { ...at, file: display };
    };
    const perFile = new Map<string, ReportSource>();
    for (const i of inputs) {
      const source: ReportSource = { path: i.display, kind: "input", count: 0 };
      perFile.set(i.display, source);
      sources.push(source);
    }
    for await (const batch of validateInputs(
      inputs.map((i) => i.full),
      options.validate,
    )) {
      for (const event of batch) {
        switch (event.type) {
          case "promotion":
            options.reconciler.addPromotion(expectedPromotionOf(event.promotion, shown(event.at)));
            break;
          case "assignment": {
            const at = shown(event.at);
            options.reconciler.addAssignment(expectedAssignmentOf(event.assignment, at));
            const source = perFile.get(at.file);
            if (source) source.count += 1;
            done += 1;
            break;
          }
          case "rejected":
            rejected += 1;
            break;
          case "issue":
            issues.push(
              event.issue.related === undefined
                ? shown(event.issue)
                : { ...shown(event.issue), related: event.issue.related.map(shown) },
            );
            break;
          default:
            break;
        }
      }
      options.onProgress?.(done);
    }
  }
  const empty = expectedEmpty(paths, done);
  if (empty !== undefined) issues.push(empty);
  return { sources, issues, rejected };
}

/**
 * A warning when the expected side holds no assignment at all (only definitions, or a render of
 * definitions alone): every export record then shows as unexpected, which is rarely the question.
 */
export function expectedEmpty(paths: readonly ExpectedPathKind[], assignments: number): Issue | undefined {
  const first = paths[0];
  if (assignments > 0 || first === undefined) return undefined;
  const given = paths.map((p) => p.display).join(", ");
  return makeIssue(
    "diff.expected_empty",
    `--expected: expected assignments to reconcile, got none in ${given}; every export record will show as unexpected (give the assignments file or the render folder)`,
    { file: first.display },
  );
}
