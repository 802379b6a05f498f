import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The summary every command prints: the last stdout line, or stderr's when stdout holds data. */
  summary: Record<string, unknown>;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

/** Runs the CLI in this process with captured stdout and stderr, a clean environment and `cwd`. */
export async function runCli(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await main(
    argv,
    { stdout: out.stream, stderr: err.stream },
    options.env ?? {},
    options.cwd ?? process.cwd(),
  );
  const stdout = out.text();
  const stderr = err.text();
  const summary = lastSummaryLine(stdout) ?? lastSummaryLine(stderr) ?? {};
  return { code, stdout, stderr, summary };
}

/** The text's last line when it is a summary (a JSON object naming its command), else undefined. */
export function lastSummaryLine(text: string): Record<string, unknown> | undefined {
  const lines = text.trimEnd().split("\n");
  try {
    const value = JSON.parse(lines[lines.length - 1] ?? "") as unknown;
    if (typeof value === "object" && value !== null && "command" in value && "exitCode" in value)
      return value as Record<string, unknown>;
  } catch {
    // not JSON: no summary on this stream
  }
  return undefined;
}
