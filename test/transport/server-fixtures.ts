import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { transportOptionsFromArgs, type TransportOptions } from "../../src/transport/transport-options.js";

// Fixtures for the tests against a real SFTP server (sshd, ProFTPD); the local ones are in fixtures.ts.

/**
 * Transport options for a test server (its known_hosts and the user's key) with one attempt and
 * this deadline, `extra` adding or overriding flags as the CLI takes them.
 */
export function serverTransport(
  server: { knownHostsFile: string; userKeyFile: string },
  timeoutMs: number,
  extra: Record<string, unknown> = {},
): TransportOptions {
  return transportOptionsFromArgs(
    { knownHosts: server.knownHostsFile, identity: server.userKeyFile, retries: 0, timeoutMs, ...extra },
    {},
  );
}

/**
 * Creates `dir` on the server's side with these files, written an hour ago (finished exports,
 * older than fetch's default --min-age), and returns it.
 */
export function writeExportFolder(dir: string, files: Record<string, string | Buffer>): string {
  mkdirSync(dir);
  const written = new Date(Date.now() - 3_600_000);
  for (const [name, data] of Object.entries(files)) {
    writeFileSync(join(dir, name), data);
    utimesSync(join(dir, name), written, written);
  }
  return dir;
}
