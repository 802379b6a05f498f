import { createHash } from "node:crypto";
import { readdirSync, rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { collectValidation, validateInputs, type InputEvent } from "../../src/validate/validate-inputs.js";
import { tempInputs } from "../read/temp-files.js";
import {
  assignment,
  ASSIGNMENTS_HEADER,
  definition,
  DEFINITIONS_HEADER,
  GUID_1,
  GUID_2,
  validateFiles,
} from "./support.js";
import { makeTempDir } from "../support/temp-dir.js";

const files = tempInputs("engage-api-");
afterAll(() => files.remove());

async function allEvents(
  paths: string[],
  options = {},
): Promise<{ batches: InputEvent[][]; events: InputEvent[] }> {
  const batches: InputEvent[][] = [];
  for await (const batch of validateInputs(paths, { profile: DEFAULT_PROFILE, ...options }))
    batches.push(batch);
  return { batches, events: batches.flat() };
}

describe("validateInputs", () => {
  it("yields every promotion before any assignment, whatever the order of the files", async () => {
    const asg = files.write(
      "first-assignments.csv",
      `${ASSIGNMENTS_HEADER}\n${assignment({ externalPromotionId: "SUMMER-26" })}\n`,
    );
    const mixed = files.write(
      "mixed.json",
      JSON.stringify({
        assignments: [{ externalPromotionId: "SUMMER-26", promotionCodeId: "S-2", contactId: GUID_2 }],
        promotions: [{ externalPromotionId: "SUMMER-26", promotionName: "Summer" }],
      }),
    );
    const defs = files.write("last-definitions.csv", `${DEFINITIONS_HEADER}\n${definition()}\n`);
    const { events } = await allEvents([asg, mixed, defs]);
    const kinds = events.map((e) =>
      e.type === "input" || e.type === "input-done" ? `${e.type}:${e.file.split("/").pop()}` : e.type,
    );
    expect(kinds).toEqual([
      "input:mixed.json",
      "promotion",
      "input:last-definitions.csv",
      "promotion",
      "input-done:last-definitions.csv",
      "input:first-assignments.csv",
      "assignment",
      "input-done:first-assignments.csv",
      "assignment",
      "input-done:mixed.json",
    ]);
  });

  it("announces each file with its kind, and finishes it with its sha256 and record count", async () => {
    const text = `\uFEFF${ASSIGNMENTS_HEADER}\r\n${assignment()}\r\n${assignment({ promotionCodeId: "x", contactId: "bad" })}\r\n`;
    const file = files.write("count.csv", text);
    const { events } = await allEvents([file]);
    const sha256 = createHash("sha256").update(text).digest("hex");
    expect(events.filter((e) => e.type === "input" || e.type === "input-done")).toEqual([
      { type: "input", file, kind: "assignments" },
      { type: "input-done", file, kind: "assignments", sha256, records: 2 },
    ]);
  });

  it("yields batches of about a thousand events", async () => {
    const rows = Array.from({ length: 5000 }, (_, i) =>
      assignment({
        promotionCodeId: `C${i}`,
        contactId: `${GUID_1.slice(0, 24)}${String(i).padStart(12, "0")}`,
      }),
    );
    const file = files.write("many.csv", `${ASSIGNMENTS_HEADER}\n${rows.join("\n")}\n`);
    const { batches, events } = await allEvents([file]);
    expect(events.filter((e) => e.type === "assignment")).toHaveLength(5000);
    expect(batches.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...batches.map((b) => b.length))).toBeLessThanOrEqual(1000);
  });

  it("yields one rejected event per invalid row with the values as given, and its issues", async () => {
    const file = files.write(
      "bad.csv",
      `${ASSIGNMENTS_HEADER}\n${assignment({ promotionCodeId: "0007", contactId: "nope", validFromDate: "1/2/2026" })}\n`,
    );
    const { events } = await allEvents([file]);
    const rejected = events.filter((e) => e.type === "rejected");
    expect(rejected).toEqual([
      {
        type: "rejected",
        at: { file, line: 2, record: 1 },
        kind: "assignments",
        raw: {
          externalPromotionId: "SPRING-26",
          promotionCodeId: "0007",
          contactId: "nope",
          externalContactId: "",
          validFromDate: "1/2/2026",
        },
        codes: ["validate.not_guid", "validate.invalid_date"],
      },
    ]);
    expect(events.filter((e) => e.type === "assignment")).toEqual([]);
    expect(events.filter((e) => e.type === "issue").map((e) => e.type === "issue" && e.issue.code)).toEqual([
      "validate.not_guid",
      "validate.invalid_date",
    ]);
  });

  it("gives the raw values of a rejected JSON record by path, numbers as written", async () => {
    const result = await validateFiles({
      "p.json":
        '[{"externalPromotionId": 1E5, "promotionName": "", "presentation": {"heading": "H"}, "redemptionChannels": [{"type": "POS", "valueType": "PERCENT", "value": 200}]}]',
    });
    expect(result.rejected[0]!.raw).toEqual({
      externalPromotionId: "1E5",
      promotionName: "",
      "presentation.heading": "H",
      "redemptionChannels[0].type": "POS",
      "redemptionChannels[0].valueType": "PERCENT",
      "redemptionChannels[0].value": "200",
    });
    expect(result.rejected[0]!.codes).toEqual(["validate.required", "validate.invalid_percent"]);
  });

  it("keeps identifiers with leading zeros, exponents and 20 digits exactly, in CSV and JSON", async () => {
    const ids = ["0000123", "1E5", "12345678901234567890"];
    const csv = ids.map((id, i) =>
      assignment({
        externalPromotionId: id,
        promotionCodeId: id,
        contactId: "",
        externalContactId: `${id}-${i}`,
      }),
    );
    const json = `[${ids.map((id, i) => `{"externalPromotionId": ${id === "0000123" ? '"0000123"' : id}, "promotionCodeId": "j${i}", "externalContactId": ${id === "0000123" ? '"0000123"' : id}}`).join(",")}]`;
    const defs = ids.map((id) => definition({ externalPromotionId: id }));
    const result = await validateFiles({
      "d.csv": `${DEFINITIONS_HEADER}\n${defs.join("\n")}\n`,
      "a.csv": `${ASSIGNMENTS_HEADER}\n${csv.join("\n")}\n`,
      "a.json": json,
    });
    expect(result.issues.map((i) => i.code)).toEqual([
      "validate.external_contact_deprecated",
      "validate.external_contact_deprecated",
    ]);
    expect(result.promotions.map((p) => p.promotion.externalPromotionId)).toEqual(ids);
    expect(
      result.assignments.map((a) => [
        a.assignment.externalPromotionId,
        a.assignment.promotionCodeId,
        a.assignment.externalContactId,
      ]),
    ).toEqual([
      ["0000123", "0000123", "0000123-0"],
      ["1E5", "1E5", "1E5-1"],
      ["12345678901234567890", "12345678901234567890", "12345678901234567890-2"],
      ["0000123", "j0", "0000123"],
      ["1E5", "j1", "1E5"],
      ["12345678901234567890", "j2", "12345678901234567890"],
    ]);
  });

  it("throws input_missing for a missing file before yielding anything", async () => {
    const good = files.write("good.csv", `${DEFINITIONS_HEADER}\n${definition()}\n`);
    const missing = `${files.dir}/missing.csv`;
    const generator = validateInputs([good, missing], { profile: DEFAULT_PROFILE });
    const error = await generator.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({
      kind: "input_missing",
      code: "read.file_missing",
      message: `${missing}: no such file`,
    });
  });

  it("refuses a time zone it does not know and a mapping to a field that does not exist", async () => {
    const file = files.write("any.csv", `${DEFINITIONS_HEADER}\n${definition()}\n`);
    await expect(
      collectValidation([file], { profile: DEFAULT_PROFILE, timezone: "Mars/Olympus" }),
    ).rejects.toMatchObject({ kind: "usage", code: "validate.timezone_unknown" });
    await expect(
      collectValidation([file], { profile: DEFAULT_PROFILE, columns: { Kod: "code" } }),
    ).rejects.toMatchObject({ kind: "bad_config", code: "read.columns_unknown_field" });
  });

  it("reads a file whose kind is forced", async () => {
    const file = files.write("forced.csv", "externalPromotionId;validFromDate\nSPRING-26;\n");
    const result = await collectValidation([file], { profile: DEFAULT_PROFILE, kind: "assignments" });
    expect(result.issues.map((i) => [i.code, i.line, i.field])).toEqual([
      ["validate.required", 2, "contactId"],
    ]);
    expect(result.rejected.map((r) => r.kind)).toEqual(["assignments"]);
  });

  it("finds duplicates 15,000 lines apart in 20,000 assignments, naming both lines, and leaves no temporary file", async () => {
    const guid = (i: number) =>
      `${(Math.imul(i + 1, 2654435761) >>> 0).toString(16).padStart(8, "0")}-6347-4d66-8b02-${i.toString(16).padStart(12, "0")}`;
    const lines = [ASSIGNMENTS_HEADER];
    for (let i = 0; i < 20_000; i++) {
      // row i is on line i + 2; row 15,000 reuses row 3's code, row 18,000 row 10's contact
      const code = i === 15_000 ? "C-3" : `C-${i}`;
      const contact = i === 18_000 ? guid(10).toUpperCase() : guid(i);
      lines.push(assignment({ promotionCodeId: code, contactId: contact }));
    }
    const asg = files.write("many.csv", `${lines.join("\n")}\n`);
    const temp = makeTempDir("engage-spill-");
    const before = process.env["TMPDIR"];
    process.env["TMPDIR"] = temp;
    try {
      const result = await collectValidation([asg], { profile: DEFAULT_PROFILE });
      const rules = result.issues.filter((i) => i.code.startsWith("rules.duplicate"));
      expect(rules.map((i) => [i.code, i.line, i.related])).toEqual([
        ["rules.duplicate_code", 15_002, [{ file: asg, line: 5 }]],
        ["rules.duplicate_assignment", 18_002, [{ file: asg, line: 12 }]],
      ]);
      expect(rules[0]!.message).toContain(`(first at ${asg}:5)`);
      expect(result.counts.assignments).toBe(19_999);
      expect(readdirSync(temp)).toEqual([]);
    } finally {
      if (before === undefined) delete process.env["TMPDIR"];
      else process.env["TMPDIR"] = before;
      rmSync(temp, { recursive: true, force: true });
    }
  });

  it("collects everything for small inputs", async () => {
    const result = await validateFiles({
      "d.csv": `${DEFINITIONS_HEADER}\n${definition()}\n${definition()}\n`,
      "a.csv": `${ASSIGNMENTS_HEADER}\n${assignment()}\n`,
    });
    expect(result.counts).toEqual({
      records: 3,
      promotions: 1,
      assignments: 1,
      rejected: 1,
      errors: 1,
      warnings: 0,
    });
    expect(result.inputs.map((i) => [i.file.split("/").pop(), i.kind, i.records])).toEqual([
      ["d.csv", "definitions", 2],
      ["a.csv", "assignments", 1],
    ]);
  });
});

describe("an empty batch", () => {
  it("is an error read.no_rows on each input when only headers and [] are given", async () => {
    const csv = files.write("only-header.csv", `${ASSIGNMENTS_HEADER}\n`);
    const json = files.write("none.json", "[]\n");
    const { events } = await allEvents([csv, json]);
    const issues = events.flatMap((e) => (e.type === "issue" ? [e.issue] : []));
    expect(issues.map((i) => [i.code, i.severity, i.file])).toEqual([
      ["read.no_rows", "error", csv],
      ["read.no_rows", "error", json],
    ]);
    expect(issues[0]!.message).toContain("--allow-empty");
  });

  it("is accepted with allowEmpty", async () => {
    const csv = files.write("only-header-allowed.csv", `${ASSIGNMENTS_HEADER}\n`);
    const { events } = await allEvents([csv], { allowEmpty: true });
    expect(events.filter((e) => e.type === "issue")).toEqual([]);
  });

  it("is not reported when one input holds a record", async () => {
    const csv = files.write("header-only-2.csv", `${ASSIGNMENTS_HEADER}\n`);
    const other = files.write("one-row.csv", `${ASSIGNMENTS_HEADER}\n${assignment()}\n`);
    const { events } = await allEvents([csv, other]);
    const codes = events.flatMap((e) => (e.type === "issue" ? [e.issue.code] : []));
    expect(codes).not.toContain("read.no_rows");
  });
});
