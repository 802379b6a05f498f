import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { transportOptionsFromArgs } from "../../src/transport/transport-options.js";
import { tempDir } from "./fixtures.js";

const fingerprint = "SHA256:" + "A".repeat(43);

function refused(args: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): EngageError {
  try {
    transportOptionsFromArgs(args, env, "/work");
  } catch (error) {
    expect(error).toBeInstanceOf(EngageError);
    return error as EngageError;
  }
  throw new Error("accepted");
}

describe("transportOptionsFromArgs", () => {
  it("defaults to ~/.ssh/known_hosts, 5 retries from 1 s, and a 30 s deadline", () => {
    const o = transportOptionsFromArgs({}, { HOME: "/home/etl" }, "/work");
    expect(o.hostKeys).toEqual({
      knownHostsFile: "/home/etl/.ssh/known_hosts",
      knownHostsIsDefault: true,
      pins: [],
      insecureAcceptAny: false,
    });
    expect(o).toMatchObject({
      retries: 5,
      retryDelayMs: 1000,
      timeoutMs: 30_000,
      mkdir: false,
      credentials: {},
    });
  });

  it("uses only the pins when --host-key is given alone, so an old default file cannot veto them", () => {
    const o = transportOptionsFromArgs({ hostKey: [`${fingerprint}=`] }, { HOME: "/home/etl" }, "/work");
    expect(o.hostKeys).toEqual({ knownHostsIsDefault: true, pins: [fingerprint], insecureAcceptAny: false });
  });

  it("reads the password from the environment or the first line of --password-file, and warns about a readable file", () => {
    expect(
      transportOptionsFromArgs(
        {},
        { ENGAGE_PROMO_SFTP_PASSWORD: "s3cret-env" },
      ).credentials.password?.reveal(),
    ).toBe("s3cret-env");
    const dir = tempDir();
    const file = join(dir, "pw");
    writeFileSync(file, "s3cret-file\r\nignored\n");
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    const o = transportOptionsFromArgs(
      { "password-file": "pw" },
      { ENGAGE_PROMO_SFTP_PASSWORD: "env" },
      dir,
      (m) => warnings.push(m),
    );
    expect(o.credentials.password?.reveal()).toBe("s3cret-file");
    expect(warnings).toEqual([`--password-file ${file}: the file is readable by other users; chmod 600 it`]);
    expect(inspect(o)).not.toContain("s3cret");
    expect(JSON.stringify(o)).not.toContain("s3cret");
  });

  it("takes the passphrase only together with --identity", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "id"), "-----BEGIN OPENSSH PRIVATE KEY-----\n");
    expect(
      transportOptionsFromArgs({}, { ENGAGE_PROMO_SFTP_PASSPHRASE: "pp" }).credentials.passphrase,
    ).toBeUndefined();
    const o = transportOptionsFromArgs({ identity: "id" }, { ENGAGE_PROMO_SFTP_PASSPHRASE: "pp" }, dir);
    expect(o.credentials).toMatchObject({ identityFile: join(dir, "id") });
    expect(o.credentials.passphrase?.reveal()).toBe("pp");
  });

  it.each([
    [{ hostKey: ["MD5:00:11"] }, "usage", "--host-key: expected a fingerprint"],
    [{ insecureAcceptAnyHostKey: true, hostKey: [fingerprint] }, "usage", "cannot be combined"],
    [{ retries: Number.NaN }, "usage", "--retries: expected a whole number from 0 to 100"],
    [{ timeoutMs: 0 }, "usage", "--timeout-ms"],
    [
      { identity: "/no/such/key" },
      "input_missing",
      "--identity /no/such/key: the private key cannot be read (ENOENT)",
    ],
    [{ passwordFile: "/no/such/file" }, "input_missing", "--password-file /no/such/file"],
  ])("refuses %j", (args, kind, message) => {
    const error = refused(args);
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(message);
  });
});
