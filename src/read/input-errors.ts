import { EngageError } from "../core/errors.js";

/**
 * Turns a file system error on an input file into the environment failure it means (exit 66);
 * anything else (a bug) is handed back unchanged, so it is not mistaken for an unreadable file.
 */
export function unreadable(file: string, error: unknown): unknown {
  if (error instanceof EngageError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string" || !code.startsWith("E")) return error;
  if (code === "ENOENT" || code === "ENOTDIR")
    return new EngageError("input_missing", "read.file_missing", `${file}: no such file`, { cause: error });
  if (code === "EISDIR")
    return new EngageError("input_missing", "read.file_unreadable", `${file}: is a directory, not a file`, {
      cause: error,
    });
  return new EngageError("input_missing", "read.file_unreadable", `${file}: cannot be read (${code})`, {
    cause: error,
  });
}
