import { stat } from "node:fs/promises";
import type { Stats } from "node:fs";
import { EngageError } from "../core/errors.js";

/** Stats a path named by `--expected` or `--actual`; one that cannot be read is an input failure (exit 66). */
export async function statNamedPath(
  full: string,
  flag: "expected" | "actual",
  display: string,
): Promise<Stats> {
  try {
    return await stat(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new EngageError(
      "input_missing",
      `diff.${flag}_missing`,
      `--${flag} ${display}: cannot be read (${code})`,
    );
  }
}
