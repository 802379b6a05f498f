import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { resolve } from "node:path";
import { EngageError } from "../core/errors.js";
import type { Profile } from "../schemas/profile.js";

/**
 * The identity of a run's render: the bytes of every input in order, the profile, and the
 * settings that change what is rendered. Equal keys mean the same files would be rendered, so
 * `run` reuses the earlier render (and its timestamp) and only delivers what is not yet verified.
 */
export async function computeRunKey(
  inputs: readonly string[],
  profile: Profile,
  settings: Record<string, unknown>,
  cwd: string,
): Promise<string> {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ profile, settings }));
  for (const input of inputs) {
    const fileHash = createHash("sha256");
    try {
      for await (const chunk of createReadStream(resolve(cwd, input))) fileHash.update(chunk as Buffer);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new EngageError(
        "input_missing",
        "read.file_missing",
        `${input}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`}`,
      );
    }
    hash.update(`\0${fileHash.digest("hex")}`);
  }
  return hash.digest("hex");
}
