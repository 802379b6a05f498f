import { resolve } from "node:path";
import { EngageError } from "../core/errors.js";
import { readConfigJson } from "../core/read-config-json.js";

export const CONFIG_FILE_NAME = "engage-promo.config.json";
export const ENV_PREFIX = "ENGAGE_PROMO_";

/** `maxRejects` → `ENGAGE_PROMO_MAX_REJECTS`. */
export function envNameOf(option: string): string {
  return (
    ENV_PREFIX +
    option
      .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
      .replace(/-/g, "_")
      .toUpperCase()
  );
}

function camel(key: string): string {
  return key.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Reads the config file: `--config` when given (missing is an error), else
 * `engage-promo.config.json` in the working directory when present. Keys are option names
 * (camelCase or kebab-case) at the top level, or inside a section named after a command,
 * which wins over the top level for that command.
 */
export function readConfigFile(
  explicit: string | undefined,
  cwd: string,
): { path?: string; data: Record<string, unknown> } {
  const path = explicit !== undefined ? resolve(cwd, explicit) : resolve(cwd, CONFIG_FILE_NAME);
  const data = readConfigJson(
    path,
    `config file ${path}`,
    { unreadable: "config.unreadable", syntax: "config.json_syntax" },
    explicit === undefined,
  );
  if (data === undefined) return { data: {} };
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new EngageError(
      "bad_config",
      "config.shape",
      `config file ${path}: expected a JSON object of option names, got ${Array.isArray(data) ? "an array" : typeof data}`,
    );
  }
  return { path, data: data as Record<string, unknown> };
}

/**
 * Builds the values that stand below the command line for one command: environment variables
 * (`ENGAGE_PROMO_<OPTION>`) over the config file. Only the command's own options are taken, so
 * a variable meant for another command never trips it; a config key no command knows is an
 * error (exit 78), as is a value of the wrong type.
 */
export function resolveLowerSources(input: {
  command: string;
  commandOptions: Record<string, { type?: string; array?: boolean }>;
  allOptionNames: ReadonlySet<string>;
  commandNames: ReadonlySet<string>;
  file: { path?: string; data: Record<string, unknown> };
  env: NodeJS.ProcessEnv;
  /** Filled with where each value came from (option → `file (section): key` or the variable). */
  sources?: Map<string, string>;
}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const where = input.file.path ?? CONFIG_FILE_NAME;
  const own = new Map(Object.entries(input.commandOptions).map(([k, v]) => [camel(k), v] as const));

  const take = (key: string, value: unknown, source: string): void => {
    const name = camel(key);
    const spec = own.get(name);
    if (spec === undefined) return;
    if (spec.type === "boolean") {
      if (typeof value === "string" && /^(true|false|1|0)$/i.test(value)) value = /^(true|1)$/i.test(value);
      if (typeof value !== "boolean")
        throw new EngageError(
          "bad_config",
          "config.invalid_value",
          `${source}: ${key} must be true or false`,
        );
    } else if (spec.array) {
      if (typeof value === "string") value = [value];
      if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
        throw new EngageError(
          "bad_config",
          "config.invalid_value",
          `${source}: ${key} must be a list of strings`,
        );
    } else if (typeof value === "number") {
      value = String(value);
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      // Structured values such as a column mapping are passed on as JSON text, as on the command line.
      value = JSON.stringify(value);
    } else if (typeof value !== "string") {
      throw new EngageError("bad_config", "config.invalid_value", `${source}: ${key} must be a string`);
    }
    out[name] = value;
    input.sources?.set(
      name,
      source === where || source.startsWith(`${where} (`) ? `${source}: ${key}` : source,
    );
  };

  const checkKnown = (key: string, source: string): void => {
    if (!input.allOptionNames.has(camel(key)))
      throw new EngageError("bad_config", "config.unknown_key", `${source}: unknown option "${key}"`);
  };

  for (const [key, value] of Object.entries(input.file.data)) {
    if (key === "$schema") continue;
    if (input.commandNames.has(key)) continue;
    checkKnown(key, where);
    take(key, value, where);
  }
  const section = input.file.data[input.command];
  if (section !== undefined) {
    if (typeof section !== "object" || section === null || Array.isArray(section))
      throw new EngageError(
        "bad_config",
        "config.shape",
        `${where}: "${input.command}" must be an object of options`,
      );
    for (const [key, value] of Object.entries(section)) {
      checkKnown(key, `${where} (${input.command})`);
      take(key, value, `${where} (${input.command})`);
    }
  }
  for (const name of own.keys()) {
    const value = input.env[envNameOf(name)];
    if (value !== undefined && value !== "") take(name, value, envNameOf(name));
  }
  return out;
}

/**
 * A bad value that came from the config file or an `ENGAGE_PROMO_*` variable is a configuration
 * error (exit 78) that names the key or the variable, not the flag the user never typed.
 */
export function blameLowerSource(
  error: EngageError,
  argv: readonly string[],
  sources: ReadonlyMap<string, string>,
  aliases: Readonly<Record<string, string>> = {},
): EngageError {
  if (error.kind !== "usage") return error;
  // Our own messages start with the flag (`--max-rejects: …`); yargs names it as `Argument: x`.
  const named =
    /^--([a-zA-Z0-9-]+)/.exec(error.message)?.[1] ?? /Argument: ([a-zA-Z0-9-]+)/.exec(error.message)?.[1];
  if (named === undefined) return error;
  const name = camel(named);
  const source = sources.get(name);
  if (source === undefined) return error;
  const kebab = name.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  const flags = [
    `--${kebab}`,
    `--${name}`,
    `--no-${kebab}`,
    ...Object.entries(aliases)
      .filter(([, v]) => v === name)
      .map(([a]) => `-${a}`),
  ];
  if (argv.some((a) => flags.some((f) => a === f || a.startsWith(`${f}=`)))) return error;
  const detail = error.message.startsWith(`--${named}`)
    ? error.message.slice(named.length + 2).replace(/^:\s*/, "")
    : error.message;
  return new EngageError("bad_config", "config.invalid_value", `${source}: ${detail}`, { cause: error });
}
