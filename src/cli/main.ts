import { realpathSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { fileURLToPath } from "node:url";
import yargs, { type Argv, type Options } from "yargs";
import { EngageError, EXIT_BROKEN_PIPE, EXIT_CODES } from "../core/errors.js";
import { countBySeverity } from "../core/issue.js";
import { COMMANDS } from "./commands.js";
import { findCommandWord } from "./command-word.js";
import type { CommandOutcome } from "./command.js";
import { blameLowerSource, readConfigFile, resolveLowerSources } from "./config.js";
import { openPipes, type PipesSession } from "./dagster-pipes.js";
import { buildSummary, writeSummaryFile, type SummaryParts } from "./summary.js";
import type { LogLevel } from "../core/logger.js";
import { createLogger } from "./logger.js";
import { createProgress } from "./progress.js";
import { formatIssuesText } from "./report-issues.js";
import { writeIssuesJson } from "./write-issues-json.js";
import { explainUsageError } from "./suggest.js";
import { TOOL_VERSION } from "./version.js";

/** Options every command takes. */
export const GLOBAL_OPTIONS = {
  config: {
    type: "string",
    describe: "Config file (JSON); default: engage-promo.config.json in the working directory",
  },
  quiet: { type: "boolean", alias: "q", describe: "Only warnings and errors on stderr; no progress" },
  verbose: { type: "boolean", alias: "v", describe: "Debug lines on stderr" },
  "summary-file": {
    type: "string",
    describe: "Also write the JSON summary to this file (atomically), for schedulers that read files",
  },
} as const satisfies Record<string, Options>;

export interface Streams {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const camel = (key: string) => key.replace(/-([a-z])/g, (_, x: string) => x.toUpperCase());

/** The value of a global flag read before yargs runs, so a usage error still honours it. */
function earlyFlag(argv: readonly string[], flag: string): string | undefined {
  const i = argv.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i < 0) return undefined;
  return argv[i]!.includes("=") ? argv[i]!.slice(flag.length + 1) : argv[i + 1];
}

/**
 * Before it runs a command's handler, yargs renders that command's whole help text and keeps it
 * for a later `showHelp()`, which no handler here calls: as long as loading the SSH library, on
 * every run. The text is rendered when asked for (`--help`, a usage error) as before.
 */
function skipHelpCache(cli: Argv): void {
  const internals = (cli as unknown as { getInternalMethods?: () => unknown }).getInternalMethods?.() as
    { getUsageInstance?: () => { cacheHelpMessage?: () => void } } | undefined;
  const usage = internals?.getUsageInstance?.();
  if (typeof usage?.cacheHelpMessage === "function") usage.cacheHelpMessage = () => undefined;
}

/** Parses `argv`, runs the command, prints issues, logs and the summary line; returns the exit code. */
export async function main(
  argv: string[],
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  const started = Date.now();
  const startedAt = new Date(started);
  const names = new Set(COMMANDS.map((c) => c.name));
  const requested = findCommandWord(argv);
  let outcome: CommandOutcome | undefined;
  const name = requested !== undefined && names.has(requested) ? requested : "engage-promo";
  const summaryFile = earlyFlag(argv, "--summary-file");
  // stdout holds data or the summary, never both: once a command wrote data there, the summary
  // goes to stderr as its last line, so `parse … > records.json` stays valid JSON.
  let dataOnStdout = false;
  const writeData = (text: string): void => {
    dataOnStdout = true;
    streams.stdout.write(text);
  };
  /** Prints the summary where it belongs and to `--summary-file`; returns the exit code. */
  let pipes: PipesSession | undefined;
  const finish = (parts: SummaryParts): number => {
    const summary = buildSummary(name, parts, Date.now() - started);
    try {
      pipes?.close(summary);
    } catch (error) {
      streams.stderr.write(
        `engage-promo ${name}: Dagster Pipes messages cannot be written (${(error as Error).message})\n`,
      );
    }
    let exitCode = parts.exitCode;
    if (summaryFile !== undefined && summaryFile !== "") {
      try {
        writeSummaryFile(summaryFile, cwd, summary);
      } catch (error) {
        const e =
          error instanceof EngageError
            ? error
            : new EngageError("output_failed", "cli.summary_unwritable", (error as Error).message);
        streams.stderr.write(`engage-promo ${name}: ${e.message} (${e.code})\n`);
        if (exitCode === 0) exitCode = e.exitCode;
      }
    }
    (dataOnStdout ? streams.stderr : streams.stdout).write(`${JSON.stringify(summary)}\n`);
    return exitCode;
  };

  const sources = new Map<string, string>();
  try {
    pipes = openPipes(env, streams);
    const configArg = earlyFlag(argv, "--config");
    const file = readConfigFile(configArg, cwd);
    const entry = COMMANDS.find((c) => c.name === name);
    const spec = entry ? await entry.load() : undefined;
    const own = new Set([...Object.keys(GLOBAL_OPTIONS), ...Object.keys(spec?.options ?? {})].map(camel));
    // Every command is loaded only for the command list (`--help`, an unknown command), or to
    // tell a config key meant for another command from one no command knows.
    const foreignKey = Object.keys(file.data).some(
      (k) => k !== "$schema" && !names.has(k) && !own.has(camel(k)),
    );
    // `--version` on its own needs no command: it stays as quick as the tool can start.
    const versionOnly =
      requested === undefined &&
      argv.includes("--version") &&
      !argv.some((a) => a === "--help" || a === "-h");
    const specs = versionOnly
      ? []
      : spec === undefined || foreignKey
        ? await Promise.all(COMMANDS.map((c) => c.load()))
        : [spec];
    const allOptionNames = new Set(own);
    for (const c of specs) for (const k of Object.keys(c.options)) allOptionNames.add(camel(k));
    const lower = spec
      ? resolveLowerSources({
          sources,
          command: name,
          commandOptions: spec.options as Record<string, { type?: string; array?: boolean }>,
          allOptionNames,
          commandNames: names,
          file,
          env,
        })
      : {};

    let cli: Argv = yargs(argv)
      .scriptName("engage-promo")
      .parserConfiguration({
        "parse-numbers": false,
        "parse-positional-numbers": false,
        "strip-aliased": true,
      })
      .options(GLOBAL_OPTIONS)
      .config(lower)
      .strict()
      .demandCommand(1, "give a command: engage-promo <command> --help lists them")
      .recommendCommands()
      .version(TOOL_VERSION)
      .help()
      .exitProcess(false)
      .fail((msg: string | undefined, err: Error | undefined) => {
        if (err instanceof EngageError) throw err;
        const options = spec === undefined ? undefined : { ...GLOBAL_OPTIONS, ...spec.options };
        const text = explainUsageError(msg ?? err?.message ?? "usage error", {
          argv,
          commands: [...names],
          requested,
          options,
        });
        throw new EngageError("usage", "cli.usage", text);
      });

    for (const c of specs) {
      cli = cli.command(
        c.command,
        c.describe,
        (y) => {
          let b = y;
          for (const [k, p] of Object.entries(c.positionals ?? {})) b = b.positional(k, p);
          b = b.options(c.options);
          for (const [cmd, what] of c.examples ?? []) b = b.example(cmd, what);
          return b;
        },
        async (args) => {
          const a = args as Record<string, unknown>;
          const level: LogLevel = a.verbose ? "debug" : a.quiet ? "warn" : "info";
          const tty = Boolean(streams.stderr.isTTY);
          const terminal = createLogger(streams.stderr, { level, command: name, timestamps: !tty });
          const log = pipes ? pipes.logger(terminal) : terminal;
          const showProgress = a.progress !== false && !a.quiet;
          outcome = await c.run(a as never, {
            command: name,
            cwd,
            startedAt,
            log,
            env,
            progress: (o) => createProgress(streams.stderr, { ...o, tty, enabled: showProgress }),
            stdout: writeData,
          });
          const issues = outcome.issues ?? [];
          const format =
            c.issuesFormatOption && outcome.issuesAsText !== true ? a[c.issuesFormatOption] : undefined;
          if (issues.length > 0) {
            if (format === "json") {
              dataOnStdout = true;
              await writeIssuesJson(streams.stdout, issues);
            } else
              streams.stderr.write(formatIssuesText(issues, { limitPerFile: a.verbose ? Infinity : 200 }));
          }
        },
      );
    }
    skipHelpCache(cli);
    // yargs hands --help and --version text to this callback instead of printing it itself.
    let shown = "";
    await cli.parseAsync(argv, {}, (_err: Error | undefined, _argv: unknown, output: string) => {
      shown = output;
    });
    if (outcome === undefined) {
      if (shown !== "") streams.stdout.write(`${shown}\n`);
      return 0;
    }
    return finish({
      status: outcome.status,
      exitCode: EXIT_CODES[outcome.exit].code,
      error: outcome.error,
      counts: outcome.counts,
      details: outcome.summary,
      issues: countBySeverity(outcome.issues ?? []),
    });
  } catch (thrown) {
    const error = thrown instanceof EngageError ? blameLowerSource(thrown, argv, sources) : thrown;
    if (error instanceof EngageError) {
      streams.stderr.write(`engage-promo ${name}: ${error.message} (${error.code})\n`);
      if (error.kind === "usage") streams.stderr.write("Run engage-promo --help for usage.\n");
      return finish({
        status: "failed",
        exitCode: error.exitCode,
        error: { code: error.code, message: error.message },
      });
    }
    const err = error as Error;
    streams.stderr.write(`engage-promo ${name}: internal error: ${err.message}\n${err.stack ?? ""}\n`);
    return finish({
      status: "failed",
      exitCode: EXIT_CODES.internal.code,
      error: { code: "internal", message: err.message },
    });
  }
}

function isEntryPoint(): boolean {
  try {
    return (
      process.argv[1] !== undefined &&
      realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
}

/**
 * Runs the command line of this process (`process.argv`) and sets its exit code: the entry
 * point's whole work, whether the bundle's entry file or this module run on its own calls it.
 */
export async function runCli(): Promise<void> {
  // render and run stream millions of rows through a live heap of about 12 MB: collect the old
  // generation once it has doubled, not up to fourfold (30 MB more peak RSS, on some runs only).
  if (["render", "run"].includes(findCommandWord(process.argv.slice(2)) ?? ""))
    setFlagsFromString("--heap-growing-percent=100");
  // A reader that closed stdout (`… | head -1`) has all it wants: stop quietly with the
  // shell's status for a broken pipe (128 + SIGPIPE) instead of a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(EXIT_BROKEN_PIPE);
    throw error;
  });
  const code = await main(process.argv.slice(2));
  process.exitCode = code;
}

if (isEntryPoint()) await runCli();
