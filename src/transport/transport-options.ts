import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import type { Options } from "yargs";
import { EngageError } from "../core/errors.js";
import type { HostKeyPolicy } from "./host-key-check.js";
import { normalizeFingerprint } from "./known-hosts.js";
import { Secret } from "./secret.js";
import { PASSPHRASE_ENV, PASSWORD_ENV } from "./target.js";

/** Credentials for the SSH login; each value is a Secret that prints as `***`. */
export interface Credentials {
  password?: Secret;
  privateKey?: Secret;
  passphrase?: Secret;
  /** Where the private key came from, for messages. */
  identityFile?: string;
}

/** Everything a transport needs besides the target: host keys, credentials, retries, deadlines. */
export interface TransportOptions {
  hostKeys: HostKeyPolicy;
  credentials: Credentials;
  /** Retries after the first attempt for failures that may pass. */
  retries: number;
  retryDelayMs: number;
  /** The deadline of every remote call; for transfers, the longest time without a byte moving. */
  timeoutMs: number;
  keepaliveIntervalMs: number;
  /** Create a missing remote folder instead of refusing (exit 76). */
  mkdir: boolean;
}

export const DEFAULT_RETRIES = 5;
export const DEFAULT_RETRY_DELAY_MS = 1000;
export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_KEEPALIVE_MS = 10_000;

/** Connection options shared by upload, fetch and run: spread into a command's options. */
export const TRANSPORT_OPTIONS = {
  "known-hosts": {
    type: "string",
    describe:
      "OpenSSH known_hosts file to verify the server's host key ([host]:port entries for ports other than 22; hashed entries too); default ~/.ssh/known_hosts",
  },
  "host-key": {
    type: "string",
    array: true,
    describe: "Trust the host key with this fingerprint (SHA256:…, as ssh-keygen -lf prints it); repeatable",
  },
  "insecure-accept-any-host-key": {
    type: "boolean",
    describe: "Do not verify the host key (logged as a warning on every connection); never for production",
  },
  identity: {
    type: "string",
    describe: `Private key file for key authentication; its passphrase from ${PASSPHRASE_ENV}`,
  },
  "password-file": {
    type: "string",
    describe: `File holding the SFTP password (first line); or set ${PASSWORD_ENV}`,
  },
  retries: {
    type: "number",
    default: DEFAULT_RETRIES,
    describe: "Retries of a failed connection or transfer that may pass (refused, reset, timeout)",
  },
  "retry-delay-ms": {
    type: "number",
    default: DEFAULT_RETRY_DELAY_MS,
    describe: "First retry delay; doubles on each retry (with jitter), at most 60 s",
  },
  "timeout-ms": {
    type: "number",
    default: DEFAULT_TIMEOUT_MS,
    describe: "Deadline of each remote call; a transfer fails when no byte moves for this long",
  },
  mkdir: {
    type: "boolean",
    describe: "Create the remote folder when it is missing (default: refuse with exit 76)",
  },
} as const satisfies Record<string, Options>;

function wholeNumber(value: unknown, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const n = typeof value === "number" ? value : Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new EngageError(
      "usage",
      "cli.invalid_value",
      `--${name}: expected a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function readSecretFile(path: string, what: string, flag: string, warn?: (m: string) => void): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new EngageError(
      "input_missing",
      "transport.credentials_unreadable",
      `${flag} ${path}: the ${what} cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  try {
    // A credential readable by everyone on the machine is no longer a secret: say so, once.
    if (warn && (statSync(path).mode & 0o077) !== 0)
      warn(`${flag} ${path}: the file is readable by other users; chmod 600 it`);
  } catch {
    // the file was readable a moment ago; its mode is only advice
  }
  return text;
}

/**
 * Builds TransportOptions from parsed command arguments (the TRANSPORT_OPTIONS keys, camelCase
 * or kebab-case) and the environment: password from ENGAGE_PROMO_SFTP_PASSWORD or
 * `--password-file`, key from `--identity` with ENGAGE_PROMO_SFTP_PASSPHRASE. Relative paths
 * resolve against `cwd`. Bad values are usage errors (exit 2); unreadable files exit 66.
 */
export function transportOptionsFromArgs(
  args: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
  cwd: string = process.cwd(),
  warn?: (message: string) => void,
): TransportOptions {
  const get = (kebab: string): unknown =>
    args[kebab.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())] ?? args[kebab];
  const insecure = get("insecure-accept-any-host-key") === true;
  const knownHosts = get("known-hosts");
  const pinsRaw = stringList(get("host-key"));
  const pins = pinsRaw.map((p) => {
    const fp = normalizeFingerprint(p);
    if (fp === undefined)
      throw new EngageError(
        "usage",
        "cli.invalid_value",
        `--host-key: expected a fingerprint like SHA256:<43 base64 characters> (ssh-keygen -lf key.pub), got ${JSON.stringify(p)}`,
      );
    return fp;
  });
  if (insecure && (pins.length > 0 || (typeof knownHosts === "string" && knownHosts !== ""))) {
    throw new EngageError(
      "usage",
      "cli.conflicting_options",
      "--insecure-accept-any-host-key cannot be combined with --host-key or --known-hosts",
    );
  }
  const explicitKnownHosts = typeof knownHosts === "string" && knownHosts !== "";
  const home = env.HOME !== undefined && env.HOME !== "" ? env.HOME : homedir();
  const hostKeys: HostKeyPolicy = {
    knownHostsIsDefault: !explicitKnownHosts,
    pins,
    insecureAcceptAny: insecure,
  };
  // With pins only, a stale default file must not turn a pinned key into a "mismatch".
  if (explicitKnownHosts) hostKeys.knownHostsFile = resolve(cwd, knownHosts);
  else if (pins.length === 0 && !insecure) hostKeys.knownHostsFile = join(home, ".ssh", "known_hosts");

  const credentials: Credentials = {};
  const passwordFile = get("password-file");
  const envPassword = env[PASSWORD_ENV];
  if (typeof passwordFile === "string" && passwordFile !== "") {
    const path = resolve(cwd, passwordFile);
    const text = readSecretFile(path, "password", "--password-file", warn).replace(/\r?\n[\s\S]*$/, "");
    if (text === "")
      throw new EngageError(
        "bad_config",
        "transport.password_empty",
        `--password-file ${path}: the first line is empty`,
      );
    credentials.password = new Secret(text);
  } else if (envPassword !== undefined && envPassword !== "") {
    credentials.password = new Secret(envPassword);
  }
  const identity = get("identity");
  if (typeof identity === "string" && identity !== "") {
    const path = resolve(cwd, identity);
    credentials.privateKey = new Secret(readSecretFile(path, "private key", "--identity", warn));
    credentials.identityFile = path;
    const passphrase = env[PASSPHRASE_ENV];
    if (passphrase !== undefined && passphrase !== "") credentials.passphrase = new Secret(passphrase);
  }
  return {
    hostKeys,
    credentials,
    retries: wholeNumber(get("retries"), "retries", DEFAULT_RETRIES, 0, 100),
    retryDelayMs: wholeNumber(get("retry-delay-ms"), "retry-delay-ms", DEFAULT_RETRY_DELAY_MS, 0, 600_000),
    timeoutMs: wholeNumber(get("timeout-ms"), "timeout-ms", DEFAULT_TIMEOUT_MS, 1, 3_600_000),
    keepaliveIntervalMs: DEFAULT_KEEPALIVE_MS,
    mkdir: get("mkdir") === true,
  };
}
