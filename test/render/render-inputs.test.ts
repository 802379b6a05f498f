import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { writeRender } from "../../src/render/write-render.js";
import { validateInputs } from "../../src/validate/validate-inputs.js";
import { renderOptions, tempDir, xmllint } from "./support.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

const DEFINITIONS_HEADER =
  "externalPromotionId;promotionName;published;validFromDate;validToDate;heading;description;posValueType;posValue;posInstruction;ecomValueType;ecomValue;ecomInstruction";
const ASSIGNMENTS_HEADER = "externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate";

/** Writes input files into a fresh folder and renders them from there, with names relative to it. */
async function renderFiles(files: Record<string, string>, extra: Parameters<typeof renderOptions>[1] = {}) {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    const events = validateInputs(Object.keys(files), { profile: DEFAULT_PROFILE });
    const result = await writeRender(events, renderOptions(join(dir, "out"), extra));
    return { dir: join(dir, "out"), result };
  } finally {
    process.chdir(cwd);
  }
}

describe("rendering validated CSV files", () => {
  it("renders BOM and CRLF input the same as plain LF input, as its golden folder", async () => {
    const definitions = `${DEFINITIONS_HEADER}\nSPRING-26;Spring 20%;true;2026-03-01;2026-03-31;Spring sale;"20% off; in store & online";PERCENT;20;Scan the card;PERCENT;20;\n`;
    const assignments = `${ASSIGNMENTS_HEADER}\nSPRING-26;0000123;7b89b95e-6347-4d66-8b02-a10a9c830119;;2026-03-05\nSPRING-26;1E5;0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80;;\n`;
    const crlf = (s: string) => `\ufeff${s.replace(/\n/g, "\r\n")}`;
    const plain = await renderFiles({ "definitions.csv": definitions, "assignments.csv": assignments });
    const windows = await renderFiles({
      "definitions.csv": crlf(definitions),
      "assignments.csv": crlf(assignments),
    });
    expect(windows.result.status).toBe("written");
    for (const file of windows.result.files) {
      expect(readFileSync(join(windows.dir, file.name), "utf8")).toBe(
        readFileSync(join(plain.dir, file.name), "utf8"),
      );
      await expect(readFileSync(join(windows.dir, file.name), "utf8")).toMatchFileSnapshot(
        `../golden/render/bom-and-crlf/${file.name}`,
      );
    }
    await expect(readFileSync(join(windows.dir, "manifest.keys.ndjson"), "utf8")).toMatchFileSnapshot(
      "../golden/render/bom-and-crlf/manifest.keys.ndjson",
    );
    expect(xmllint(windows.result.files.map((f) => join(windows.dir, f.name))).ok).toBe(true);
  });

  it("keeps identifiers with leading zeros, exponents and 20 digits exactly, in the XML and in the keys", async () => {
    const ids = ["0000123", "1E5", "12345678901234567890"];
    const assignments = `${ASSIGNMENTS_HEADER}\n${ids.map((id, i) => `P-${id};${id};7b89b95e-6347-4d66-8b02-00000000000${i};;`).join("\n")}\n`;
    const definitions = `${DEFINITIONS_HEADER}\n${ids.map((id) => `P-${id};Name ${id};;;;;;;;;;;`).join("\n")}\n`;
    const { dir, result } = await renderFiles({
      "definitions.csv": definitions,
      "assignments.csv": assignments,
    });
    expect(result.status).toBe("written");
    const xml = readFileSync(join(dir, result.files[0]!.name), "utf8");
    for (const id of ids) {
      expect(xml).toContain(`<externalId>${id}</externalId>`);
      expect(xml).toContain(`<externalPromotionId>P-${id}</externalPromotionId>`);
    }
    const keys = readFileSync(join(dir, "manifest.keys.ndjson"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { promotionCodeId: string });
    expect(keys.map((k) => k.promotionCodeId)).toEqual(ids);
  });

  it("writes nothing for an invalid row by default, and with --max-rejects writes the row as given to rejects.csv", async () => {
    const definitions = `${DEFINITIONS_HEADER}\nP;Name;;;;;;;;;;;\n`;
    const assignments = `${ASSIGNMENTS_HEADER}\nP;C-1;7b89b95e-6347-4d66-8b02-a10a9c830119;;\nP;C-2;not-a-guid;;\nP;C-3;0c1f5d2e-8a4b-4f6c-9d3e-2b7a1c5e9f80;;\n`;
    const strict = await renderFiles({ "definitions.csv": definitions, "assignments.csv": assignments });
    expect(strict.result.status).toBe("rejected");
    expect(strict.result.issues.map((i) => [i.code, i.file, i.line])).toEqual([
      ["validate.not_guid", "assignments.csv", 3],
    ]);

    const lenient = await renderFiles(
      { "definitions.csv": definitions, "assignments.csv": assignments },
      { maxRejects: 1 },
    );
    expect(lenient.result.status).toBe("written");
    expect(lenient.result.counts).toMatchObject({ read: 4, valid: 3, rejected: 1, assignments: 2 });
    expect(readdirSync(lenient.dir).sort()).toEqual([
      "20260301020000_000001_promotions.xml",
      "manifest.json",
      "manifest.keys.ndjson",
      "rejects.csv",
    ]);
    expect(readFileSync(join(lenient.dir, "rejects.csv"), "utf8")).toBe(
      "file;line;codes;externalPromotionId;promotionCodeId;contactId;externalContactId;validFromDate\nassignments.csv;3;validate.not_guid;P;C-2;not-a-guid;;\n",
    );
  });
});
