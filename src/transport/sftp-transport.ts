import { open, stat as fsStat, type FileHandle } from "node:fs/promises";
import { connect as netConnect, type Socket } from "node:net";
import { posix } from "node:path";
import type { AuthenticationType, Client, ConnectConfig, FileEntryWithStats, SFTPWrapper, Stats } from "ssh2";
import { EngageError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { withDeadline } from "./deadline.js";
import { loadSshClient } from "./load-ssh-client.js";
import { createHostKeyChecker } from "./host-key-check.js";
import { classifyRemoteError, cleanMessage } from "./remote-error.js";
import {
  closeRemote,
  openRemote,
  promised,
  receiveFile,
  sendFile,
  writeWindowFor,
  type Received,
} from "./sftp-transfer.js";
import type { SftpTarget } from "./target.js";
import { PASSPHRASE_ENV, PASSWORD_ENV } from "./target.js";
import type { TransportOptions } from "./transport-options.js";
import type {
  RemoteEntry,
  RemoteStat,
  Transport,
  TransportSession,
  TransferHooks,
  TransferResult,
} from "./transport.js";

/** How files move over SFTP. */
export interface SftpTuning {
  /** The library's `fastPut` (writes sent out of order; some servers corrupt files with it). */
  fastPut?: boolean;
  /** The library's `fastGet` instead of the session's own pipelined reads. */
  fastGet?: boolean;
}

const CLOSE_DEADLINE_MS = 5000;

/** SFTP status codes the session tells apart (draft-ietf-secsh-filexfer-02). */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const FAILURE = 4;

/** Whether the server announced an extension by name. */
function offersExtension(sftp: SFTPWrapper, name: string): boolean {
  const extensions = (sftp as unknown as { _extensions?: unknown })._extensions;
  return (
    typeof extensions === "object" &&
    extensions !== null &&
    Object.prototype.hasOwnProperty.call(extensions, name)
  );
}

/** Whether the server announced posix-rename@openssh.com, or undefined when the library does not say. */
function offersPosixRename(sftp: SFTPWrapper): boolean | undefined {
  const extensions = (sftp as unknown as { _extensions?: unknown })._extensions;
  if (typeof extensions !== "object" || extensions === null) return undefined;
  return Object.prototype.hasOwnProperty.call(extensions, "posix-rename@openssh.com");
}

/** The server's modification time in ms, when it sent one (SFTP attributes carry whole seconds). */
function mtimeOf(attrs: { mtime?: number }): number | undefined {
  return typeof attrs.mtime === "number" && attrs.mtime > 0 ? attrs.mtime * 1000 : undefined;
}

function errorCode(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/**
 * An SFTP transport on ssh2: host key verified before login (fail closed), a deadline on every
 * call, no-delay on the socket, keepalive, pipelined reads and writes, and the final rename done
 * with posix-rename when the server offers it.
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
      /**
       * Calls waiting for an answer. ssh2 drops requests on a closed channel without calling
       * back, so a loss fails each of them here, at once, instead of at its deadline.
       */
      const waiting = new Set<(why: string) => void>();
      const loseWith = (why: string): void => {
        lost ??= why;
        for (const fail of [...waiting]) fail(lost);
        waiting.clear();
      };
      // The socket first, before the SSH library loads: the server starts its side of the
      // session (a new process per connection) meanwhile. Nagle's delay slowed streamed writes
      // to ~2 MB/s over loopback: off.
      const sock: Socket = netConnect({
        host: target.host,
        port: target.port,
        noDelay: true,
        keepAlive: true,
      });
      let socketError: Error | undefined;
      sock.on("error", (e) => {
        // Reported through the SSH client once it listens; kept here for a failure before that.
        socketError ??= e;
      });
      const destroy = (): void => {
        sock.destroy();
      };
      /** Sends what `send` writes to the socket in one system call (writev) instead of one per packet. */
      const corked = (send: () => void): void => {
        sock.cork();
        try {
          send();
        } finally {
          sock.uncork();
        }
      };
      const SshClient = loadSshClient();
      const client: Client = new SshClient();
      // A loss is only remembered here; the call in progress fails with it.
      client.on("error", (e: Error & { level?: string }) => {
        rawError ??= e;
        loseWith(cleanMessage(e, secrets));
      });
      client.on("end", () => {
        if (!closing) loseWith("the server ended the connection");
      });
      client.on("close", () => {
        if (!closing) loseWith("the connection closed");
      });

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
      // The library's own order, without its opening "none" request (which only asks the server
      // for the methods it takes): one round trip less. With no credentials, "none" is all there is.
      const methods: AuthenticationType[] = [];
      if (credentials.password) methods.push("password");
      if (credentials.privateKey) methods.push("publickey");
      config.authHandler = methods.length > 0 ? methods : ["none"];

      const login = (): Promise<SFTPWrapper> =>
        new Promise<SFTPWrapper>((resolve, reject) => {
          // A socket that failed before the client listened would never tell it.
          if (socketError !== undefined || sock.destroyed) {
            reject(socketError ?? new Error("the connection closed"));
            return;
          }
          client.on("error", reject);
          client.on("close", () => reject(new Error(lost ?? "the connection closed")));
          client.on("ready", () => {
            client.sftp((error, sftp) => {
              if (error) reject(error);
              else resolve(sftp);
            });
          });
          client.connect(config);
        });

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
          login,
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

      // The SFTP channel can close under a live connection (its server process killed).
      sftp.on("close", () => {
        if (!closing) loseWith("the server closed the SFTP session");
      });
      sftp.on("end", () => {
        if (!closing) loseWith("the server ended the SFTP session");
      });
      sftp.on("error", (e: Error) => {
        if (!closing) loseWith(cleanMessage(e, secrets));
      });

      let broken = false;
      const lostError = (op: string, path: string | undefined, why: string): EngageError =>
        new EngageError(
          "remote_unavailable",
          "transport.connection_lost",
          `${op}${path ? ` ${path}` : ""}: ${why}`,
          {
            retryable: true,
          },
        );
      /** The work, or a connection_lost failure the moment the connection goes. */
      const untilLost = <T>(op: string, path: string | undefined, work: Promise<T>): Promise<T> =>
        new Promise<T>((resolve, reject) => {
          const fail = (why: string): void => {
            destroy();
            reject(lostError(op, path, why));
          };
          waiting.add(fail);
          work.then(
            (value) => {
              waiting.delete(fail);
              resolve(value);
            },
            (error: unknown) => {
              waiting.delete(fail);
              reject(error as Error);
            },
          );
        });
      const call = <T>(
        op: string,
        path: string | undefined,
        work: (touch: () => void) => Promise<T>,
      ): Promise<T> => {
        if (broken || lost !== undefined)
          return Promise.reject(lostError(op, path, lost ?? "the connection was dropped"));
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
          (touch) => untilLost(op, path, work(touch)),
        ).catch((error: unknown) => {
          if (error instanceof EngageError) throw error;
          if (lost !== undefined) throw lostError(op, path, lost);
          throw classifyRemoteError(error, op, path, secrets);
        });
      };

      let dir: string;
      try {
        dir = target.path.startsWith("/")
          ? target.path
          : posix.join(
              await call("realpath", "~", () => promised<string>((done) => sftp.realpath(".", done))),
              target.path,
            );
      } catch (error) {
        destroy();
        throw error;
      }
      let posixRename = offersPosixRename(sftp);
      log.debug(
        `connected to ${endpoint}; posix-rename@openssh.com: ${posixRename === undefined ? "unknown" : posixRename ? "offered" : "not offered"}`,
      );

      const statOf = (path: string): Promise<Stats> => promised<Stats>((done) => sftp.stat(path, done));
      /** The quickest stat of the session: the link's round trip, as near as one can tell. */
      let roundTripMs: number | undefined;
      let windowTold = false;
      const stat = (path: string): Promise<RemoteStat | undefined> =>
        call("stat", path, async () => {
          const asked = performance.now();
          const answered = (): void => {
            const took = performance.now() - asked;
            if (roundTripMs === undefined || took < roundTripMs) roundTripMs = took;
          };
          try {
            const s = await statOf(path);
            answered();
            return { size: s.size, isFile: s.isFile(), isDirectory: s.isDirectory(), mtimeMs: mtimeOf(s) };
          } catch (error) {
            if (errorCode(error) === NO_SUCH_FILE && lost === undefined) {
              answered();
              return undefined;
            }
            throw error;
          }
        });
      const rename = (from: string, to: string): Promise<void> =>
        promised<void>((done) => sftp.rename(from, to, done));
      const unlink = (path: string): Promise<void> => promised<void>((done) => sftp.unlink(path, done));
      const makeFolders = async (path: string): Promise<void> => {
        const existing = await statOf(path).catch((error: unknown) => {
          if (errorCode(error) === NO_SUCH_FILE && lost === undefined) return undefined;
          throw error;
        });
        if (existing?.isDirectory()) return;
        const parent = posix.dirname(path);
        if (existing === undefined && parent !== path) await makeFolders(parent);
        // Refused when something else is in the way: the server's own message says what.
        await promised<void>((done) => sftp.mkdir(path, done));
      };

      /**
       * Opens `path` for writing as a new file. A leftover of an interrupted run is removed first,
       * in the same round trip (requests are answered in order): servers that refuse to overwrite
       * (ProFTPD with `AllowOverwrite off`) would refuse to open it. A permission error is tried
       * once more after a second removal, for a leftover that appeared between the two requests.
       */
      const openFresh = async (path: string): Promise<Buffer> => {
        const removed = unlink(path).catch(() => undefined);
        const opening = openRemote(sftp, path, "w");
        opening.catch(() => undefined);
        await removed;
        try {
          return await opening;
        } catch (error) {
          if (errorCode(error) !== PERMISSION_DENIED || lost !== undefined) throw error;
          await unlink(path).catch(() => undefined);
          return openRemote(sftp, path, "w");
        }
      };
      /**
       * A write refused with a bare "Failure" (SSH_FX_FAILURE is all OpenSSH says of a full
       * disk): the server is asked for its free space (statvfs@openssh.com, where offered), and
       * when it is short the partial file is removed and `transport.no_space` reported instead.
       */
      const explainFailedWrite = async (
        error: unknown,
        path: string,
        localPath: string,
      ): Promise<unknown> => {
        if (
          errorCode(error) !== FAILURE ||
          lost !== undefined ||
          !offersExtension(sftp, "statvfs@openssh.com")
        )
          return error;
        try {
          const info = await promised<{ f_frsize: number | bigint; f_bavail: number | bigint }>((done) =>
            sftp.ext_openssh_statvfs(posix.dirname(path), done),
          );
          const free = Number(info.f_bavail) * Number(info.f_frsize);
          const size = (await fsStat(localPath)).size;
          if (free >= size) return error;
          await unlink(path).catch(() => undefined);
          return new EngageError(
            "remote_refused",
            "transport.no_space",
            `upload to ${path}: the server's disk is full: ${free} bytes free, the file needs ${size}; the partial file was removed`,
          );
        } catch {
          return error;
        }
      };
      /** Uploads opened ahead (`hooks.next`), by remote path. */
      const opened = new Map<string, Promise<{ source: FileHandle; handle: Buffer }>>();
      /** Remote files opened for reading ahead of their download (`hooks.next`), by path. */
      const reading = new Map<string, Promise<Buffer>>();
      /** Both ends of an upload; the remote one with "w": a leftover of an interrupted run is truncated. */
      const openForPut = (localPath: string, remotePath: string) => {
        const source = open(localPath, "r");
        const handle = openFresh(remotePath);
        const both = Promise.all([source, handle]).then(([s, h]) => ({ source: s, handle: h }));
        // Whichever end opened is closed again when the other failed.
        both.catch(() => {
          source.then((s) => s.close()).catch(() => undefined);
          handle.then((h) => closeRemote(sftp, h)).catch(() => undefined);
        });
        return both;
      };

      const session: TransportSession = {
        dir,
        resolve: (relative) =>
          relative.startsWith("/") ? posix.normalize(relative) : posix.join(dir, relative),
        stat,
        list: (path) =>
          call("list", path, async () => {
            const items = await promised<FileEntryWithStats[]>((done) => sftp.readdir(path, done));
            return items.map((i): RemoteEntry => ({
              name: i.filename,
              size: i.attrs.size,
              isFile: i.attrs.isFile(),
              mtimeMs: mtimeOf(i.attrs),
            }));
          }),
        put: (localPath, remotePath, hooks: TransferHooks = {}) =>
          call("upload to", remotePath, async (touch): Promise<TransferResult> => {
            if (tuning.fastPut) {
              let previous = 0;
              await promised<void>((done) =>
                sftp.fastPut(
                  localPath,
                  remotePath,
                  {
                    step: (total) => {
                      touch();
                      hooks.onBytes?.(total - previous);
                      previous = total;
                    },
                  },
                  done,
                ),
              );
              return { remoteSize: (await statOf(remotePath)).size };
            }
            const ready = opened.get(remotePath) ?? openForPut(localPath, remotePath);
            opened.delete(remotePath);
            const { source, handle } = await ready;
            try {
              const { next } = hooks;
              const window = writeWindowFor(roundTripMs);
              if (!windowTold) {
                windowTold = true;
                log.debug(
                  `round trip ${roundTripMs === undefined ? "not measured" : `${roundTripMs.toFixed(1)} ms`}: ${window} writes in flight`,
                );
              }
              const remoteSize = await sendFile(
                sftp,
                handle,
                source,
                {
                  touch,
                  onBytes: hooks.onBytes,
                  batch: corked,
                  onSent:
                    next &&
                    (() => {
                      opened.set(next.remotePath, openForPut(next.localPath, next.remotePath));
                    }),
                },
                window,
              );
              return { remoteSize };
            } catch (error) {
              throw await explainFailedWrite(error, remotePath, localPath);
            } finally {
              await source.close();
            }
          }),
        get: (remotePath, localPath, hooks: TransferHooks = {}) =>
          call("download", remotePath, async (touch): Promise<TransferResult> => {
            if (tuning.fastGet) {
              let previous = 0;
              await promised<void>((done) =>
                sftp.fastGet(
                  remotePath,
                  localPath,
                  {
                    step: (total) => {
                      touch();
                      hooks.onBytes?.(total - previous);
                      previous = total;
                    },
                  },
                  done,
                ),
              );
              const after = await stat(remotePath);
              return { remoteSize: after?.size, remoteMtimeMs: after?.mtimeMs };
            }
            const handle = await (reading.get(remotePath) ?? openRemote(sftp, remotePath, "r"));
            reading.delete(remotePath);
            let sized: Promise<Stats> | undefined;
            let received: Received;
            try {
              // Not flushed here: the caller fsyncs while the next file downloads.
              const local = await open(localPath, "w");
              try {
                // The size is asked for by name right behind the last planned read: the server
                // answers it after those reads, without a round trip of its own. The next file
                // is opened right behind it.
                received = await receiveFile(
                  sftp,
                  handle,
                  local,
                  hooks.expectedBytes ?? 0,
                  { touch, onBytes: hooks.onBytes },
                  () => {
                    sized = statOf(remotePath);
                    sized.catch(() => undefined);
                    const { next } = hooks;
                    if (next) {
                      const ahead = openRemote(sftp, next.remotePath, "r");
                      ahead.catch(() => undefined);
                      reading.set(next.remotePath, ahead);
                    }
                  },
                );
              } finally {
                await local.close();
              }
            } finally {
              // Not waited for: every byte is here, and the server answers requests in order,
              // so the next file's open simply queues behind it.
              closeRemote(sftp, handle).catch(() => undefined);
            }
            // Read past the plan: the file changed size, so ask again now that it is read.
            if (received.late || sized === undefined) sized = statOf(remotePath);
            try {
              const s = await sized;
              return { remoteSize: s.size, remoteMtimeMs: mtimeOf(s) };
            } catch (error) {
              if (errorCode(error) === NO_SUCH_FILE && lost === undefined) return { remoteSize: undefined };
              throw error;
            }
          }),
        replace: (from, to) =>
          call("rename", `${from} to ${to}`, async () => {
            if (posixRename !== false) {
              try {
                await promised<void>((done) => sftp.ext_openssh_rename(from, to, done));
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
              await rename(from, to);
            } catch (error) {
              if (lost !== undefined) throw error;
              const existing = await statOf(to).catch(() => undefined);
              if (!existing?.isFile()) throw error;
              await unlink(to);
              await rename(from, to);
            }
          }),
        remove: (path) => call("delete", path, () => unlink(path)),
        mkdir: (path) => call("mkdir", path, () => makeFolders(path)),
        async close() {
          if (closing) return;
          closing = true;
          // Opened ahead for an upload that never came (the run stopped): the local ends are
          // closed, and the empty remote files removed while the connection still lets us, so a
          // failure leaves no 0-byte `.part` of a file that was never being sent.
          const ahead = [...opened.entries()];
          opened.clear();
          for (const [, ready] of ahead) ready.then(({ source }) => source.close()).catch(() => undefined);
          if (!broken && lost === undefined) {
            try {
              await withDeadline(
                Math.min(options.timeoutMs, CLOSE_DEADLINE_MS),
                () => new Error("clean-up timed out"),
                () =>
                  Promise.all(
                    ahead.map(async ([path, ready]) => {
                      const { handle } = await ready;
                      await closeRemote(sftp, handle).catch(() => undefined);
                      await unlink(path);
                    }),
                  ).catch(() => undefined),
              );
            } catch {
              // best effort, like the close below
            }
          }
          if (!broken && lost === undefined) {
            try {
              await withDeadline(
                Math.min(options.timeoutMs, CLOSE_DEADLINE_MS),
                () => new Error("end timed out"),
                () =>
                  new Promise<void>((resolve) => {
                    sock.once("close", () => resolve());
                    client.end();
                  }),
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
