import { execFileSync } from "node:child_process";
import { createHash, createHmac, generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  checkHostKey,
  fingerprintOf,
  hostKeyAlgorithmsFor,
  keyTypeOf,
  knownHostsName,
  normalizeFingerprint,
  parseKnownHosts,
} from "../../src/transport/known-hosts.js";
import { SSH_KEYGEN, skipWithoutSshd } from "../support/sshd.js";
import { tempDir } from "./fixtures.js";

/** An OpenSSH ed25519 public key blob for a fresh key. */
function ed25519Blob(): Buffer {
  const { publicKey } = generateKeyPairSync("ed25519");
  const raw = publicKey.export({ format: "der", type: "spki" }).subarray(-32);
  const type = Buffer.from("ssh-ed25519");
  const out = Buffer.alloc(4 + type.length + 4 + raw.length);
  out.writeUInt32BE(type.length, 0);
  type.copy(out, 4);
  out.writeUInt32BE(raw.length, 4 + type.length);
  raw.copy(out, 8 + type.length);
  return out;
}

const line = (hosts: string, key: Buffer, marker = "") =>
  `${marker ? `${marker} ` : ""}${hosts} ${keyTypeOf(key)} ${key.toString("base64")}`;

function hashed(name: string): string {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
}

describe("known_hosts", () => {
  const key = ed25519Blob();
  const other = ed25519Blob();

  it("names a host as OpenSSH does: bare on port 22, [host]:port otherwise", () => {
    expect(knownHostsName("FTP.Voyado.com", 22)).toBe("ftp.voyado.com");
    expect(knownHostsName("127.0.0.1", 2222)).toBe("[127.0.0.1]:2222");
  });

  it("prints fingerprints as ssh-keygen does", () => {
    expect(fingerprintOf(key)).toBe(
      `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`,
    );
    expect(keyTypeOf(key)).toBe("ssh-ed25519");
    expect(normalizeFingerprint(`${fingerprintOf(key)}=`)).toBe(fingerprintOf(key));
    expect(normalizeFingerprint("MD5:aa:bb")).toBeUndefined();
  });

  it("accepts the listed key for a [host]:port entry and not for the bare host on another port", () => {
    const { entries } = parseKnownHosts(line("[127.0.0.1]:2222", key));
    expect(checkHostKey(entries, [], "127.0.0.1", 2222, key)).toEqual({
      ok: true,
      via: "known_hosts",
      line: 1,
    });
    expect(checkHostKey(entries, [], "127.0.0.1", 22, key)).toMatchObject({ ok: false, reason: "unknown" });
    const bare = parseKnownHosts(line("127.0.0.1", key)).entries;
    expect(checkHostKey(bare, [], "127.0.0.1", 2222, key)).toMatchObject({ ok: false, reason: "unknown" });
  });

  it("reports a changed key as a mismatch with the lines that expected another", () => {
    const { entries } = parseKnownHosts(`# comment\n\n${line("ftp.voyado.com,10.0.0.1", other)}\n`);
    expect(checkHostKey(entries, [], "ftp.voyado.com", 22, key)).toEqual({
      ok: false,
      reason: "mismatch",
      lines: [3],
      pinned: false,
    });
  });

  it("matches hashed entries, wildcards, and honours negation", () => {
    const name = knownHostsName("127.0.0.1", 2222);
    expect(
      checkHostKey(parseKnownHosts(line(hashed(name), key)).entries, [], "127.0.0.1", 2222, key),
    ).toMatchObject({ ok: true });
    expect(
      checkHostKey(parseKnownHosts(line(hashed("other"), key)).entries, [], "127.0.0.1", 2222, key),
    ).toMatchObject({ ok: false, reason: "unknown" });
    expect(
      checkHostKey(parseKnownHosts(line("*.voyado.com", key)).entries, [], "ftp.voyado.com", 22, key),
    ).toMatchObject({ ok: true });
    expect(
      checkHostKey(
        parseKnownHosts(line("*.voyado.com,!ftp.voyado.com", key)).entries,
        [],
        "ftp.voyado.com",
        22,
        key,
      ),
    ).toMatchObject({ ok: false, reason: "unknown" });
  });

  it("refuses a key marked @revoked, for any host, even when another line lists it", () => {
    const text = `${line("ftp.voyado.com", key)}\n${line("*", key, "@revoked")}\n`;
    expect(checkHostKey(parseKnownHosts(text).entries, [], "ftp.voyado.com", 22, key)).toEqual({
      ok: false,
      reason: "revoked",
      line: 2,
    });
  });

  it("does not accept a plain key through a @cert-authority line, and says so", () => {
    const { entries } = parseKnownHosts(line("*.voyado.com", key, "@cert-authority"));
    expect(checkHostKey(entries, [], "ftp.voyado.com", 22, key)).toEqual({
      ok: false,
      reason: "unknown",
      certAuthorityOnly: true,
    });
  });

  it("accepts a pinned fingerprint, and treats an unmatched pin as a mismatch", () => {
    expect(checkHostKey([], [fingerprintOf(key)], "h", 22, key)).toEqual({ ok: true, via: "pin" });
    expect(checkHostKey([], [fingerprintOf(other)], "h", 22, key)).toEqual({
      ok: false,
      reason: "mismatch",
      lines: [],
      pinned: true,
    });
  });

  it("skips malformed lines and keeps the rest", () => {
    const { entries, skipped } = parseKnownHosts(
      `garbage\n@weird h ssh-ed25519 AAAA\nh ssh-ed25519 not*base64\n${line("h", key)}\n`,
    );
    expect(entries).toHaveLength(1);
    expect(skipped.map((s) => s.line)).toEqual([1, 2, 3]);
  });

  it("asks the server for the key types the file knows for the host", () => {
    const rsa = Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from("ssh-rsa"), Buffer.alloc(8)]);
    const { entries } = parseKnownHosts(`${line("h", rsa)}\n${line("other", key)}\n`);
    expect(hostKeyAlgorithmsFor(entries, "h", 22)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    expect(hostKeyAlgorithmsFor(entries, "nobody", 22)).toBeUndefined();
  });

  it.skipIf(skipWithoutSshd())("reads files hashed by ssh-keygen -H", () => {
    const dir = tempDir();
    const file = join(dir, "known_hosts");
    writeFileSync(file, `${line("[127.0.0.1]:2222", key)}\n${line("ftp.voyado.com", other)}\n`);
    execFileSync(SSH_KEYGEN, ["-H", "-f", file], { stdio: "ignore" });
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("127.0.0.1");
    const { entries } = parseKnownHosts(text);
    expect(checkHostKey(entries, [], "127.0.0.1", 2222, key)).toMatchObject({ ok: true });
    expect(checkHostKey(entries, [], "ftp.voyado.com", 22, other)).toMatchObject({ ok: true });
    expect(checkHostKey(entries, [], "ftp.voyado.com", 22, key)).toMatchObject({
      ok: false,
      reason: "mismatch",
    });
  });
});
