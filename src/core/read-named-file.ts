import { readFile } from "node:fs/promises";
import type { ErrorCode } from "./error-codes.js";
import { EngageError, type ExitKind } from "./errors.js";

/**
 * Reads a file a flag or a setting names, as UTF-8 text: when it cannot be read, the failure is
 * `${label} cannot be read (<errno code>)` under the given exit kind and error code.
 */
export async function readNamedFile(
  path: string,
  label: string,
  failure: { kind: ExitKind; code: ErrorCode },
): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new EngageError(failure.kind, failure.code, `${label} cannot be read (${code})`, { cause: error });
  }
}
