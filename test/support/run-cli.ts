import { Writable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line, parsed: the summary every command prints. */
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
  const lines = stdout.trimEnd().split("\n");
  let summary: Record<string, unknown>;
  try {
    summary = JSON.parse(lines[lines.length - 1] ?? "{}") as Record<string, unknown>;
  } catch {
    summary = {};
  }
  return { code, stdout, stderr: err.text(), summary };
}
