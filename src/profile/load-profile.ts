import { resolve } from "node:path";
import type * as z from "zod";
import { EngageError } from "../core/errors.js";
import { readConfigJson } from "../core/read-config-json.js";
import { ProfileSchema, type Profile } from "../schemas/profile.js";
import { DEFAULT_PROFILE } from "./default-profile.js";

/** Turns zod issues into one line per problem: `import.promotion: expected an XML element name …`. */
export function describeZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `${i.path.length > 0 ? i.path.join(".") : "(top level)"}: ${i.message}`)
    .join("; ");
}

/** Checks a parsed profile document against the schema; a problem is a configuration error (exit 78). */
export function parseProfile(data: unknown, source: string): Profile {
  const result = ProfileSchema.safeParse(data);
  if (!result.success) {
    throw new EngageError(
      "bad_config",
      "config.profile_invalid",
      `profile ${source}: ${describeZodIssues(result.error.issues)}`,
    );
  }
  return result.data;
}

/** Loads a format profile file (`--profile`), or the built-in default profile when none is given. */
export async function loadProfile(path: string | undefined, cwd: string = process.cwd()): Promise<Profile> {
  if (path === undefined || path === "") return DEFAULT_PROFILE;
  const full = resolve(cwd, path);
  const data = readConfigJson(full, `profile ${path}`, {
    unreadable: "config.profile_unreadable",
    syntax: "config.profile_invalid",
  });
  return parseProfile(data, path);
}
