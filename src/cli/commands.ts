import type { EngageCommand } from "./command.js";

/** A subcommand by name; its module (and the stage code behind it) loads only when needed. */
export interface CommandEntry {
  name: string;
  load(): Promise<EngageCommand>;
}

const as = (c: unknown) => c as EngageCommand;

/**
 * Every subcommand, in the order `--help` lists them. Loading lazily keeps start-up short: a
 * nightly `upload` does not pay for the validate, render, parse and diff modules.
 */
export const COMMANDS: readonly CommandEntry[] = [
  { name: "validate", load: async () => as((await import("./commands/validate.js")).validateCommand) },
  { name: "render", load: async () => as((await import("./commands/render.js")).renderCommand) },
  { name: "upload", load: async () => as((await import("./commands/upload.js")).uploadCommand) },
  { name: "run", load: async () => as((await import("./commands/run.js")).runCommand) },
  { name: "fetch", load: async () => as((await import("./commands/fetch.js")).fetchCommand) },
  { name: "parse", load: async () => as((await import("./commands/parse.js")).parseCommand) },
  { name: "diff", load: async () => as((await import("./commands/diff.js")).diffCommand) },
  // `import <source>`: the source is a positional word (`import voucherify`), one entry for all sources
  {
    name: "import",
    load: async () => as((await import("./commands/import-voucherify.js")).importVoucherifyCommand),
  },
  { name: "api", load: async () => as((await import("./commands/api.js")).apiCommand) },
  { name: "schema", load: async () => as((await import("./commands/schema.js")).schemaCommand) },
];
