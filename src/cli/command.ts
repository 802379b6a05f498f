import type { InferredOptionTypes, Options, PositionalOptions } from "yargs";
import type { ExitKind } from "../core/errors.js";
import type { Issue } from "../core/issue.js";
import type { Logger } from "../core/logger.js";
import type { Progress, ProgressOptions } from "../core/progress.js";

/** What a command gets besides its arguments: the only way it talks to the terminal. */
export interface CommandContext {
  command: string;
  cwd: string;
  startedAt: Date;
  log: Logger;
  /** Starts a progress display on stderr (a bar on a TTY, plain lines otherwise). */
  progress(options: ProgressOptions): Progress;
  /** Writes a whole report or data to stdout; the summary line then goes to stderr instead. */
  stdout(text: string): void;
  env: NodeJS.ProcessEnv;
}

/** How a command ended, for the summary line and the exit code. */
export interface CommandOutcome {
  /** `ok`, `invalid` (data problems), `differences`, `dry-run` … shown as the summary's status. */
  status: string;
  exit: ExitKind;
  /** Command-specific fields of the summary line (counts, files, …). */
  summary: Record<string, unknown>;
  /**
   * Counts promised at the summary's top level (`sent`, `skipped`, `failed` …) when `summary`
   * nests them in details; they are placed beside `status`, before the details.
   */
  counts?: Readonly<Record<string, number>>;
  /** Why a failed command failed: becomes the summary's top-level `error`. */
  error?: { code: string; message: string };
  /** Data problems to show, grouped by file (text) or as JSON (`--format json`). */
  issues?: readonly Issue[];
  /**
   * The issues go to stderr as text whatever the format option says: the command's own report
   * (which holds them) is the data on stdout, where nothing may follow it.
   */
  issuesAsText?: boolean;
}

/** A subcommand: its yargs options, and a `run` that takes parsed values and returns an outcome. */
export interface EngageCommand<O extends Record<string, Options> = Record<string, Options>> {
  /** The yargs command string, e.g. `render <inputs..>`. */
  command: string;
  describe: string;
  positionals?: Record<string, PositionalOptions>;
  options: O;
  /** Examples for `--help`: [command line, what it does]. */
  examples?: [string, string][];
  /** How issues are shown: `format` names the option whose `json` value prints them as JSON. */
  issuesFormatOption?: string;
  run(args: InferredOptionTypes<O> & Record<string, unknown>, ctx: CommandContext): Promise<CommandOutcome>;
}

/** Identity helper that keeps the options' inferred types. */
export function defineCommand<O extends Record<string, Options>>(
  command: EngageCommand<O>,
): EngageCommand<O> {
  return command;
}
