import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { userInfo } from "node:os";
import { join } from "node:path";
import { onCi } from "./tools.js";
import { makeTempDir } from "./temp-dir.js";
import { serverProcess, writeServerFiles, type TestSftpServer } from "./server-process.js";

/** Where the real OpenSSH server and tools are expected. */
export const SSHD = "/usr/sbin/sshd";
export const SSH_KEYGEN = "/usr/bin/ssh-keygen";

/**
 * Why the SFTP tests cannot run here, or undefined when they can. In CI (`CI=true`) a missing
 * server is an error, never a reason to skip: call `requireSshd()` at the top of a suite.
 */
export function sshdMissing(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} is missing (install openssh-server)`;
  if (!existsSync(SSH_KEYGEN)) return `${SSH_KEYGEN} is missing (install openssh-client)`;
  return undefined;
}

/** Throws when sshd is missing and CI=true; returns true when the suite may skip (missing, not CI). */
export function skipWithoutSshd(): boolean {
  const missing = sshdMissing();
  if (missing === undefined) return false;
  if (onCi()) throw new Error(`SFTP tests must run in CI: ${missing}`);
  return true;
}

export interface SshdOptions {
  /** Allow password logins too (the user still needs a password in the system to use it). */
  passwordAuthentication?: boolean;
  /** Serve SFTP read-only (`internal-sftp -R`): every write is refused with "permission denied". */
  readOnly?: boolean;
  /**
   * Serve SFTP from a separate `sftp-server` process per session, which a test can kill while
   * the SSH connection itself lives on (the SFTP channel closes under a live connection).
   */
  externalSftpServer?: boolean;
  /** Ciphers the server accepts (`Ciphers`), so that every client negotiates the same one. */
  ciphers?: string[];
  /** The port to listen on instead of a free one the kernel picks. */
  port?: number;
}

/** OpenSSH's stand-alone SFTP server, for `externalSftpServer`. */
export const SFTP_SERVER = "/usr/lib/openssh/sftp-server";

/** A running test sshd and everything a client needs to reach it. */
export interface TestSshd extends TestSftpServer {
  readonly hostKeyFile: string;
  /** `ssh-ed25519 AAAA…` */
  readonly hostPublicKey: string;
  /** Everything sshd logged so far (`-e`: to stderr). */
  log(): string;
  /** Connections sshd has accepted so far (from its log, LogLevel VERBOSE). */
  connections(): number;
  /** Kills the listener and every session process (SIGKILL by default): the server is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Freezes (SIGSTOP) or thaws (SIGCONT) the listener and all its sessions. */
  pause(): void;
  resume(): void;
}

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something on the port answers with an SSH banner; rejects after `timeoutMs`. */
export async function waitForSsh(port: number, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect({ host: "127.0.0.1", port });
      const timer = setTimeout(() => {
        sock.destroy();
        resolve(false);
      }, 1000);
      sock.once("data", (d) => {
        clearTimeout(timer);
        sock.destroy();
        resolve(d.toString("latin1").startsWith("SSH-"));
      });
      sock.once("error", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > until)
      throw new Error(`sshd did not answer on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every process below `pid` (Linux /proc), deepest last. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: the ppid is the 2nd field after ")".
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      // the process ended while being read
    }
  }
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift()!;
    for (const c of children.get(p) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

function keygen(file: string, comment: string, passphrase = ""): void {
  execFileSync(SSH_KEYGEN, ["-q", "-t", "ed25519", "-N", passphrase, "-C", comment, "-f", file], {
    stdio: "ignore",
  });
}

/** Generates an ed25519 key pair (optionally with a passphrase); returns the private key path. */
export function generateUserKey(dir: string, name: string, passphrase = ""): string {
  const file = join(dir, name);
  keygen(file, name, passphrase);
  return file;
}

/** The `SHA256:…` fingerprint of an OpenSSH public key line. */
export function fingerprintOfPublicKey(line: string): string {
  const blob = Buffer.from(line.trim().split(/\s+/)[1] ?? "", "base64");
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Starts a real OpenSSH sshd on 127.0.0.1 on a free port, with its own config in a temporary
 * folder: a generated ed25519 host key and user key, key authentication only (password
 * optional), `Subsystem sftp internal-sftp`, the current user allowed in by the generated key.
 * Started by its absolute path in the foreground (`-D -e`), stopped by its PID.
 */
export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const missing = sshdMissing();
  if (missing) throw new Error(missing);
  const dir = makeTempDir("engage-sshd-");
  const remoteDir = join(dir, "remote");
  mkdirSync(remoteDir);
  const hostKeyFile = join(dir, "ssh_host_ed25519_key");
  keygen(hostKeyFile, "test-host");
  const userKeyFile = join(dir, "user_ed25519");
  keygen(userKeyFile, "test-user");
  writeFileSync(join(dir, "authorized_keys"), readFileSync(`${userKeyFile}.pub`));
  const hostPublicKey = readFileSync(`${hostKeyFile}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  const port = options.port ?? (await freePort());
  const user = userInfo().username;
  const root = process.getuid?.() === 0;
  if (root && !existsSync("/run/sshd")) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });

  const config = [
    `Port ${port}`,
    "ListenAddress 127.0.0.1",
    `HostKey ${hostKeyFile}`,
    `PidFile ${join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
    "PubkeyAuthentication yes",
    `PasswordAuthentication ${options.passwordAuthentication ? "yes" : "no"}`,
    "KbdInteractiveAuthentication no",
    `PermitRootLogin ${options.passwordAuthentication ? "yes" : "prohibit-password"}`,
    // Temporary folders are world-writable up the tree; StrictModes would refuse the keys.
    "StrictModes no",
    "UsePAM no",
    "LogLevel VERBOSE",
    "MaxStartups 100",
    "MaxSessions 100",
    ...(options.ciphers ? [`Ciphers ${options.ciphers.join(",")}`] : []),
    `Subsystem sftp ${options.externalSftpServer ? SFTP_SERVER : "internal-sftp"}${options.readOnly ? " -R" : ""}`,
  ];
  const { configFile, knownHostsFile } = writeServerFiles(dir, "sshd_config", config, port, hostPublicKey);

  const server = serverProcess("sshd", SSHD, ["-D", "-e", "-f", configFile], {
    stdout: false,
    ready: () => waitForSsh(port),
  });
  await server.launch();
  // A test process that dies without dispose() must not leave a server behind.
  const killOnExit = (): void => {
    const pid = server.child?.pid;
    if (pid === undefined) return;
    for (const p of [...descendants(pid), pid]) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);

  const signalAll = (signal: NodeJS.Signals): void => {
    const pid = server.child?.pid;
    if (pid === undefined) return;
    for (const p of [pid, ...descendants(pid)]) {
      try {
        process.kill(p, signal);
      } catch {
        // already gone
      }
    }
  };

  const stop = async (signal: NodeJS.Signals = "SIGKILL"): Promise<void> => {
    const proc = server.child;
    if (proc?.pid === undefined) return;
    const gone = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once("exit", () => resolve());
    });
    const sessions = descendants(proc.pid);
    // Sessions first, so none outlives its listener; a frozen process must be thawed to die of SIGTERM.
    for (const p of [...sessions, proc.pid]) {
      try {
        process.kill(p, signal);
        if (signal !== "SIGKILL") process.kill(p, "SIGCONT");
      } catch {
        // already gone
      }
    }
    await gone;
  };

  return {
    host: "127.0.0.1",
    port,
    user,
    dir,
    remoteDir,
    hostKeyFile,
    hostPublicKey,
    hostKeyFingerprint: fingerprintOfPublicKey(hostPublicKey),
    userKeyFile,
    knownHostsFile,
    url: (path) => `sftp://${user}@127.0.0.1:${port}${path.startsWith("/") ? path : `/${path}`}`,
    get pid() {
      return server.child?.pid;
    },
    log: server.log,
    connections: () => (server.log().match(/^Connection from /gm) ?? []).length,
    stop,
    start: server.launch,
    pause: () => signalAll("SIGSTOP"),
    resume: () => signalAll("SIGCONT"),
    async dispose() {
      process.removeListener("exit", killOnExit);
      await stop("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
