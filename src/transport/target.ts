import { isAbsolute, resolve } from "node:path";
import { posix } from "node:path";
import { EngageError } from "../core/errors.js";

/** A folder on this machine (or a mounted share) that stands in for the server. */
export interface LocalTarget {
  kind: "local";
  /** Absolute path of the folder. */
  dir: string;
  /** Secret-free form for logs and manifest keys: the absolute path. */
  display: string;
}

/** A folder on an SFTP server. */
export interface SftpTarget {
  kind: "sftp";
  user: string;
  /** Host name or address as written (IPv6 without brackets), lower-cased. */
  host: string;
  port: number;
  /**
   * The folder on the server: absolute (`/integration/promotions`), or relative to the login
   * folder (`.`, `out/promotions`) when the target was written `/~/…`.
   */
  path: string;
  /** Secret-free form for logs and manifest keys: `sftp://user@host[:port]/path`. */
  display: string;
}

export type Target = LocalTarget | SftpTarget;

export const DEFAULT_SFTP_PORT = 22;

/** The environment variable that carries the SFTP password (never a flag, never the URL). */
export const PASSWORD_ENV = "ENGAGE_PROMO_SFTP_PASSWORD";

/** The environment variable that carries the passphrase of the `--identity` key. */
export const PASSPHRASE_ENV = "ENGAGE_PROMO_SFTP_PASSPHRASE";

function usage(message: string): EngageError {
  return new EngageError("usage", "transport.target_invalid", message);
}

function decode(text: string, what: string, shown: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw usage(`target ${shown}: the ${what} has a bad %-escape`);
  }
}

/** `host` for use in a URL: IPv6 addresses in brackets. */
function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

/** Builds the display form; the port shows only when it is not 22, so the key stays stable. */
export function formatSftpDisplay(t: Pick<SftpTarget, "user" | "host" | "port" | "path">): string {
  const port = t.port === DEFAULT_SFTP_PORT ? "" : `:${t.port}`;
  const path = t.path.startsWith("/") ? t.path : t.path === "." ? "/~" : `/~/${t.path}`;
  return `sftp://${encodeURIComponent(t.user)}@${urlHost(t.host)}${port}${path}`;
}

function parseSftp(text: string): SftpTarget {
  // Shown in messages before anything is known: never echo the userinfo, it may hold a password.
  const shown = text.replace(/^(sftp:\/\/)[^@/]*@/i, "$1…@");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`target ${shown}: not a valid URL; expected sftp://user@host[:port]/remote/dir`);
  }
  if (url.password !== "" || /^sftp:\/\/[^@/]*:[^@/]*@/i.test(text)) {
    throw usage(
      `target ${formatSftpDisplay({ user: decode(url.username, "user", shown) || "user", host: url.hostname.replace(/^\[|\]$/g, "").toLowerCase(), port: Number(url.port || DEFAULT_SFTP_PORT), path: "/…" })}: ` +
        `a password in the target URL is refused (it would show in process lists, logs and the manifest); ` +
        `put it in the environment variable ${PASSWORD_ENV} or in a file named by --password-file`,
    );
  }
  const user = decode(url.username, "user", shown);
  if (user === "")
    throw usage(`target ${shown}: the user is missing; expected sftp://user@host[:port]/remote/dir`);
  if (/[\u0000-\u001f\u007f]/.test(user)) throw usage(`target ${shown}: the user holds control characters`);
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (host === "")
    throw usage(`target ${shown}: the host is missing; expected sftp://user@host[:port]/remote/dir`);
  const port = url.port === "" ? DEFAULT_SFTP_PORT : Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw usage(`target ${shown}: port must be 1–65535`);
  if (url.search !== "" || url.hash !== "")
    throw usage(`target ${shown}: a query (?…) or fragment (#…) has no meaning here`);
  const rawPath = decode(url.pathname, "path", shown);
  if (rawPath === "" || rawPath === "/") {
    if (!/^sftp:\/\/[^/]+\/+$/i.test(text)) {
      throw usage(
        `target ${shown}: the remote folder is missing; write /absolute/dir, or /~/dir for a folder in the login folder`,
      );
    }
  }
  if (/[\u0000-\u001f\u007f]/.test(rawPath))
    throw usage(`target ${shown}: the path holds control characters`);
  // The URL parser folds "a/../b" away; the text as written is what must not hold "..".
  const writtenPath = decode(text.replace(/^sftp:\/\/[^/]*/i, "").split(/[?#]/)[0] ?? "", "path", shown);
  if (writtenPath.split("/").includes(".."))
    throw usage(`target ${shown}: ".." is not allowed in the remote folder`);
  let path: string;
  if (rawPath === "/~" || rawPath.startsWith("/~/")) {
    const rest = posix.normalize(rawPath.slice(3) || ".").replace(/\/+$/, "");
    path = rest === "" || rest === "." ? "." : rest.replace(/^\.\//, "");
  } else {
    path = posix.normalize(rawPath).replace(/(.)\/+$/, "$1");
  }
  const target = { kind: "sftp" as const, user, host, port, path };
  return { ...target, display: formatSftpDisplay(target) };
}

/**
 * Parses a delivery target: `sftp://user@host[:port]/remote/dir` (absolute on the server;
 * `/~/dir` is relative to the login folder), `file:///dir`, or a local folder path resolved
 * against `cwd`. Throws a usage error (exit 2) for anything else, and refuses a password in the URL.
 */
export function parseTarget(text: string, cwd: string = process.cwd()): Target {
  const trimmed = text.trim();
  if (trimmed === "")
    throw usage("target is empty; expected sftp://user@host[:port]/remote/dir or a local folder");
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "sftp") return parseSftp(trimmed);
  if (scheme === "file") {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw usage(`target ${trimmed}: not a valid file URL`);
    }
    if (url.host !== "" && url.host !== "localhost")
      throw usage(`target ${trimmed}: a file URL must name a local folder (file:///dir)`);
    const dir = resolve(decode(url.pathname, "path", trimmed));
    return { kind: "local", dir, display: dir };
  }
  if (scheme !== undefined) {
    throw usage(
      `target ${trimmed.replace(/\/\/[^@/]*@/, "//…@")}: scheme ${scheme}:// is not supported; use sftp:// or a local folder`,
    );
  }
  if (/[\u0000]/.test(trimmed)) throw usage("target holds a NUL character");
  const dir = isAbsolute(trimmed) ? resolve(trimmed) : resolve(cwd, trimmed);
  return { kind: "local", dir, display: dir };
}

/** The full remote path of `name` inside the target folder (as the server will see it). */
export function remotePathOf(dir: string, name: string): string {
  return dir === "." ? name : posix.join(dir, name);
}
