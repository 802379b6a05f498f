import { createReadStream, createWriteStream } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { posix } from "node:path";
import { PassThrough } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ConnectConfig, SFTPWrapper } from "ssh2";
import type SftpClient from "ssh2-sftp-client";
import { EngageError } from "../core/errors.js";
import type { Logger } from "../cli/logger.js";
import { withDeadline } from "./deadline.js";
import { createHostKeyChecker } from "./host-key-check.js";
import { classifyRemoteError, cleanMessage } from "./remote-error.js";
import type { SftpTarget } from "./target.js";
import { PASSPHRASE_ENV, PASSWORD_ENV } from "./target.js";
import type { TransportOptions } from "./transport-options.js";
import type { RemoteEntry, RemoteStat, Transport, TransportSession, TransferHooks } from "./transport.js";

/** How files move over SFTP. */
export interface SftpTuning {
  /** Parallel `fastPut` instead of the streamed `put` (faster; some servers corrupt files with it). */
  fastPut?: boolean;
  /** Parallel `fastGet` instead of the streamed `get`. */
  fastGet?: boolean;
}

/**
 * One chunk is one SFTP request at OpenSSH's limit (256 KiB less the request overhead), so a
 * chunk is never split into two round trips. The write buffer keeps four requests in flight,
 * and bounds how far the local read runs ahead of what the server has acknowledged: the stall
 * deadline counts bytes read, so it fires at most ~1 MiB of silence late.
 */
const STREAM_CHUNK = 254 * 1024;
const WRITE_BUFFER = 4 * STREAM_CHUNK;
const CLOSE_DEADLINE_MS = 5000;

/** Whether the server announced posix-rename@openssh.com, or undefined when the library does not say. */
function offersPosixRename(sftp: SFTPWrapper): boolean | undefined {
  const extensions = (sftp as unknown as { _extensions?: unknown })._extensions;
  if (typeof extensions !== "object" || extensions === null) return undefined;
  return Object.prototype.hasOwnProperty.call(extensions, "posix-rename@openssh.com");
}

/** Loaded on first connect: the SSH stack costs every other command its start-up time otherwise. */
let clientClass: Promise<typeof SftpClient> | undefined;
function loadClient(): Promise<typeof SftpClient> {
  clientClass ??= import("ssh2-sftp-client").then((m) => m.default);
  return clientClass;
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * An SFTP transport on ssh2-sftp-client: host key verified before login (fail closed), a
 * deadline on every call, no-delay on the socket, keepalive, and the final rename done with
 * posix-rename when the server offers it.
 */
export function createSftpTransport(
  target: SftpTarget,
  options: TransportOptions,
  log: Logger,
  tuning: SftpTuning = {},
): Transport {
  const checker = createHostKeyChecker(options.hostKeys, target.host, target.port, log);
  const { credentials } = options;
  const secrets = [credentials.password, credentials.passphrase, credentials.privateKey];
  const endpoint = `${target.host.includes(":") ? `[${target.host}]` : target.host}:${target.port}`;

  return {
    target,
    async connect(): Promise<TransportSession> {
      let hostKeyError: EngageError | undefined;
      let rawError: (Error & { level?: string }) | undefined;
      let lost: string | undefined;
      let closing = false;
      const Client = await loadClient();
      const client = new Client("engage-promo", {
        // The library's defaults print to the console; here a loss is only remembered, and the
        // call in progress fails with it.
        error: (e) => {
          lost ??= cleanMessage(e, secrets);
        },
        end: () => {
          if (!closing) lost ??= "the server ended the connection";
        },
        close: () => {
          if (!closing) lost ??= "the connection closed";
        },
      });
      client.on("error", (e: Error & { level?: string }) => {
        rawError ??= e;
      });
      // Nagle's delay on the socket slowed streamed writes to ~2 MB/s over loopback: off.
      const sock: Socket = netConnect({
        host: target.host,
        port: target.port,
        noDelay: true,
        keepAlive: true,
      });
      sock.on("error", () => {
        // reported through the SSH client's own listener; this one only keeps a late error from crashing
      });
      const destroy = (): void => {
        sock.destroy();
      };

      const config: ConnectConfig = {
        sock,
        username: target.user,
        readyTimeout: options.timeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs,
        keepaliveCountMax: 3,
        tryKeyboard: false,
        hostVerifier: (key: Buffer) => {
          const refusal = checker.check(key);
          if (refusal) hostKeyError = refusal;
          return refusal === undefined;
        },
      };
      if (checker.algorithms)
        config.algorithms = {
          serverHostKey: checker.algorithms as NonNullable<
            NonNullable<ConnectConfig["algorithms"]>["serverHostKey"]
          >,
        };
      if (credentials.password) config.password = credentials.password.reveal();
      if (credentials.privateKey) config.privateKey = credentials.privateKey.reveal();
      if (credentials.passphrase) config.passphrase = credentials.passphrase.reveal();

      let sftp: SFTPWrapper;
      try {
        sftp = await withDeadline(
          options.timeoutMs,
          () => {
            destroy();
            return new EngageError(
              "remote_unavailable",
              "transport.deadline",
              `connect to ${endpoint}: no answer within ${options.timeoutMs} ms`,
              { retryable: true },
            );
          },
          () => client.connect(config),
        );
      } catch (error) {
        destroy();
        if (hostKeyError) throw hostKeyError;
        const why = cleanMessage(error, secrets);
        if (checker.algorithms && /no matching host key/i.test(why)) {
          // Asked only for the key types known_hosts lists for this host, and the server has none
          // of them: as good as a changed key.
          throw new EngageError(
            "auth_refused",
            "transport.host_key_mismatch",
            `host key of ${endpoint} does not match: known_hosts lists only ${checker.algorithms.join(", ")} keys for it, and the server offers none of those types; refusing to connect`,
          );
        }
        if (/privatekey|passphrase|unsupported key format|encrypted/i.test(why) && credentials.privateKey) {
          const hint = credentials.passphrase ? "" : ` (for an encrypted key, set ${PASSPHRASE_ENV})`;
          throw new EngageError(
            "auth_refused",
            "transport.identity_unusable",
            `--identity ${credentials.identityFile ?? ""}: the key cannot be used: ${why}${hint}`,
          );
        }
        if (rawError?.level === "client-authentication" || /authentication methods failed/i.test(why)) {
          const tried = [
            credentials.privateKey ? `key ${credentials.identityFile ?? ""}` : "",
            credentials.password ? "password" : "",
          ].filter(Boolean);
          const detail =
            tried.length === 0
              ? `no credentials were given: set ${PASSWORD_ENV}, or pass --password-file or --identity`
              : `tried ${tried.join(" and ")}`;
          throw new EngageError(
            "auth_refused",
            "transport.auth_failed",
            `login as ${target.user} on ${endpoint} refused (${detail})`,
          );
        }
        if (error instanceof EngageError) throw error;
        throw classifyRemoteError(error, "connect to", endpoint, secrets);
      }

      let broken = false;
      const call = <T>(
        op: string,
        path: string | undefined,
        work: (touch: () => void) => Promise<T>,
      ): Promise<T> => {
        if (broken || lost !== undefined) {
          return Promise.reject(
            new EngageError(
              "remote_unavailable",
              "transport.connection_lost",
              `${op}${path ? ` ${path}` : ""}: ${lost ?? "the connection was dropped"}`,
              { retryable: true },
            ),
          );
        }
        return withDeadline(
          options.timeoutMs,
          () => {
            broken = true;
            destroy();
            return new EngageError(
              "remote_unavailable",
              "transport.deadline",
              `${op}${path ? ` ${path}` : ""}: no answer from ${endpoint} within ${options.timeoutMs} ms`,
              { retryable: true },
            );
          },
          work,
        ).catch((error: unknown) => {
          if (error instanceof EngageError) throw error;
          if (lost !== undefined) {
            throw new EngageError(
              "remote_unavailable",
              "transport.connection_lost",
              `${op}${path ? ` ${path}` : ""}: ${lost}`,
              { retryable: true },
            );
          }
          throw classifyRemoteError(error, op, path, secrets);
        });
      };

      let dir: string;
      try {
        dir = target.path.startsWith("/")
          ? target.path
          : posix.join(await call("realpath", "~", () => client.realPath(".")), target.path);
      } catch (error) {
        destroy();
        throw error;
      }
      let posixRename = offersPosixRename(sftp);
      log.debug(
        `connected to ${endpoint}; posix-rename@openssh.com: ${posixRename === undefined ? "unknown" : posixRename ? "offered" : "not offered"}`,
      );

      const stat = (path: string): Promise<RemoteStat | undefined> =>
        call("stat", path, async () => {
          try {
            const s = await client.stat(path);
            return { size: s.size, isFile: s.isFile, isDirectory: s.isDirectory };
          } catch (error) {
            if (errorCode(error) === "ENOENT" && lost === undefined) return undefined;
            throw error;
          }
        });

      const session: TransportSession = {
        dir,
        resolve: (relative) =>
          relative.startsWith("/") ? posix.normalize(relative) : posix.join(dir, relative),
        stat,
        list: (path) =>
          call("list", path, async () => {
            const items = await client.list(path);
            return items.map((i): RemoteEntry => ({ name: i.name, size: i.size, isFile: i.type === "-" }));
          }),
        put: (localPath, remotePath, hooks: TransferHooks = {}) =>
          call("upload to", remotePath, async (touch) => {
            if (tuning.fastPut) {
              let previous = 0;
              await client.fastPut(localPath, remotePath, {
                step: (total) => {
                  touch();
                  hooks.onBytes?.(total - previous);
                  previous = total;
                },
              });
              return;
            }
            const source = createReadStream(localPath, { highWaterMark: STREAM_CHUNK });
            source.on("data", (chunk) => {
              touch();
              hooks.onBytes?.(chunk.length);
            });
            try {
              // The write stream opens with "w": a leftover from an interrupted run is truncated.
              await client.put(source, remotePath, {
                writeStreamOptions: {
                  flags: "w",
                  highWaterMark: WRITE_BUFFER,
                } as SftpClient.WriteStreamOptions,
              });
            } finally {
              source.destroy();
            }
          }),
        get: (remotePath, localPath, hooks: TransferHooks = {}) =>
          call("download", remotePath, async (touch) => {
            if (tuning.fastGet) {
              let previous = 0;
              await client.fastGet(remotePath, localPath, {
                step: (total) => {
                  touch();
                  hooks.onBytes?.(total - previous);
                  previous = total;
                },
              });
              return;
            }
            const counter = new PassThrough({ highWaterMark: STREAM_CHUNK });
            counter.on("data", (chunk: Buffer) => {
              touch();
              hooks.onBytes?.(chunk.length);
            });
            // Not flushed here: the caller fsyncs while the next file downloads.
            const written = pipeline(
              counter,
              createWriteStream(localPath, { flags: "w", highWaterMark: STREAM_CHUNK }),
            );
            written.catch(() => undefined);
            try {
              await client.get(remotePath, counter, {
                readStreamOptions: { highWaterMark: STREAM_CHUNK } as SftpClient.ReadStreamOptions,
              });
            } catch (error) {
              counter.destroy();
              throw error;
            }
            await written;
          }),
        replace: (from, to) =>
          call("rename", `${from} to ${to}`, async () => {
            if (posixRename !== false) {
              try {
                await client.posixRename(from, to);
                return;
              } catch (error) {
                if (posixRename === true || lost !== undefined || !/not support/i.test(cleanMessage(error)))
                  throw error;
                posixRename = false;
              }
            }
            // Plain SFTP rename refuses an existing target: remove it first. The final name is
            // then briefly absent, never partial.
            try {
              await client.rename(from, to);
            } catch (error) {
              if (lost !== undefined) throw error;
              const existing = await client.exists(to);
              if (existing !== "-") throw error;
              await client.delete(to);
              await client.rename(from, to);
            }
          }),
        remove: (path) =>
          call("delete", path, async () => {
            await client.delete(path);
          }),
        mkdir: (path) =>
          call("mkdir", path, async () => {
            await client.mkdir(path, true);
          }),
        async close() {
          if (closing) return;
          closing = true;
          if (!broken && lost === undefined) {
            try {
              await withDeadline(
                Math.min(options.timeoutMs, CLOSE_DEADLINE_MS),
                () => new Error("end timed out"),
                () => client.end(),
              );
            } catch {
              // best effort: the socket is destroyed below either way
            }
          }
          destroy();
        },
      };
      return session;
    },
  };
}
