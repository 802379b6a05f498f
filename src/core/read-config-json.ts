import { readFileSync } from "node:fs";
import type { ErrorCode } from "./error-codes.js";
import { EngageError } from "./errors.js";

/**
 * Reads a JSON configuration document (a config file, a profile): unreadable or not JSON is a
 * configuration error (exit 78) that names the file; `missingOk` turns a missing file into
 * `undefined`.
 */
export function readConfigJson(
  path: string,
  label: string,
  codes: { unreadable: ErrorCode; syntax: ErrorCode },
  missingOk = false,
): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    if (missingOk && code === "ENOENT") return undefined;
    throw new EngageError("bad_config", codes.unreadable, `${label}: cannot be read (${code})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new EngageError(
      "bad_config",
      codes.syntax,
      `${label}: not valid JSON: ${(error as Error).message}`,
    );
  }
}
