import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

/** A running test SFTP server and everything a client needs to reach it. */
export interface TestSftpServer {
  readonly host: "127.0.0.1";
  readonly port: number;
  readonly user: string;
  /** The harness's temporary folder (keys, config, log). */
  readonly dir: string;
  /** A folder for remote files, empty at start (an absolute path on the "server"). */
  readonly remoteDir: string;
  /** `SHA256:…` */
  readonly hostKeyFingerprint: string;
  readonly userKeyFile: string;
  /** known_hosts with one plain `[127.0.0.1]:port` line. */
  readonly knownHostsFile: string;
  /** `sftp://user@127.0.0.1:port` + path. */
  url(path: string): string;
  /** The pid of the listening server (undefined while stopped). */
  readonly pid: number | undefined;
  /** Everything the server logged so far. */
  log(): string;
  /** Kills the listener and every session process: the server is gone. */
  stop(): Promise<void>;
  /** Starts again on the same port with the same host key. */
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  dispose(): Promise<void>;
}

/** Writes a test server's config file and a known_hosts that lists its host key at [127.0.0.1]:port. */
export function writeServerFiles(
  dir: string,
  configName: string,
  configLines: string[],
  port: number,
  hostPublicKey: string,
): { configFile: string; knownHostsFile: string } {
  const configFile = join(dir, configName);
  writeFileSync(configFile, `${configLines.join("\n")}\n`);
  const knownHostsFile = join(dir, "known_hosts");
  writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPublicKey}\n`);
  return { configFile, knownHostsFile };
}

/** A test server run in the foreground, its output kept for the messages of failed tests. */
export interface ServerProcess {
  /** Starts it; resolves once `ready` does, rejects with its output when it exits first. */
  launch(): Promise<void>;
  /** The running process, undefined once it has exited. */
  readonly child: ChildProcess | undefined;
  /** Everything it has written so far. */
  log(): string;
}

/** Runs `command` as a foreground test server named `name`; `stdout` says whether its stdout is kept too. */
export function serverProcess(
  name: string,
  command: string,
  args: string[],
  options: { stdout: boolean; ready: () => Promise<void> },
): ServerProcess {
  let child: ChildProcess | undefined;
  let logText = "";
  const launch = async (): Promise<void> => {
    const proc = spawn(command, args, { stdio: ["ignore", options.stdout ? "pipe" : "ignore", "pipe"] });
    child = proc;
    const keep = (d: Buffer): void => {
      logText += d.toString();
    };
    proc.stdout?.on("data", keep);
    proc.stderr?.on("data", keep);
    const exited = new Promise<never>((_, reject) => {
      proc.once("exit", (code, signal) => {
        if (child === proc) child = undefined;
        reject(new Error(`${name} exited (${code ?? signal}) before it answered:\n${logText}`));
      });
    });
    exited.catch(() => undefined);
    await Promise.race([options.ready(), exited]);
  };
  return {
    launch,
    get child() {
      return child;
    },
    log: () => logText,
  };
}
