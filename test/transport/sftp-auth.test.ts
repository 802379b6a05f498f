import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTarget } from "../../src/transport/target.js";
import { transportOptionsFromArgs } from "../../src/transport/transport-options.js";
import { uploadFolder } from "../../src/transport/upload.js";
import { generateUserKey, SSH_KEYGEN, skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import { buildUploadOptions, captureLog, makeRenderedFolder, runTransportCli, tempDir } from "./fixtures.js";

const skip = skipWithoutSshd();

describe.skipIf(skip)("host keys and credentials against a real sshd", () => {
  let sshd: TestSshd;
  let other: TestSshd;
  beforeAll(async () => {
    [sshd, other] = await Promise.all([startSshd(), startSshd()]);
  });
  afterAll(async () => {
    await Promise.all([sshd?.dispose(), other?.dispose()]);
  });

  const upload = async (args: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) => {
    const out = join(tempDir(), "out");
    makeRenderedFolder(out, [100]);
    const remote = join(sshd.remoteDir, `r${Math.random().toString(36).slice(2)}`);
    mkdirSync(remote);
    const options = buildUploadOptions(
      transportOptionsFromArgs({ retries: 3, retryDelayMs: 10, timeoutMs: 5000, ...args }, env),
    );
    const captured = captureLog();
    const before = sshd.connections();
    const result = await uploadFolder(out, parseTarget(sshd.url(remote)), options, { log: captured.log });
    return { result, remote, log: captured, connections: sshd.connections() - before };
  };

  it("accepts the key listed for [127.0.0.1]:port in known_hosts", async () => {
    const { result } = await upload({ knownHosts: sshd.knownHostsFile, identity: sshd.userKeyFile });
    expect(result.error).toBeUndefined();
    expect(result.totals.sent).toBe(1);
  });

  it("accepts the key through a hashed known_hosts entry (ssh-keygen -H)", async () => {
    const file = join(tempDir(), "known_hosts");
    writeFileSync(file, readFileSync(sshd.knownHostsFile));
    execFileSync(SSH_KEYGEN, ["-H", "-f", file], { stdio: "ignore" });
    expect(readFileSync(file, "utf8")).toMatch(/^\|1\|/);
    const { result } = await upload({ knownHosts: file, identity: sshd.userKeyFile });
    expect(result.error).toBeUndefined();
    expect(result.totals.sent).toBe(1);
  });

  it("refuses a changed host key with exit 77, once, without retrying", async () => {
    const file = join(tempDir(), "known_hosts");
    writeFileSync(file, `[127.0.0.1]:${sshd.port} ${other.hostPublicKey}\n`);
    const { result, remote, connections } = await upload({ knownHosts: file, identity: sshd.userKeyFile });
    expect(result.error).toMatchObject({
      kind: "auth_refused",
      code: "transport.host_key_mismatch",
      exitCode: 77,
      retryable: false,
    });
    expect(result.error?.message).toContain(sshd.hostKeyFingerprint);
    expect(result.error?.message).toContain(`${file} line 1`);
    expect(connections).toBe(1);
    expect(readdirSync(remote)).toEqual([]);
  });

  it("refuses an unknown host with exit 77 and shows the fingerprint to check", async () => {
    const file = join(tempDir(), "known_hosts");
    writeFileSync(file, `[127.0.0.1]:${other.port} ${other.hostPublicKey}\n`);
    const { result, connections } = await upload({ knownHosts: file, identity: sshd.userKeyFile });
    expect(result.error).toMatchObject({
      kind: "auth_refused",
      code: "transport.host_key_unknown",
      exitCode: 77,
    });
    expect(result.error?.message).toContain(`--host-key ${sshd.hostKeyFingerprint}`);
    expect(connections).toBe(1);
  });

  it("refuses a server that has no key of the type known_hosts lists for it (exit 77)", async () => {
    const dir = tempDir();
    execFileSync(SSH_KEYGEN, ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", join(dir, "rsa")], {
      stdio: "ignore",
    });
    const file = join(dir, "known_hosts");
    writeFileSync(
      file,
      `[127.0.0.1]:${sshd.port} ${readFileSync(join(dir, "rsa.pub"), "utf8").split(" ").slice(0, 2).join(" ")}\n`,
    );
    const { result, connections } = await upload({ knownHosts: file, identity: sshd.userKeyFile });
    expect(result.error).toMatchObject({
      kind: "auth_refused",
      code: "transport.host_key_mismatch",
      exitCode: 77,
    });
    expect(result.error?.message).toContain("rsa-sha2-512");
    expect(connections).toBe(1);
  });

  it("uses ~/.ssh/known_hosts when no host key option is given", async () => {
    const home = tempDir();
    const known = await upload({ identity: sshd.userKeyFile }, { HOME: home });
    expect(known.result.error).toMatchObject({ code: "transport.host_key_unknown" });
    expect(known.result.error?.message).toContain(join(home, ".ssh", "known_hosts"));
    mkdirSync(join(home, ".ssh"));
    writeFileSync(join(home, ".ssh", "known_hosts"), readFileSync(sshd.knownHostsFile));
    const transport = transportOptionsFromArgs({ identity: sshd.userKeyFile }, { HOME: home });
    expect(transport.hostKeys.knownHostsFile).toBe(join(home, ".ssh", "known_hosts"));
    const out = join(tempDir(), "out");
    makeRenderedFolder(out, [10]);
    const result = await uploadFolder(
      out,
      parseTarget(sshd.url(sshd.remoteDir)),
      buildUploadOptions(transport),
      { log: captureLog().log },
    );
    expect(result.totals.sent).toBe(1);
  });

  it("accepts a pinned fingerprint and refuses another", async () => {
    expect(
      (await upload({ hostKey: [sshd.hostKeyFingerprint], identity: sshd.userKeyFile })).result.totals.sent,
    ).toBe(1);
    const wrong = await upload({ hostKey: [other.hostKeyFingerprint], identity: sshd.userKeyFile });
    expect(wrong.result.error).toMatchObject({ code: "transport.host_key_mismatch", exitCode: 77 });
    expect(wrong.connections).toBe(1);
  });

  it("connects with --insecure-accept-any-host-key, warning loudly with the fingerprint", async () => {
    const { result, log } = await upload({ insecureAcceptAnyHostKey: true, identity: sshd.userKeyFile });
    expect(result.totals.sent).toBe(1);
    const warning = log.lines.find((l) => l.startsWith("warn: INSECURE"));
    expect(warning).toContain(sshd.hostKeyFingerprint);
    expect(warning).toContain("NOT verified");
  });

  it("refuses a wrong user key with exit 77 after one connection, without retrying", async () => {
    const key = generateUserKey(tempDir(), "stranger");
    const { result, connections } = await upload({
      knownHosts: sshd.knownHostsFile,
      identity: key,
      retries: 5,
    });
    expect(result.error).toMatchObject({
      kind: "auth_refused",
      code: "transport.auth_failed",
      exitCode: 77,
      retryable: false,
    });
    expect(result.error?.message).toBe(
      `login as ${sshd.user} on 127.0.0.1:${sshd.port} refused (tried key ${key})`,
    );
    expect(connections).toBe(1);
  });

  it("refuses a login without credentials and says which ones to give", async () => {
    const { result } = await upload({ knownHosts: sshd.knownHostsFile });
    expect(result.error).toMatchObject({ code: "transport.auth_failed" });
    expect(result.error?.message).toContain("ENGAGE_PROMO_SFTP_PASSWORD");
  });

  it("logs in with an encrypted key and its passphrase from the environment, and explains a missing passphrase", async () => {
    const dir = tempDir();
    const passphrase = "pass-phrase-7f3a9c";
    const key = generateUserKey(dir, "locked", passphrase);
    writeFileSync(
      join(sshd.dir, "authorized_keys"),
      `${readFileSync(join(sshd.dir, "authorized_keys"), "utf8")}${readFileSync(`${key}.pub`, "utf8")}`,
    );
    const ok = await upload(
      { knownHosts: sshd.knownHostsFile, identity: key },
      { ENGAGE_PROMO_SFTP_PASSPHRASE: passphrase },
    );
    expect(ok.result.totals.sent).toBe(1);
    const missing = await upload({ knownHosts: sshd.knownHostsFile, identity: key });
    expect(missing.result.error).toMatchObject({
      kind: "auth_refused",
      code: "transport.identity_unusable",
      exitCode: 77,
    });
    expect(missing.result.error?.message).toContain("ENGAGE_PROMO_SFTP_PASSPHRASE");
    const wrong = await upload(
      { knownHosts: sshd.knownHostsFile, identity: key },
      { ENGAGE_PROMO_SFTP_PASSPHRASE: "not-the-phrase" },
    );
    expect(wrong.result.error).toMatchObject({ code: "transport.identity_unusable" });
    expect(wrong.result.error?.message).not.toContain("not-the-phrase");
  });

  it("never prints the password or the passphrase, whether the run succeeds or fails", async () => {
    const root = tempDir();
    makeRenderedFolder(join(root, "out"), [100]);
    const passphrase = "phrase-Zq81-secret";
    const password = "pw-Xk29-very-secret";
    const key = generateUserKey(root, "locked", passphrase);
    writeFileSync(
      join(sshd.dir, "authorized_keys"),
      `${readFileSync(join(sshd.dir, "authorized_keys"), "utf8")}${readFileSync(`${key}.pub`, "utf8")}`,
    );
    const passwordFile = join(root, "password");
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    const remote = join(sshd.remoteDir, "secrets");
    mkdirSync(remote);
    const base = [
      "upload",
      "out",
      "--to",
      sshd.url(remote),
      "--known-hosts",
      sshd.knownHostsFile,
      "--verbose",
      "--retries",
      "1",
      "--retry-delay-ms",
      "10",
    ];
    const runs = [
      // succeeds: key with passphrase, password offered too
      await runTransportCli([...base, "--identity", key], {
        cwd: root,
        env: { ENGAGE_PROMO_SFTP_PASSPHRASE: passphrase, ENGAGE_PROMO_SFTP_PASSWORD: password },
      }),
      // fails on login: the password alone (the server takes keys only)
      await runTransportCli([...base, "--force"], {
        cwd: root,
        env: { ENGAGE_PROMO_SFTP_PASSWORD: password },
      }),
      await runTransportCli([...base, "--force", "--password-file", "password"], { cwd: root, env: {} }),
      // fails on the key: wrong passphrase
      await runTransportCli([...base, "--force", "--identity", key], {
        cwd: root,
        env: { ENGAGE_PROMO_SFTP_PASSPHRASE: `${passphrase}x` },
      }),
      // fails on the host key, after reading every secret
      await runTransportCli(
        [
          ...base,
          "--force",
          "--identity",
          key,
          "--host-key",
          other.hostKeyFingerprint,
          "--known-hosts",
          other.knownHostsFile,
        ],
        {
          cwd: root,
          env: { ENGAGE_PROMO_SFTP_PASSPHRASE: passphrase, ENGAGE_PROMO_SFTP_PASSWORD: password },
        },
      ),
      // refused before connecting: a password in the URL
      await runTransportCli(
        ["upload", "out", "--to", `sftp://${sshd.user}:${password}@127.0.0.1:${sshd.port}${remote}`],
        { cwd: root },
      ),
    ];
    expect(runs.map((r) => r.code)).toEqual([0, 77, 77, 77, 77, 2]);
    for (const run of runs) {
      const all = run.stdout + run.stderr;
      expect(all).not.toContain(password);
      expect(all).not.toContain(passphrase);
      expect(all).not.toContain(readFileSync(key, "utf8").split("\n")[1]!);
    }
    expect(runs[5]?.stderr).toContain("ENGAGE_PROMO_SFTP_PASSWORD");
  });
});
