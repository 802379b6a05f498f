import { describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";

describe("usage errors", () => {
  it("says a command is unknown and suggests the nearest", async () => {
    const run = await runCli(["valdate", "a.csv"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command valdate; did you mean validate?");
  });

  it("lists the commands when no command is near", async () => {
    const run = await runCli(["frobnicate"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command frobnicate; the commands are validate, render,");
  });

  it("suggests the nearest flag for an unknown one", async () => {
    const run = await runCli(["validate", "a.csv", "--kindd", "definitions"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option --kindd; did you mean --kind?");
  });

  it("blames a misspelled flag, not the required option it was meant to be", async () => {
    const run = await runCli(["render", "a.csv", "--ot", "out"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option --ot; did you mean --out?");
    expect(run.stderr).not.toContain("Missing required argument");
  });

  it("still names a required option that is simply missing", async () => {
    const run = await runCli(["render", "a.csv"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Missing required argument: out");
  });

  it("suggests --no-progress for a slip in it", async () => {
    const run = await runCli(["validate", "a.csv", "--no-progres"]);
    expect(run.stderr).toContain("did you mean --no-progress?");
  });

  it("lists number options as numbers and --no-progress in --help", async () => {
    const run = await runCli(["render", "--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--max-per-file[\s\S]*?\[number\]/);
    expect(run.stdout).toMatch(/--max-rejects[\s\S]*?\[number\]/);
    expect(run.stdout).toContain("--no-progress");
    expect(run.stdout).not.toMatch(/ --progress /);
  });

  it("does not offer --no-progress where nothing shows progress", async () => {
    const run = await runCli(["schema", "--help"]);
    expect(run.stdout).not.toContain("--no-progress");
  });

  it("still takes --progress and --no-progress", async () => {
    for (const flag of ["--progress", "--no-progress"]) {
      const run = await runCli(["validate", "missing.csv", flag]);
      expect(run.code).toBe(66);
    }
  });

  it("refuses a number option that is not a whole number", async () => {
    const run = await runCli(["render", "a.csv", "--out", "o", "--max-per-file", "abc"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--max-per-file: expected a whole number of at least 1");
  });
});
