import type { Options } from "yargs";

/**
 * The switch of the commands that show progress. Offered as `--no-progress`, the form anyone
 * types (progress is on by default); `--progress` is still read, but not listed.
 */
export const PROGRESS_OPTIONS = {
  progress: { type: "boolean", hidden: true },
  "no-progress": {
    type: "boolean",
    describe: "No progress display on stderr (default: a bar on a terminal, else a line every 5 s)",
  },
} as const satisfies Record<string, Options>;
