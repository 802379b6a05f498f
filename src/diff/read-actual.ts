import { readdir, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { EngageError } from "../core/errors.js";
import { statNamedPath } from "./stat-path.js";
import { makeIssue, type Issue } from "../core/issue.js";
import { parseExportFile } from "../parse/parse-export.js";
import type { Profile } from "../schemas/profile.js";
import type { ReportSource } from "./diff-report.js";
import type { Reconciler } from "./reconciler.js";

/** An export file to read: its absolute path and the path reports show. */
export interface ExportFile {
  full: string;
  display: string;
}

/** Orders export files by file name (Engage starts each with a timestamp), then by the whole path. */
export function compareExportFiles(a: ExportFile, b: ExportFile): number {
  const byName = basename(a.display).localeCompare(basename(b.display), "en");
  if (byName !== 0) return byName;
  return a.display < b.display ? -1 : a.display > b.display ? 1 : 0;
}

/**
 * Expands `--actual` paths into export files: a folder means its `*.xml` files. Every file of
 * every path is then read in one order, by file name (Engage's timestamp prefix) then path, so
 * records combine in the order Engage wrote them whatever order the paths were given in.
 */
export async function listExportFiles(
  paths: readonly string[],
  cwd: string,
): Promise<{ files: ExportFile[]; issues: Issue[] }> {
  const files = new Map<string, ExportFile>();
  const issues: Issue[] = [];
  for (const display of paths) {
    const full = resolve(cwd, display);
    const info = await statNamedPath(full, "actual", display);
    if (!info.isDirectory()) {
      files.set(full, { full, display });
      continue;
    }
    let names: string[];
    try {
      names = [];
      for (const d of await readdir(full, { withFileTypes: true })) {
        if (!d.name.toLowerCase().endsWith(".xml")) continue;
        // A symbolic link counts when it leads to a file (exports fetched into a dated folder and linked).
        if (
          d.isFile() ||
          (d.isSymbolicLink() && (await stat(join(full, d.name)).catch(() => undefined))?.isFile() === true)
        ) {
          names.push(d.name);
        }
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "error";
      throw new EngageError(
        "input_missing",
        "diff.actual_missing",
        `--actual ${display}: folder cannot be listed (${code})`,
      );
    }
    if (names.length === 0)
      issues.push(makeIssue("diff.actual_empty", "no .xml export file in this folder", { file: display }));
    for (const name of names)
      files.set(join(full, name), { full: join(full, name), display: join(display, name) });
  }
  return { files: [...files.values()].sort(compareExportFiles), issues };
}

/** Streams every export file through the parse stage into the reconciler, in the given order. */
export async function readExports(
  files: readonly ExportFile[],
  options: {
    profile: Profile;
    reconciler: Reconciler;
    /** Told the records and the bytes read so far, of all the files. */
    onProgress?: (records: number, bytes: number) => void;
    maxFieldBytes?: number;
    maxDepth?: number;
  },
): Promise<{ sources: ReportSource[]; issues: Issue[] }> {
  const sources: ReportSource[] = [];
  const issues: Issue[] = [];
  let records = 0;
  let bytes = 0;
  for (const file of files) {
    const source: ReportSource = { path: file.display, kind: "export", count: 0 };
    sources.push(source);
    try {
      for await (const batch of parseExportFile(file.full, {
        profile: options.profile,
        displayPath: file.display,
        ...(options.maxFieldBytes === undefined ? {} : { maxFieldBytes: options.maxFieldBytes }),
        ...(options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth }),
        onRead: (n) => (bytes += n),
      })) {
        for (const event of batch) {
          if (event.type === "record") {
            options.reconciler.addRecord(event.record);
            source.count += 1;
          } else {
            issues.push(event.issue);
          }
        }
        records += batch.length;
        options.onProgress?.(records, bytes);
      }
    } catch (error) {
      // Listed but not readable (permissions, vanished, an I/O error): a broken export (exit 65),
      // while a path that does not exist at all was already refused by listExportFiles (exit 66).
      if (
        !(error instanceof EngageError) ||
        !["read.file_missing", "read.file_unreadable"].includes(error.code)
      )
        throw error;
      const cause = (error.cause as NodeJS.ErrnoException | undefined)?.code ?? "error";
      issues.push(
        makeIssue("diff.actual_unreadable", `export file cannot be read (${cause})`, { file: file.display }),
      );
    }
  }
  return { sources, issues };
}
