import { existsSync } from "node:fs";

/** True on CI (`CI=true` or `CI=1`), where every tool the tests use must be present. */
export function onCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}

/**
 * True when tests of a tool may be skipped here: the tool is missing and this is not CI. On CI a
 * missing tool throws, so the test file fails instead of passing with its tests skipped.
 */
export function skipWithout(path: string, debianPackage: string): boolean {
  if (existsSync(path)) return false;
  if (onCi()) throw new Error(`${path} is missing on CI (.ci/run installs ${debianPackage})`);
  return true;
}
