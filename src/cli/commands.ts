import type { EngageCommand } from "./command.js";

/** Every subcommand, in the order `--help` lists them. */
export const COMMANDS: EngageCommand[] = [];
