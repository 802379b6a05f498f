import { afterEach, describe, expect, it } from "vitest";
import { onCi, skipWithout } from "../support/tools.js";

const saved = process.env.CI;
afterEach(() => {
  if (saved === undefined) delete process.env.CI;
  else process.env.CI = saved;
});

describe("tests of a missing tool", () => {
  it("fail on CI instead of being skipped", () => {
    process.env.CI = "true";
    expect(onCi()).toBe(true);
    expect(() => skipWithout("/no/such/tool", "some-package")).toThrow(
      "/no/such/tool is missing on CI (.ci/run installs some-package)",
    );
    process.env.CI = "1";
    expect(() => skipWithout("/no/such/tool", "some-package")).toThrow();
  });

  it("may be skipped off CI, and run wherever the tool is", () => {
    delete process.env.CI;
    expect(skipWithout("/no/such/tool", "some-package")).toBe(true);
    expect(skipWithout(process.execPath, "nodejs")).toBe(false);
    process.env.CI = "false";
    expect(onCi()).toBe(false);
  });
});
