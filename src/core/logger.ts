/** Levels in order of importance; `--quiet` keeps warnings and errors, `--verbose` adds debug. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The log port every stage may write to; the CLI decides where lines go (stderr). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
