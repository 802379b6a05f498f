import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const dir = makeTempDir("engage-validate-cli-");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = "externalPromotionId;promotionCodeId;contactId";
const GUID = "7b89b95e-6347-4d66-8b02-a10a9c830119";

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe("validate on real-world inputs", () => {
  it("exits 65 with read.no_rows on a batch of only a header, and 0 with --allow-empty", async () => {
    const file = write("only-header.csv", `${HEADER}\n`);
    const refused = await runCli(["validate", file, "--format", "json", "--no-progress"]);
    expect(refused.code).toBe(65);
    expect(refused.stdout).toContain('"code":"read.no_rows"');
    const allowed = await runCli(["validate", file, "--allow-empty", "--no-progress"]);
    expect(allowed.code).toBe(0);
  });

  it("says how many records each input held", async () => {
    const a = write("two.csv", `${HEADER}\nA;c1;${GUID}\nA;c2;${GUID}\n`);
    const b = write("none.json", "[]");
    const run = await runCli(["validate", a, b, "--no-progress"]);
    expect(run.summary.inputs).toEqual([
      { file: a, kind: "assignments", records: 2 },
      { file: b, kind: "assignments", records: 0 },
    ]);
  });

  it("says in render's summary how many records each input held, and refuses an empty batch", async () => {
    const a = write("render-two.csv", `${HEADER}\nA;c1;${GUID}\nA;c2;${GUID}\n`);
    const run = await runCli(["render", a, "--out", join(dir, "out"), "--no-progress"]);
    expect(run.code).toBe(0);
    expect(run.summary.inputs).toEqual([{ file: a, kind: "assignments", records: 2 }]);
    const empty = write("render-empty.csv", `${HEADER}\n`);
    const refused = await runCli(["render", empty, "--out", join(dir, "out-empty"), "--no-progress"]);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain("read.no_rows");
  });

  it("reads a Windows-1252 file with --encoding and renames its header with --columns", async () => {
    const file = write(
      "excel.csv",
      Buffer.from(`externalPromotionId;Kod;Kund\r\nSOMMAR;kö-1;${GUID}\r\n`, "latin1"),
    );
    const run = await runCli([
      "validate",
      file,
      "--encoding",
      "windows-1252",
      "--columns",
      "Kod=promotionCodeId,Kund=contactId",
      "--no-progress",
    ]);
    expect(run.stderr).not.toContain("read.encoding_invalid");
    expect(run.code).toBe(0);
  });

  it("reports a header of 130,000 columns without a stack trace", async () => {
    const header = Array.from({ length: 130_000 }, (_, i) => `c${i}`).join(";");
    const file = write("wide.csv", `${HEADER};${header}\nA;c1;${GUID}${";".repeat(130_000)}\n`);
    const run = await runCli(["validate", file, "--format", "json", "--no-progress"]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("lists at most 100,000 issues as JSON and says how many were left out", async () => {
    const rows = Array.from({ length: 100_010 }, (_, i) => `A;c${i};not-a-guid`).join("\n");
    const file = write("bad.csv", `${HEADER}\n${rows}\n`);
    const run = await runCli(["validate", file, "--format", "json", "--no-progress"]);
    expect(run.code).toBe(65);
    const issues = (JSON.parse(run.stdout.split("\n")[0]!) as { issues: { code: string }[] }).issues;
    expect(issues).toHaveLength(100_001);
    expect(issues.at(-1)!.code).toBe("validate.issues_omitted");
    expect(run.summary.issuesOmitted).toEqual({ error: 10, warning: 0 });
  }, 60_000);
});
