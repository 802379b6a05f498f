import { createHash, createHmac, timingSafeEqual } from "node:crypto";

/** One usable line of an OpenSSH known_hosts file. */
export interface KnownHostEntry {
  /** 1-based line number, for messages. */
  line: number;
  marker?: "cert-authority" | "revoked";
  /** Comma-separated host patterns (may hold `*`, `?`, `!negation`, `[host]:port`), or a hashed entry. */
  patterns: string;
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The public key blob (the base64 field decoded). */
  key: Buffer;
}

/** The outcome of checking a presented host key against entries and pinned fingerprints. */
export type HostKeyVerdict =
  | { ok: true; via: "known_hosts" | "pin"; line?: number }
  | { ok: false; reason: "unknown"; certAuthorityOnly: boolean }
  | { ok: false; reason: "mismatch"; lines: number[]; pinned: boolean }
  | { ok: false; reason: "revoked"; line: number };

/**
 * Parses known_hosts text. Comment and blank lines are skipped; malformed lines are returned in
 * `skipped` (with why) instead of failing the whole file, as OpenSSH does.
 */
export function parseKnownHosts(text: string): {
  entries: KnownHostEntry[];
  skipped: { line: number; reason: string }[];
} {
  const entries: KnownHostEntry[] = [];
  const skipped: { line: number; reason: string }[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const trimmed = (lines[i] ?? "").trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const fields = trimmed.split(/\s+/);
    let marker: KnownHostEntry["marker"];
    if (fields[0]?.startsWith("@")) {
      const m = fields.shift();
      if (m === "@cert-authority") marker = "cert-authority";
      else if (m === "@revoked") marker = "revoked";
      else {
        skipped.push({ line: lineNo, reason: `unknown marker ${m}` });
        continue;
      }
    }
    const [patterns, keyType, keyText] = fields;
    if (patterns === undefined || keyType === undefined || keyText === undefined) {
      skipped.push({ line: lineNo, reason: "expected host patterns, key type and key" });
      continue;
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText)) {
      skipped.push({ line: lineNo, reason: "the key is not base64" });
      continue;
    }
    const key = Buffer.from(keyText, "base64");
    const entry: KnownHostEntry = { line: lineNo, patterns, keyType, key };
    if (marker !== undefined) entry.marker = marker;
    if (patterns.startsWith("|")) {
      const m = /^\|1\|([A-Za-z0-9+/]+={0,2})\|([A-Za-z0-9+/]+={0,2})$/.exec(patterns);
      if (!m) {
        skipped.push({ line: lineNo, reason: "a hashed host entry that is not |1|salt|hash" });
        continue;
      }
      entry.hashed = { salt: Buffer.from(m[1]!, "base64"), hash: Buffer.from(m[2]!, "base64") };
    }
    entries.push(entry);
  }
  return { entries, skipped };
}

/** The name OpenSSH looks a host up by: `host` on port 22, `[host]:port` on any other port. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host.toLowerCase() : `[${host.toLowerCase()}]:${port}`;
}

function wildcardMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "is",
  );
  return re.test(text);
}

/** True when the entry's host field covers `name` (see knownHostsName): plain, wildcard, negated or hashed. */
export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const digest = createHmac("sha1", entry.hashed.salt).update(name).digest();
    return digest.length === entry.hashed.hash.length && timingSafeEqual(digest, entry.hashed.hash);
  }
  let matched = false;
  for (const raw of entry.patterns.split(",")) {
    if (raw === "") continue;
    const negated = raw.startsWith("!");
    const pattern = negated ? raw.slice(1) : raw;
    if (wildcardMatch(pattern, name)) {
      // A matching negation excludes the host from the whole line, whatever else matches.
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** `SHA256:<base64 without padding>`, the fingerprint OpenSSH prints for a key. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/** The key type written inside a public key blob (`ssh-ed25519`, `ssh-rsa`, …). */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return "unknown";
  const len = key.readUInt32BE(0);
  if (len > 64 || 4 + len > key.length) return "unknown";
  return key.subarray(4, 4 + len).toString("latin1");
}

/** Normalises a `--host-key` fingerprint (`SHA256:…`, padding optional); undefined when malformed. */
export function normalizeFingerprint(text: string): string | undefined {
  const m = /^SHA256:([A-Za-z0-9+/]{43})=?$/.exec(text.trim());
  return m ? `SHA256:${m[1]}` : undefined;
}

/**
 * Checks a presented host key: a key listed as `@revoked` anywhere in the file is refused, a
 * pinned fingerprint or a matching plain entry accepts, other entries (or pins) for the host
 * mean the key changed, and no entry at all means the host is unknown. `@cert-authority`
 * lines cannot accept a plain key (host certificates are not offered by this client).
 */
export function checkHostKey(
  entries: readonly KnownHostEntry[],
  pins: readonly string[],
  host: string,
  port: number,
  key: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(host, port);
  for (const e of entries) {
    // Revoked keys are refused for every host: a revoked key is compromised wherever it shows.
    if (e.marker === "revoked" && e.key.equals(key)) return { ok: false, reason: "revoked", line: e.line };
  }
  const fp = fingerprintOf(key);
  if (pins.includes(fp)) return { ok: true, via: "pin" };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, name));
  const same = forHost.find((e) => e.key.equals(key));
  if (same) return { ok: true, via: "known_hosts", line: same.line };
  if (forHost.length > 0 || pins.length > 0) {
    return { ok: false, reason: "mismatch", lines: forHost.map((e) => e.line), pinned: pins.length > 0 };
  }
  const certAuthorityOnly = entries.some((e) => e.marker === "cert-authority" && entryMatchesHost(e, name));
  return { ok: false, reason: "unknown", certAuthorityOnly };
}

/** Host key algorithms in the SSH client's order of preference, by the key type that serves them. */
const ALGORITHMS_BY_KEY_TYPE: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
};
const PREFERENCE = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp256",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp521",
  "rsa-sha2-512",
  "rsa-sha2-256",
  "ssh-rsa",
];

/**
 * The host key algorithms to offer so the server presents a key type the file knows for this
 * host (as OpenSSH does); undefined when the file knows none, so the defaults apply.
 */
export function hostKeyAlgorithmsFor(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
): string[] | undefined {
  const name = knownHostsName(host, port);
  const wanted = new Set<string>();
  for (const e of entries) {
    if (e.marker !== undefined || !entryMatchesHost(e, name)) continue;
    for (const a of ALGORITHMS_BY_KEY_TYPE[keyTypeOf(e.key)] ?? []) wanted.add(a);
  }
  const ordered = PREFERENCE.filter((a) => wanted.has(a));
  return ordered.length > 0 ? ordered : undefined;
}
