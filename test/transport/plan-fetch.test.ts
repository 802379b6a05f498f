import { describe, expect, it } from "vitest";
import { compileGlob } from "../../src/transport/glob.js";
import { parseAfterAction, planFetch } from "../../src/transport/plan-fetch.js";
import { unsafeNameReason } from "../../src/transport/safe-name.js";

const keep = { kind: "keep" } as const;
const entry = (name: string, size = 10, isFile = true) => ({ name, size, isFile });

describe("unsafeNameReason", () => {
  it.each(["20260301_redeemed.xml", "export 1.xml", "åäö.xml", ".hidden.xml"])(
    "accepts the plain name %j",
    (name) => {
      expect(unsafeNameReason(name)).toBeUndefined();
    },
  );

  it.each([
    ["", "empty"],
    [".", "folder reference"],
    ["..", "folder reference"],
    ["../x.xml", "path separator"],
    ["/etc/passwd", "path separator"],
    ["..\\x.xml", "path separator"],
    ["C:x.xml", "drive prefix"],
    ["a\nb.xml", "control characters"],
    ["a\u0085b.xml", "control characters"],
    ["invoice\u202Eqsp.xml", "text-direction"],
    ["bad\ufffd.xml", "UTF-8"],
    ["x".repeat(256), "255 bytes"],
  ])("refuses %j (%s)", (name, why) => {
    expect(unsafeNameReason(name)).toContain(why);
  });
});

describe("compileGlob", () => {
  it("matches * and ? and leaves hidden files out unless the pattern starts with a dot", () => {
    const xml = compileGlob("*.xml");
    expect(xml("a.xml")).toBe(true);
    expect(xml("a.xml.part")).toBe(false);
    expect(xml(".a.xml")).toBe(false);
    expect(compileGlob(".*.xml")(".a.xml")).toBe(true);
    expect(compileGlob("2026????_*.xml")("20260301_x.xml")).toBe(true);
    expect(compileGlob("a+b(1).xml")("a+b(1).xml")).toBe(true);
  });
});

describe("planFetch", () => {
  const options = { pattern: "*.xml", force: false, after: keep, source: "sftp://u@h/export" };

  it("takes matching regular files in name order and leaves the rest out", () => {
    const plan = planFetch(
      [entry("b.xml"), entry("a.xml"), entry("notes.txt"), entry("dir.xml", 0, false), entry(".a.xml.part")],
      new Map(),
      options,
    );
    expect(plan.items.map((i) => [i.name, i.action])).toEqual([
      ["a.xml", "fetch"],
      ["b.xml", "fetch"],
    ]);
    expect(plan.ignored).toBe(3);
    expect(plan.issues).toEqual([]);
  });

  it("skips a file already here with the same size when remote files are kept", () => {
    const plan = planFetch(
      [entry("a.xml", 10), entry("b.xml", 10)],
      new Map([
        ["a.xml", 10],
        ["b.xml", 9],
      ]),
      options,
    );
    expect(plan.items.map((i) => i.action)).toEqual(["skip", "fetch"]);
    expect(
      planFetch([entry("a.xml", 10)], new Map([["a.xml", 10]]), { ...options, force: true }).items[0]?.action,
    ).toBe("fetch");
  });

  it("downloads again before deleting, even when a same-sized copy is here", () => {
    const plan = planFetch([entry("a.xml", 10)], new Map([["a.xml", 10]]), {
      ...options,
      after: { kind: "delete" },
    });
    expect(plan.items[0]?.action).toBe("fetch");
  });

  it("refuses a name that could escape the folder, with an issue, and ignores odd names the pattern does not want", () => {
    const plan = planFetch(
      [entry("../evil.xml"), entry("a\nb.xml"), entry("a\nb.txt"), entry("."), entry("..")],
      new Map(),
      options,
    );
    expect(plan.items.map((i) => [i.name, i.action])).toEqual([
      ["../evil.xml", "refuse"],
      ["a\nb.xml", "refuse"],
    ]);
    expect(plan.issues.map((i) => [i.code, i.severity, i.file])).toEqual([
      ["transport.unsafe_remote_name", "error", "sftp://u@h/export"],
      ["transport.unsafe_remote_name", "error", "sftp://u@h/export"],
    ]);
    expect(plan.issues[1]?.message).toBe(
      'remote file "a\\nb.xml" holds control characters; not downloaded, left on the server',
    );
  });
});

describe("parseAfterAction", () => {
  it("reads keep, delete and move:<dir>", () => {
    expect(parseAfterAction("keep")).toEqual({ kind: "keep" });
    expect(parseAfterAction("delete")).toEqual({ kind: "delete" });
    expect(parseAfterAction("move:/export/done")).toEqual({ kind: "move", dir: "/export/done" });
    expect(parseAfterAction("move:")).toBeUndefined();
    expect(parseAfterAction("move:../up")).toBeUndefined();
    expect(parseAfterAction("remove")).toBeUndefined();
  });
});

describe("planFetch with a minimum age", () => {
  const now = Date.parse("2026-03-01T12:00:00Z");
  const at = (name: string, ageMs: number | undefined) => ({
    name,
    size: 10,
    isFile: true,
    mtimeMs: ageMs === undefined ? undefined : now - ageMs,
  });

  it("leaves files modified more recently than --min-age for a later run, whatever --after says", () => {
    const plan = planFetch(
      [at("old.xml", 600_000), at("young.xml", 30_000), at("unknown.xml", undefined)],
      new Map(),
      {
        pattern: "*.xml",
        force: true,
        after: { kind: "delete" },
        source: "s",
        minAgeMs: 120_000,
        now,
      },
    );
    expect(plan.items.map((i) => [i.name, i.action])).toEqual([
      ["old.xml", "fetch"],
      ["unknown.xml", "fetch"],
      ["young.xml", "wait"],
    ]);
    expect(plan.items[2]?.reason).toBe(
      "modified 30 s ago, less than --min-age 120 s: it may still be being written; left for a later run",
    );
  });

  it("takes every file with a minimum age of 0", () => {
    const plan = planFetch([at("young.xml", 0)], new Map(), {
      pattern: "*",
      force: false,
      after: keep,
      source: "s",
      minAgeMs: 0,
      now,
    });
    expect(plan.items.map((i) => i.action)).toEqual(["fetch"]);
  });
});
