import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeTempDir } from "../support/temp-dir.js";
import { generateUserKey, skipWithoutSshd } from "../support/sshd.js";

/**
 * Runs a script in a fresh Node.js process (its own module cache) that loads the SSH client as
 * the transport does, and returns what the script printed as JSON.
 */
function inFreshProcess(body: string): Record<string, unknown> {
  const script = `
    import { createRequire } from "node:module";
    import { loadSshClient } from "./src/transport/load-ssh-client.ts";
    const require = createRequire(import.meta.url);
    const parserRequire = createRequire(require.resolve("ssh2/lib/protocol/keyParser.js"));
    // A module's own files (or, for bcrypt-pbkdf, its one dependency) are in the cache once it has
    // really loaded; the stand-in alone takes only the package's main path.
    const files = { asn1: "/node_modules/asn1/lib/ber/", "bcrypt-pbkdf": "/node_modules/tweetnacl/" };
    const loaded = (name) => Object.keys(require.cache).some((p) => p.includes(files[name]));
    const Client = loadSshClient();
    const out = { client: typeof Client, asn1AtLoad: loaded("asn1"), bcryptAtLoad: loaded("bcrypt-pbkdf") };
    const { parseKey } = parserRequire("./keyParser.js");
    ${body}
    console.log(JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: join(import.meta.dirname, "..", ".."),
    encoding: "utf8",
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as Record<string, unknown>;
}

describe("loadSshClient", () => {
  it("loads the client without the PEM and key-decryption modules, which load on first use", () => {
    const dir = makeTempDir("ssh-client-");
    const { privateKey } = generateKeyPairSync("rsa", {
      modulusLength: 2048,
      privateKeyEncoding: { type: "pkcs1", format: "pem" },
      publicKeyEncoding: { type: "pkcs1", format: "pem" },
    });
    const pem = join(dir, "rsa.pem");
    writeFileSync(pem, privateKey);
    const out = inFreshProcess(`
      const key = parseKey(require("node:fs").readFileSync(${JSON.stringify(pem)}));
      out.pemType = key instanceof Error ? "error: " + key.message : key.type;
      out.asn1AfterPem = loaded("asn1");
    `);
    expect(out).toMatchObject({
      client: "function",
      asn1AtLoad: false,
      bcryptAtLoad: false,
      pemType: "ssh-rsa",
      asn1AfterPem: true,
    });
  });

  it.skipIf(skipWithoutSshd())("decrypts a passphrase-protected OpenSSH key with the deferred module", () => {
    const dir = makeTempDir("ssh-client-");
    const file = generateUserKey(dir, "user_ed25519", "correct horse");
    const out = inFreshProcess(`
        const read = (p) => require("node:fs").readFileSync(p);
        const wrong = parseKey(read(${JSON.stringify(file)}), "wrong");
        const key = parseKey(read(${JSON.stringify(file)}), "correct horse");
        out.wrong = wrong instanceof Error;
        out.type = key instanceof Error ? "error: " + key.message : key.type;
        out.bcryptAfter = loaded("bcrypt-pbkdf");
        out.public = key.getPublicSSH().toString("base64");
      `);
    const publicLine = execFileSync("ssh-keygen", ["-y", "-P", "correct horse", "-f", file], {
      encoding: "utf8",
    });
    expect(out).toMatchObject({ asn1AtLoad: false, bcryptAtLoad: false, wrong: true, type: "ssh-ed25519" });
    expect(out.bcryptAfter).toBe(true);
    expect(out.public).toBe(publicLine.trim().split(/\s+/)[1]);
  });
});
