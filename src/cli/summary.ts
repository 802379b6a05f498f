import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { EngageError } from "../core/errors.js";
import type { Summary } from "../schemas/summary.js";

/** The parts of a summary a command decides; main adds the command word, exit code and duration. */
export interface SummaryParts {
  status: string;
  exitCode: number;
  error?: { code: string; message: string } | undefined;
  counts?: Readonly<Record<string, number>> | undefined;
  details?: Readonly<Record<string, unknown>> | undefined;
  issues?: { error: number; warning: number } | undefined;
}

/** Builds the one summary shape: fixed fields first, counts at the top, details after them. */
export function buildSummary(command: string, parts: SummaryParts, durationMs: number): Summary {
  return {
    command,
    status: parts.status,
    exitCode: parts.exitCode,
    ...(parts.error !== undefined ? { error: parts.error } : {}),
    ...parts.counts,
    ...parts.details,
    ...(parts.issues !== undefined ? { issues: parts.issues } : {}),
    durationMs,
  };
}

/**
 * Writes the summary to `--summary-file` atomically (a temporary file beside it, then a rename),
 * so an orchestrator never reads half a summary.
 */
export function writeSummaryFile(path: string, cwd: string, summary: Summary): void {
  const target = resolve(cwd, path);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(temp, `${JSON.stringify(summary)}\n`);
    renameSync(temp, target);
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the folder itself is unusable: there is no temporary file to remove
    }
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new EngageError(
      "output_failed",
      "cli.summary_unwritable",
      `${target}: cannot write the summary (${code})`,
    );
  }
}
