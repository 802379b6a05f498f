import { EngageError } from "../core/errors.js";
import { redact, type Secret } from "./secret.js";

/** Socket and DNS error codes of failures that may pass on their own. */
const TRANSIENT_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_PREMATURE_CLOSE",
  "ERR_NOT_CONNECTED",
]);

/** How the SSH and SFTP libraries word a lost or dead connection. */
const TRANSIENT_MESSAGE =
  /unexpected (end|close) event|no sftp connection|no response from server|keepalive timeout|timed out while waiting for handshake|connection lost before handshake|socket hang up|not connected|channel open failure|connection (lost|closed)|write after end|premature close/i;

/** SFTP status codes (draft-ietf-secsh-filexfer-02). */
const SFTP_STATUS = {
  noSuchFile: 2,
  permissionDenied: 3,
  failure: 4,
  noConnection: 6,
  connectionLost: 7,
  unsupported: 8,
};

/** The error's message without the library's call-site prefixes, secrets and line breaks. */
export function cleanMessage(error: unknown, secrets: readonly (Secret | undefined)[] = []): string {
  const raw = error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error";
  const text = raw
    .replace(/^(?:[\w.]+(?:->|: ))+/, "")
    .replace(/\s+/g, " ")
    .trim();
  return redact(text || "unknown error", secrets);
}

function codeOf(error: unknown): string | number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" || typeof code === "number" ? code : undefined;
}

/**
 * Maps an error from the SSH/SFTP libraries or the file system, met while doing `op` on
 * `path`, to an EngageError: lost connections and socket failures are retryable
 * (`remote_unavailable`, exit 69), permission and other refusals are not (`remote_refused`,
 * exit 76). The message is built from the error's message only: error objects can carry the
 * connection options, secrets included.
 */
export function classifyRemoteError(
  error: unknown,
  op: string,
  path: string | undefined,
  secrets: readonly (Secret | undefined)[] = [],
): EngageError {
  if (error instanceof EngageError) return error;
  const code = codeOf(error);
  const where = path === undefined ? op : `${op} ${path}`;
  const why = cleanMessage(error, secrets);
  if (
    (typeof code === "string" && TRANSIENT_CODES.has(code)) ||
    code === SFTP_STATUS.noConnection ||
    code === SFTP_STATUS.connectionLost ||
    TRANSIENT_MESSAGE.test(why)
  ) {
    return new EngageError("remote_unavailable", "transport.connection_lost", `${where}: ${why}`, {
      retryable: true,
    });
  }
  if (code === SFTP_STATUS.permissionDenied || code === "EACCES" || code === "EPERM" || code === "EROFS") {
    return new EngageError(
      "remote_refused",
      "transport.permission_denied",
      `${where}: permission denied (${why})`,
    );
  }
  if (code === SFTP_STATUS.noSuchFile || code === "ENOENT" || code === "ENOTDIR") {
    return new EngageError(
      "remote_refused",
      "transport.not_found",
      `${where}: no such file or folder (${why})`,
    );
  }
  if (code === SFTP_STATUS.unsupported) {
    return new EngageError(
      "remote_refused",
      "transport.unsupported",
      `${where}: the server does not support this (${why})`,
    );
  }
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new EngageError("remote_refused", "transport.no_space", `${where}: no space left (${why})`);
  }
  return new EngageError(
    "remote_refused",
    op === "rename" ? "transport.rename_failed" : "transport.remote_failed",
    `${where}: ${why}`,
  );
}
