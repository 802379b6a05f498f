import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { withDeadline } from "../../src/transport/deadline.js";
import { classifyRemoteError } from "../../src/transport/remote-error.js";
import { backoffDelay, withRetries } from "../../src/transport/retry.js";
import { Secret } from "../../src/transport/secret.js";
import { captureLog } from "./fixtures.js";

const transient = () =>
  new EngageError("remote_unavailable", "transport.connection_lost", "lost", { retryable: true });

describe("backoffDelay", () => {
  it("doubles from the base, keeps jitter in the upper half, and stops at the cap", () => {
    const policy = { retries: 5, baseDelayMs: 1000 };
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { ...policy, random: () => 0 }))).toEqual([
      500, 1000, 2000, 4000,
    ]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { ...policy, random: () => 0.999999 }))).toEqual([
      1000, 2000, 4000, 8000,
    ]);
    expect(backoffDelay(20, { ...policy, random: () => 0.999999 })).toBe(60_000);
  });
});

describe("withRetries", () => {
  const policy = (retries: number) => ({ retries, baseDelayMs: 10, sleep: async () => undefined });

  it("retries a failure that may pass, then succeeds", async () => {
    const { log, lines } = captureLog();
    let calls = 0;
    const value = await withRetries(policy(5), log, "upload", async () => {
      calls += 1;
      if (calls < 3) throw transient();
      return "done";
    });
    expect(value).toBe("done");
    expect(calls).toBe(3);
    expect(lines.filter((l) => l.startsWith("warn: upload: lost; retry"))).toHaveLength(2);
  });

  it("never retries an authentication or host key failure", async () => {
    let calls = 0;
    await expect(
      withRetries(policy(5), captureLog().log, "upload", async () => {
        calls += 1;
        throw new EngageError("auth_refused", "transport.auth_failed", "refused");
      }),
    ).rejects.toMatchObject({ kind: "auth_refused" });
    expect(calls).toBe(1);
  });

  it("gives up after the last retry and says how many attempts were made", async () => {
    let calls = 0;
    const error = await withRetries(policy(2), captureLog().log, "upload", async () => {
      calls += 1;
      throw transient();
    }).catch((e: unknown) => e as EngageError);
    expect(calls).toBe(3);
    expect(error).toMatchObject({
      kind: "remote_unavailable",
      code: "transport.connection_lost",
      retryable: true,
    });
    expect(error.message).toBe("lost (gave up after 3 attempts)");
    expect(error.exitCode).toBe(69);
  });
});

describe("withDeadline", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("fails a call that does not settle in time", async () => {
    const call = withDeadline(
      50,
      () => new Error("deadline"),
      () => new Promise(() => undefined),
    );
    const outcome = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(49);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toEqual(new Error("deadline"));
  });

  it("keeps a call alive while it makes progress, and fails it once progress stops", async () => {
    let touch!: () => void;
    let finish!: (v: string) => void;
    const call = withDeadline(
      80,
      () => new Error("deadline"),
      (t) => {
        touch = t;
        return new Promise<string>((resolve) => (finish = resolve));
      },
    );
    for (let i = 0; i < 6; i++) {
      await vi.advanceTimersByTimeAsync(40);
      touch();
    }
    finish("whole");
    expect(await call).toBe("whole");

    const stalled = withDeadline(
      80,
      () => new Error("deadline"),
      (t) => {
        touch = t;
        return new Promise<string>(() => undefined);
      },
    ).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60);
    touch();
    await vi.advanceTimersByTimeAsync(79);
    touch();
    await vi.advanceTimersByTimeAsync(80);
    expect(await stalled).toEqual(new Error("deadline"));
  });
});

describe("classifyRemoteError", () => {
  const sftpError = (message: string, code: number | string) => Object.assign(new Error(message), { code });

  it("treats lost connections and socket failures as retryable (exit 69)", () => {
    for (const e of [
      sftpError("put: Unexpected end event", "ERR_GENERIC_CLIENT"),
      sftpError("connect ECONNREFUSED 127.0.0.1:22", "ECONNREFUSED"),
      sftpError("No response from server", 7),
    ]) {
      expect(classifyRemoteError(e, "upload to", "/in/a.part")).toMatchObject({
        kind: "remote_unavailable",
        retryable: true,
      });
    }
  });

  it("treats permission and rename failures as refusals (exit 76), not retried", () => {
    expect(
      classifyRemoteError(
        sftpError("_put: Write stream error: Permission denied /in/a.part", 3),
        "upload to",
        "/in/a.part",
      ),
    ).toMatchObject({
      kind: "remote_refused",
      code: "transport.permission_denied",
      retryable: false,
      message: "upload to /in/a.part: permission denied (Write stream error: Permission denied /in/a.part)",
    });
    expect(classifyRemoteError(sftpError("_rename: Failure", 4), "rename", "a to b")).toMatchObject({
      kind: "remote_refused",
      code: "transport.rename_failed",
    });
  });

  it("blanks secrets a library put into a message", () => {
    const password = new Secret("correct horse battery");
    const e = classifyRemoteError(
      new Error("login with correct horse battery failed"),
      "connect to",
      "h:22",
      [password],
    );
    expect(e.message).not.toContain("correct horse");
    expect(e.message).toContain("***");
    expect(String(password)).toBe("***");
    expect(JSON.stringify({ password })).toBe('{"password":"***"}');
  });
});
