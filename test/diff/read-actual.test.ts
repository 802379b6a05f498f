import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { compareExportFiles, listExportFiles, readExports } from "../../src/diff/read-actual.js";
import { Reconciler } from "../../src/diff/reconciler.js";
import { toExportXml } from "../support/export-fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

function folder(): string {
  return makeTempDir("engage-diff-actual-");
}

describe("export files for diff", () => {
  it("orders every file of every path by file name, then by path", async () => {
    const dir = folder();
    mkdirSync(join(dir, "a"));
    mkdirSync(join(dir, "b"));
    for (const f of [
      "a/20260310_redeemed.xml",
      "a/20260302_assigned.xml",
      "b/20260305_assigned.xml",
      "b/notes.txt",
      "b/20260301_x.XML",
    ])
      writeFileSync(join(dir, f), "<promotions/>");
    const { files, issues } = await listExportFiles(["b", "a"], dir);
    expect(files.map((f) => f.display)).toEqual([
      join("b", "20260301_x.XML"),
      join("a", "20260302_assigned.xml"),
      join("b", "20260305_assigned.xml"),
      join("a", "20260310_redeemed.xml"),
    ]);
    expect(issues).toEqual([]);
    expect(
      compareExportFiles({ full: "", display: "y/1.xml" }, { full: "", display: "x/1.xml" }),
    ).toBeGreaterThan(0);
  });

  it("takes a file named twice once, and links that lead to files", async () => {
    const dir = folder();
    mkdirSync(join(dir, "in"));
    writeFileSync(join(dir, "20260302_assigned.xml"), "<promotions/>");
    symlinkSync(join(dir, "20260302_assigned.xml"), join(dir, "in", "20260303_linked.xml"));
    symlinkSync(join(dir, "nowhere.xml"), join(dir, "in", "20260304_dangling.xml"));
    const { files } = await listExportFiles(["20260302_assigned.xml", "20260302_assigned.xml", "in"], dir);
    expect(files.map((f) => f.display)).toEqual(["20260302_assigned.xml", join("in", "20260303_linked.xml")]);
  });

  it("warns about a folder without export files and refuses a path that does not exist", async () => {
    const dir = folder();
    mkdirSync(join(dir, "empty"));
    const { files, issues } = await listExportFiles(["empty"], dir);
    expect(files).toEqual([]);
    expect(issues.map((i) => [i.code, i.file, i.severity])).toEqual([
      ["diff.actual_empty", "empty", "warning"],
    ]);
    await expect(listExportFiles(["missing.xml"], dir)).rejects.toMatchObject({
      kind: "input_missing",
      code: "diff.actual_missing",
    });
    await expect(listExportFiles(["missing.xml"], dir)).rejects.toBeInstanceOf(EngageError);
  });

  it("streams records into the reconciler with their file and line, counting them per file", async () => {
    const dir = folder();
    writeFileSync(
      join(dir, "20260302_assigned.xml"),
      toExportXml([
        { kind: "assigned", contactId: "c1", couponId: "k1", externalPromotionId: "P" },
        { kind: "assigned", contactId: "c2", couponId: "k2", externalPromotionId: "P" },
      ]),
    );
    const reconciler = new Reconciler({ match: "contactId" });
    const { files } = await listExportFiles(["."], dir);
    const { sources, issues } = await readExports(files, { profile: DEFAULT_PROFILE, reconciler });
    expect(sources).toEqual([{ path: "20260302_assigned.xml", kind: "export", count: 2 }]);
    expect(issues).toEqual([]);
    const entries = [...reconciler.finish().entries("unexpected")];
    expect(entries.map((e) => e.exported?.at)).toEqual([
      { file: "20260302_assigned.xml", line: 3 },
      { file: "20260302_assigned.xml", line: 8 },
    ]);
  });

  it("turns an export that cannot be read after listing into an error issue (exit 65), not a failure", async () => {
    const dir = folder();
    mkdirSync(join(dir, "20260302_assigned.xml"));
    const reconciler = new Reconciler({ match: "contactId" });
    const { sources, issues } = await readExports(
      [{ full: join(dir, "20260302_assigned.xml"), display: "20260302_assigned.xml" }],
      {
        profile: DEFAULT_PROFILE,
        reconciler,
      },
    );
    expect(sources).toEqual([{ path: "20260302_assigned.xml", kind: "export", count: 0 }]);
    expect(issues.map((i) => [i.code, i.file, i.severity, i.message])).toEqual([
      ["diff.actual_unreadable", "20260302_assigned.xml", "error", "export file cannot be read (EISDIR)"],
    ]);
  });
});
