import type { EngageCommand } from "./command.js";
import { diffCommand } from "./commands/diff.js";
import { fetchCommand } from "./commands/fetch.js";
import { parseCommand } from "./commands/parse.js";
import { renderCommand } from "./commands/render.js";
import { runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { uploadCommand } from "./commands/upload.js";
import { validateCommand } from "./commands/validate.js";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: EngageCommand[] = [
  validateCommand,
  renderCommand,
  uploadCommand,
  runCommand,
  fetchCommand,
  parseCommand,
  diffCommand,
  schemaCommand,
] as unknown as EngageCommand[];
