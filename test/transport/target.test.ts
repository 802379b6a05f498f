import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { parseTarget } from "../../src/transport/target.js";

function usageError(text: string): EngageError {
  try {
    parseTarget(text, "/work");
  } catch (error) {
    expect(error).toBeInstanceOf(EngageError);
    expect((error as EngageError).kind).toBe("usage");
    return error as EngageError;
  }
  throw new Error(`${text} was accepted`);
}

describe("parseTarget", () => {
  it("reads user, host, port and an absolute remote folder", () => {
    expect(parseTarget("sftp://acme@ftp.voyado.com:2222/integration/promotions/")).toEqual({
      kind: "sftp",
      user: "acme",
      host: "ftp.voyado.com",
      port: 2222,
      path: "/integration/promotions",
      display: "sftp://acme@ftp.voyado.com:2222/integration/promotions",
    });
  });

  it("leaves port 22 out of the display form, so the manifest key is the same either way", () => {
    expect(parseTarget("sftp://acme@FTP.voyado.com:22/in").display).toBe("sftp://acme@ftp.voyado.com/in");
    expect(parseTarget("sftp://acme@ftp.voyado.com/in")).toMatchObject({
      port: 22,
      display: "sftp://acme@ftp.voyado.com/in",
    });
  });

  it("reads /~/dir as a folder inside the login folder", () => {
    expect(parseTarget("sftp://acme@h/~/out/promos")).toMatchObject({
      path: "out/promos",
      display: "sftp://acme@h/~/out/promos",
    });
    expect(parseTarget("sftp://acme@h/~")).toMatchObject({ path: ".", display: "sftp://acme@h/~" });
    expect(parseTarget("sftp://acme@h/~/")).toMatchObject({ path: "." });
  });

  it("decodes %-escapes in the user and path and keeps IPv6 hosts", () => {
    expect(parseTarget("sftp://acme%40corp@[::1]:2200/in%20box")).toMatchObject({
      user: "acme@corp",
      host: "::1",
      port: 2200,
      path: "/in box",
      display: "sftp://acme%40corp@[::1]:2200/in box",
    });
  });

  it("resolves a local folder against the working directory", () => {
    expect(parseTarget("./outbox", "/work")).toEqual({
      kind: "local",
      dir: "/work/outbox",
      display: "/work/outbox",
    });
    expect(parseTarget("/srv/drop", "/work")).toMatchObject({ kind: "local", dir: "/srv/drop" });
    expect(parseTarget("file:///srv/drop/", "/work")).toMatchObject({ kind: "local", dir: "/srv/drop" });
  });

  it("refuses a password in the URL without repeating it", () => {
    const error = usageError("sftp://acme:hunter2secret@ftp.voyado.com/in");
    expect(error.code).toBe("transport.target_invalid");
    expect(error.message).toContain("ENGAGE_PROMO_SFTP_PASSWORD");
    expect(error.message).toContain("--password-file");
    expect(error.message).not.toContain("hunter2secret");
  });

  it("refuses a password even when the URL cannot be parsed, without repeating it", () => {
    const error = usageError("sftp://acme:hunter2secret@bad host/in");
    expect(error.message).not.toContain("hunter2secret");
  });

  it.each([
    ["sftp://ftp.voyado.com/in", "user is missing"],
    ["sftp://acme@ftp.voyado.com", "remote folder is missing"],
    ["sftp://acme@ftp.voyado.com:99999/in", "not a valid URL"],
    ["sftp://acme@ftp.voyado.com/in?x=1", "query"],
    ["sftp://acme@ftp.voyado.com/in/../etc", '".."'],
    ["ftp://acme@ftp.voyado.com/in", "ftp:// is not supported"],
    ["", "empty"],
  ])("refuses %j (%s)", (text, why) => {
    expect(usageError(text).message).toContain(why);
  });

  it("accepts the server's root folder only when written as a slash", () => {
    expect(parseTarget("sftp://acme@h/")).toMatchObject({ path: "/", display: "sftp://acme@h/" });
  });
});
