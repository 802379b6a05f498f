import { readFileSync } from "node:fs";
import { EngageError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import {
  checkHostKey,
  fingerprintOf,
  hostKeyAlgorithmsFor,
  keyTypeOf,
  knownHostsName,
  parseKnownHosts,
  type KnownHostEntry,
} from "./known-hosts.js";

/** Where trusted host keys come from. */
export interface HostKeyPolicy {
  /** An OpenSSH known_hosts file. */
  knownHostsFile?: string;
  /** True when the file is the default (~/.ssh/known_hosts): a missing file then means "nothing known". */
  knownHostsIsDefault: boolean;
  /** Pinned fingerprints, `SHA256:…`. */
  pins: string[];
  /** Accept any key (logged loudly): for a first look at a test server only. */
  insecureAcceptAny: boolean;
}

/** Decides on the key a server presents, and which key types to ask it for. */
export interface HostKeyChecker {
  /** Host key algorithms to offer (the types known for this host), or undefined for the defaults. */
  algorithms: string[] | undefined;
  /** Undefined when the key is accepted; else the error to fail with (exit 77). */
  check(key: Buffer): EngageError | undefined;
}

function readEntries(policy: HostKeyPolicy, log: Logger): KnownHostEntry[] {
  const file = policy.knownHostsFile;
  if (file === undefined) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (policy.knownHostsIsDefault && code === "ENOENT") return [];
    throw new EngageError(
      "input_missing",
      "transport.known_hosts_unreadable",
      `known_hosts file ${file}: cannot be read (${code ?? "error"})`,
    );
  }
  const { entries, skipped } = parseKnownHosts(text);
  for (const s of skipped) log.debug(`${file}:${s.line}: line skipped: ${s.reason}`);
  return entries;
}

/**
 * Builds the host key check for one host and port from the policy: reads the known_hosts file
 * once, and turns a refused key into an `auth_refused` error that shows the presented
 * fingerprint (never a secret) and how to trust it on purpose.
 */
export function createHostKeyChecker(
  policy: HostKeyPolicy,
  host: string,
  port: number,
  log: Logger,
): HostKeyChecker {
  const name = knownHostsName(host, port);
  if (policy.insecureAcceptAny) {
    return {
      algorithms: undefined,
      check(key) {
        log.warn(
          `INSECURE: --insecure-accept-any-host-key is set: the host key of ${name} (${keyTypeOf(key)} ${fingerprintOf(key)}) ` +
            `is NOT verified; anyone on the network path can pose as the server and read the files and credentials. ` +
            `Pin it with --host-key ${fingerprintOf(key)} once you have checked it with the server's owner.`,
        );
        return undefined;
      },
    };
  }
  const entries = readEntries(policy, log);
  const file = policy.knownHostsFile ?? "(no known_hosts file)";
  return {
    algorithms: policy.pins.length > 0 ? undefined : hostKeyAlgorithmsFor(entries, host, port),
    check(key) {
      const verdict = checkHostKey(entries, policy.pins, host, port, key);
      if (verdict.ok) {
        log.debug(
          `host key of ${name} accepted (${verdict.via === "pin" ? "pinned by --host-key" : `${file}:${verdict.line ?? "?"}`})`,
        );
        return undefined;
      }
      const shown = `${keyTypeOf(key)} ${fingerprintOf(key)}`;
      if (verdict.reason === "revoked") {
        return new EngageError(
          "auth_refused",
          "transport.host_key_revoked",
          `host key of ${name} (${shown}) is marked @revoked in ${file}:${verdict.line}; refusing to connect`,
        );
      }
      if (verdict.reason === "mismatch") {
        const expected = [
          ...(verdict.lines.length > 0 ? [`${file} line ${verdict.lines.join(", ")}`] : []),
          ...(verdict.pinned ? [`--host-key ${policy.pins.join(", ")}`] : []),
        ].join(" and ");
        return new EngageError(
          "auth_refused",
          "transport.host_key_mismatch",
          `host key of ${name} does not match: the server presents ${shown}, but ${expected} expects another key; ` +
            `the key was replaced or someone is intercepting the connection; refusing to connect`,
        );
      }
      const where =
        policy.knownHostsFile === undefined
          ? "no known_hosts file was given"
          : `${file} has no entry for ${name}`;
      const ca = verdict.certAuthorityOnly
        ? " (only @cert-authority lines match it; host certificates are not supported)"
        : "";
      return new EngageError(
        "auth_refused",
        "transport.host_key_unknown",
        `host key of ${name} is unknown: the server presents ${shown}, and ${where}${ca}; ` +
          `check that fingerprint with the server's owner, then pass --host-key ${fingerprintOf(key)} or add the key to a known_hosts file (--known-hosts)`,
      );
    },
  };
}
