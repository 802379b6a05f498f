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
    const message = (error as Error).message;
    throw new EngageError(
      "bad_config",
      codes.syntax,
      `${label}:${lineColumnOf(text, message)} not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, "")}`,
    );
  }
}

/** `line:column` of a JSON.parse failure, taken from its `at position N` (the end when it has none). */
function lineColumnOf(text: string, message: string): string {
  const match = / at position (\d+)/.exec(message);
  const offset = match === null ? text.length : Math.min(Number(match[1]), text.length);
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - (before.lastIndexOf("\n") + 1) + 1;
  return `${line}:${column}`;
}
