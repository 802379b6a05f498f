/** The command word: the first argument that is neither a flag nor the value of `--config`. */
export function findCommandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === "--config" || arg === "--summary-file") i += 1;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}
