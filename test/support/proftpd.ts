import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { serverProcess, writeServerFiles, type TestSftpServer } from "./server-process.js";
import { fingerprintOfPublicKey, freePort, SSH_KEYGEN, waitForSsh } from "./sshd.js";

/** ProFTPD's daemon (Debian package proftpd-core) and its SFTP module (proftpd-mod-crypto). */
export const PROFTPD = "/usr/sbin/proftpd";
export const MOD_SFTP = "/usr/lib/proftpd/mod_sftp.so";

/**
 * Why the ProFTPD tests cannot run here, or undefined when they can. In CI (`CI=true`) a missing
 * server is an error, never a reason to skip.
 */
export function proftpdMissing(): string | undefined {
  if (!existsSync(PROFTPD)) return `${PROFTPD} is missing (install proftpd-core)`;
  if (!existsSync(MOD_SFTP)) return `${MOD_SFTP} is missing (install proftpd-mod-crypto)`;
  if (!existsSync(SSH_KEYGEN)) return `${SSH_KEYGEN} is missing (install openssh-client)`;
  return undefined;
}

/** Throws when ProFTPD is missing and CI=true; returns true when the suite may skip (missing, not CI). */
export function skipWithoutProftpd(): boolean {
  const missing = proftpdMissing();
  if (missing === undefined) return false;
  if (process.env.CI === "true" || process.env.CI === "1")
    throw new Error(`ProFTPD SFTP tests must run in CI: ${missing}`);
  return true;
}

export interface ProftpdOptions {
  /** Leave out the posix-rename@openssh.com extension (`SFTPExtensions -posixRename`). */
  noPosixRename?: boolean;
}

/** A running test ProFTPD with mod_sftp, and everything a client needs to reach it. */
export interface TestProftpd extends TestSftpServer {
  /** Its own output and mod_sftp's log so far. */
  log(): string;
  /** Kills the server (SIGKILL) and its sessions. */
  stop(): Promise<void>;
}

/**
 * Starts ProFTPD with mod_sftp on 127.0.0.1 on a free port, in the foreground (`-n`), with its
 * own config in a temporary folder: a generated RSA host key, the generated user key (in the
 * RFC 4716 form mod_sftp reads), key authentication only, and `AllowOverwrite off` (its default,
 * spelled out): an existing file is never opened for writing. With `noPosixRename` the server
 * does not offer posix-rename, so a rename onto an existing name is refused.
 */
export async function startProftpd(options: ProftpdOptions = {}): Promise<TestProftpd> {
  const missing = proftpdMissing();
  if (missing) throw new Error(missing);
  const dir = mkdtempSync(join(tmpdir(), "engage-proftpd-"));
  const remoteDir = join(dir, "remote");
  mkdirSync(remoteDir);
  const hostKeyFile = join(dir, "host_rsa_key");
  // PEM: the form every mod_sftp release reads.
  execFileSync(SSH_KEYGEN, ["-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-f", hostKeyFile], {
    stdio: "ignore",
  });
  const userKeyFile = join(dir, "user_ed25519");
  execFileSync(SSH_KEYGEN, ["-q", "-t", "ed25519", "-N", "", "-C", "test-user", "-f", userKeyFile], {
    stdio: "ignore",
  });
  const authorizedKeys = join(dir, "authorized_keys");
  writeFileSync(authorizedKeys, execFileSync(SSH_KEYGEN, ["-e", "-f", `${userKeyFile}.pub`]));
  const hostPublicKey = readFileSync(`${hostKeyFile}.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
  const port = await freePort();
  const me = userInfo();
  const root = process.getuid?.() === 0;
  const config = [
    "ServerType standalone",
    'ServerName "engage-promo test"',
    "DefaultAddress 127.0.0.1",
    `Port ${port}`,
    "UseIPv6 off",
    `User ${me.username}`,
    `Group ${root ? "root" : String(me.gid)}`,
    `PidFile ${join(dir, "proftpd.pid")}`,
    `ScoreboardFile ${join(dir, "scoreboard")}`,
    "DelayTable none",
    "WtmpLog off",
    "TransferLog none",
    "UseReverseDNS off",
    "RequireValidShell off",
    "UseFtpUsers off",
    ...(root ? ["RootLogin on"] : []),
    "AllowOverwrite off",
    "MaxInstances 100",
    "ModulePath /usr/lib/proftpd",
    "LoadModule mod_sftp.c",
    "SFTPEngine on",
    `SFTPLog ${join(dir, "sftp.log")}`,
    `SFTPHostKey ${hostKeyFile}`,
    "SFTPAuthMethods publickey",
    `SFTPAuthorizedUserKeys file:${authorizedKeys}`,
    ...(options.noPosixRename ? ["SFTPExtensions -posixRename"] : []),
  ];
  const { configFile, knownHostsFile } = writeServerFiles(dir, "proftpd.conf", config, port, hostPublicKey);

  const server = serverProcess("proftpd", PROFTPD, ["-n", "-q", "-c", configFile], {
    stdout: true,
    ready: () => waitForSsh(port),
  });
  await server.launch();

  const sessions = (): number[] => {
    // Session processes are forked children; their pids are in the scoreboard only, so the
    // process table is searched for children of the listener.
    const pid = server.child?.pid;
    if (pid === undefined) return [];
    const out: number[] = [];
    for (const line of execFileSync("ps", ["-o", "pid=", "--ppid", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean))
      out.push(Number(line.trim()));
    return out;
  };
  const stop = async (): Promise<void> => {
    const proc = server.child;
    if (proc?.pid === undefined) return;
    const gone = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once("exit", () => resolve());
    });
    let children: number[] = [];
    try {
      children = sessions();
    } catch {
      // no ps: the listener alone
    }
    for (const p of [...children, proc.pid]) {
      try {
        process.kill(p, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await gone;
  };
  const killOnExit = (): void => {
    if (server.child?.pid !== undefined) {
      try {
        process.kill(server.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);

  return {
    host: "127.0.0.1",
    port,
    user: me.username,
    dir,
    remoteDir,
    hostKeyFingerprint: fingerprintOfPublicKey(hostPublicKey),
    userKeyFile,
    knownHostsFile,
    url: (path) => `sftp://${me.username}@127.0.0.1:${port}${path.startsWith("/") ? path : `/${path}`}`,
    get pid() {
      return server.child?.pid;
    },
    log: () =>
      server.log() + (existsSync(join(dir, "sftp.log")) ? readFileSync(join(dir, "sftp.log"), "utf8") : ""),
    stop,
    start: server.launch,
    async dispose() {
      process.removeListener("exit", killOnExit);
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
