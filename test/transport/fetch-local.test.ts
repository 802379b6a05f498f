import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fetchFolder, type FetchOptions } from "../../src/transport/fetch.js";
import { parseTarget } from "../../src/transport/target.js";
import { buildFetchOptions, captureLog, localTransport, tempDir } from "./fixtures.js";

function options(extra: Partial<FetchOptions> = {}): FetchOptions {
  return buildFetchOptions(localTransport(), extra);
}

function exportFolder(files: Record<string, string>): string {
  const dir = tempDir("engage-export-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe("fetch from a local folder", () => {
  it("downloads matching files, leaves the rest, and keeps the remote files by default", async () => {
    const remote = exportFolder({ "1_redeemed.xml": "<a/>", "2_assigned.xml": "<bb/>", "notes.txt": "x" });
    const out = join(tempDir(), "in");
    const result = await fetchFolder(parseTarget(remote), out, options(), { log: captureLog().log });
    expect(result.error).toBeUndefined();
    expect(result.files.map((f) => [f.name, f.status, f.after])).toEqual([
      ["1_redeemed.xml", "fetched", "kept"],
      ["2_assigned.xml", "fetched", "kept"],
    ]);
    expect(readdirSync(out).sort()).toEqual(["1_redeemed.xml", "2_assigned.xml"]);
    expect(readFileSync(join(out, "2_assigned.xml"), "utf8")).toBe("<bb/>");
    expect(readdirSync(remote).sort()).toEqual(["1_redeemed.xml", "2_assigned.xml", "notes.txt"]);

    const again = await fetchFolder(parseTarget(remote), out, options(), { log: captureLog().log });
    expect(again.totals).toMatchObject({ fetched: 0, skipped: 2 });
  });

  it("deletes each remote file only after its local copy is in place", async () => {
    const remote = exportFolder({ "1.xml": "one", "2.xml": "two" });
    const out = tempDir();
    const result = await fetchFolder(parseTarget(remote), out, options({ after: { kind: "delete" } }), {
      log: captureLog().log,
    });
    expect(result.totals).toMatchObject({ fetched: 2, deleted: 2 });
    expect(readdirSync(remote)).toEqual([]);
    expect(readFileSync(join(out, "2.xml"), "utf8")).toBe("two");
  });

  it("re-checks a copy already here before deleting the remote file, and replaces a different one with a warning", async () => {
    const remote = exportFolder({ "1.xml": "same", "2.xml": "new!" });
    const out = tempDir();
    writeFileSync(join(out, "1.xml"), "same");
    writeFileSync(join(out, "2.xml"), "old!");
    const { log, lines } = captureLog();
    const result = await fetchFolder(parseTarget(remote), out, options({ after: { kind: "delete" } }), {
      log,
    });
    expect(result.files.map((f) => [f.name, f.status, f.after])).toEqual([
      ["1.xml", "skipped", "deleted"],
      ["2.xml", "fetched", "deleted"],
    ]);
    expect(readFileSync(join(out, "2.xml"), "utf8")).toBe("new!");
    expect(lines.some((l) => l.startsWith("warn:") && l.includes("2.xml: replaced"))).toBe(true);
  });

  it("moves each remote file into an archive folder, and refuses a missing one without --mkdir (exit 76)", async () => {
    const remote = exportFolder({ "1.xml": "one" });
    const out = tempDir();
    const refused = await fetchFolder(
      parseTarget(remote),
      out,
      options({ after: { kind: "move", dir: "done" } }),
      { log: captureLog().log },
    );
    expect(refused.error).toMatchObject({
      kind: "remote_refused",
      code: "transport.remote_dir_missing",
      exitCode: 76,
    });
    expect(readdirSync(remote)).toEqual(["1.xml"]);
    expect(readdirSync(out)).toEqual([]);

    mkdirSync(join(remote, "done"));
    const moved = await fetchFolder(
      parseTarget(remote),
      out,
      options({ after: { kind: "move", dir: "done" } }),
      { log: captureLog().log },
    );
    expect(moved.totals).toMatchObject({ fetched: 1, moved: 1 });
    expect(readdirSync(join(remote, "done"))).toEqual(["1.xml"]);
    expect(readdirSync(remote)).toEqual(["done"]);
  });

  it("refuses remote names that could escape the folder or hold control characters, and still fetches the rest", async () => {
    const remote = exportFolder({ "..\\evil.xml": "x", "line\nbreak.xml": "y", "good.xml": "z" });
    const out = join(tempDir(), "in");
    const result = await fetchFolder(parseTarget(remote), out, options({ after: { kind: "delete" } }), {
      log: captureLog().log,
    });
    expect(result.files.map((f) => [f.name, f.status])).toEqual([
      ["..\\evil.xml", "refused"],
      ["good.xml", "fetched"],
      ["line\nbreak.xml", "refused"],
    ]);
    expect(result.issues.map((i) => i.code)).toEqual([
      "transport.unsafe_remote_name",
      "transport.unsafe_remote_name",
    ]);
    expect(readdirSync(out)).toEqual(["good.xml"]);
    expect(readdirSync(remote).sort()).toEqual(["..\\evil.xml", "line\nbreak.xml"]);
  });

  it("plans on --dry-run without writing or deleting anything", async () => {
    const remote = exportFolder({ "1.xml": "one", "2.xml": "two" });
    const out = join(tempDir(), "in");
    const result = await fetchFolder(
      parseTarget(remote),
      out,
      options({ dryRun: true, after: { kind: "delete" } }),
      { log: captureLog().log },
    );
    expect(result.files.map((f) => [f.name, f.status])).toEqual([
      ["1.xml", "planned"],
      ["2.xml", "planned"],
    ]);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(remote).sort()).toEqual(["1.xml", "2.xml"]);
  });
});
