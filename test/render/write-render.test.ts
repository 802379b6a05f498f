import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { writeRender, type RenderResult } from "../../src/render/write-render.js";
import { ManifestKeySchema, ManifestSchema, type Manifest } from "../../src/schemas/manifest.js";
import type { Assignment } from "../../src/schemas/promotion.js";
import type { InputEvent } from "../../src/validate/validate-inputs.js";
import {
  assignment,
  assignmentAt,
  eventsOf,
  guid,
  issueEvent,
  listTree,
  promotion,
  renderOptions,
  stream,
  tempDir,
  xmllint,
} from "./support.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function workDir(): string {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return dir;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
const readManifest = (dir: string): Manifest =>
  ManifestSchema.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
const xmlFiles = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".xml"));

function codes(n: number, promotionId = "SPRING-26", from = 1): Assignment[] {
  return Array.from({ length: n }, (_, i) =>
    assignment(promotionId, `${promotionId}-${String(from + i).padStart(6, "0")}`, {
      contactId: guid(from + i),
    }),
  );
}

function rejectedEvent(
  line: number,
  codes: Extract<InputEvent, { type: "rejected" }>["codes"],
  raw: Record<string, string>,
): InputEvent {
  return { type: "rejected", at: assignmentAt(line), kind: "assignments", raw, codes };
}

/** Checks everything a written folder promises: checksums, sizes, keys, XSD validity, no leftovers. */
function checkWrittenFolder(dir: string, result: RenderResult): Manifest {
  const manifest = readManifest(dir);
  expect(result.files).toEqual(manifest.files);
  for (const file of manifest.files) {
    const path = join(dir, file.name);
    expect(sha256(path)).toBe(file.sha256);
    expect(statSync(path).size).toBe(file.bytes);
  }
  const keysPath = join(dir, manifest.keys.file);
  expect(sha256(keysPath)).toBe(manifest.keys.sha256);
  const keyLines = readFileSync(keysPath, "utf8")
    .split("\n")
    .filter((l) => l !== "");
  expect(keyLines).toHaveLength(manifest.keys.lines);
  const keys = keyLines.map((l) => ManifestKeySchema.parse(JSON.parse(l)));
  for (const file of manifest.files) {
    if (file.keyLines === undefined) {
      expect(file.counts.assignments).toBe(0);
      continue;
    }
    const [first, last] = file.keyLines;
    expect(last - first + 1).toBe(file.counts.assignments);
    expect(keys.slice(first - 1, last).every((k) => k.file === file.name)).toBe(true);
  }
  if (manifest.files.length > 0) {
    const lint = xmllint(manifest.files.map((f) => join(dir, f.name)));
    expect(lint.output).not.toContain("fails");
    expect(lint.ok).toBe(true);
  }
  expect(listTree(dir).filter((f) => f.startsWith(".staging-") || f.endsWith(".partial"))).toEqual([]);
  return manifest;
}

/** Compares every file of a written folder with its golden copy. */
async function expectGoldenFolder(dir: string, name: string): Promise<void> {
  for (const file of readdirSync(dir).sort()) {
    await expect(readFileSync(join(dir, file), "utf8")).toMatchFileSnapshot(
      `../golden/render/${name}/${file}`,
    );
  }
}

describe("writeRender golden folders", () => {
  const cases: Record<string, { batches: InputEvent[][]; maxPerFile: number; maxRejects?: number }> = {
    "chunk-at-limit": {
      batches: eventsOf({ promotions: [promotion("SPRING-26")], assignments: codes(3) }),
      maxPerFile: 3,
    },
    "chunk-over-limit": {
      batches: eventsOf({ promotions: [promotion("SPRING-26")], assignments: codes(4) }),
      maxPerFile: 3,
    },
    "definitions-only": {
      batches: eventsOf({
        promotions: [
          promotion("SPRING-26", { heading: "Spring" }),
          promotion("SUMMER-26", { published: false }),
        ],
      }),
      maxPerFile: 3,
    },
    "self-contained-files": {
      batches: eventsOf({
        promotions: [promotion("A"), promotion("B"), promotion("D")],
        assignments: [
          assignment("B", "B-1"),
          assignment("C", "C-1"),
          assignment("A", "A-1"),
          assignment("B", "B-2"),
          assignment("A", "A-2"),
        ],
        batchSize: 2,
      }),
      maxPerFile: 2,
    },
    "rejects-within-limit": {
      batches: eventsOf({
        promotions: [promotion("SPRING-26")],
        assignments: codes(2),
        extra: [
          rejectedEvent(4, ["validate.not_guid"], {
            externalPromotionId: "SPRING-26",
            promotionCodeId: "0000123",
            contactId: "nope",
            externalContactId: "",
            validFromDate: "",
          }),
          issueEvent({
            code: "validate.not_guid",
            severity: "error",
            message: 'contactId: expected a GUID, got "nope"',
            file: "assignments.csv",
            line: 4,
            column: 3,
            field: "contactId",
          }),
          rejectedEvent(5, ["validate.invalid_date", "validate.too_long"], {
            externalPromotionId: "SPRING-26",
            promotionCodeId: "x;y",
            contactId: guid(9),
            externalContactId: "",
            validFromDate: '31/02 "2026"',
          }),
          issueEvent({
            code: "validate.invalid_date",
            severity: "error",
            message: "validFromDate: expected a date",
            file: "assignments.csv",
            line: 5,
            column: 5,
          }),
          issueEvent({
            code: "validate.too_long",
            severity: "error",
            message: "promotionCodeId: too long",
            file: "assignments.csv",
            line: 5,
            column: 2,
          }),
        ],
      }),
      maxPerFile: 20_000,
      maxRejects: 2,
    },
  };

  for (const [name, c] of Object.entries(cases)) {
    it(`writes the ${name} folder as its golden copy`, async () => {
      const dir = join(workDir(), "out");
      const result = await writeRender(
        stream(c.batches),
        renderOptions(dir, { maxPerFile: c.maxPerFile, maxRejects: c.maxRejects ?? 0 }),
      );
      expect(result.status).toBe("written");
      checkWrittenFolder(dir, result);
      await expectGoldenFolder(dir, name);
    });
  }

  it("makes each file self-contained: it defines every promotion it assigns, when the batch defines it", async () => {
    const dir = join(workDir(), "out");
    const result = await writeRender(
      stream(cases["self-contained-files"]!.batches),
      renderOptions(dir, { maxPerFile: 2 }),
    );
    expect(result.files.map((f) => [f.promotions, f.counts.assignments])).toEqual([
      [["B"], 2],
      [["A", "B"], 2],
      [["A"], 1],
      [["D"], 0],
    ]);
  });
});

describe("writeRender at the default limit of 20,000", () => {
  it("writes 20,000 assignments into one file", async () => {
    const dir = join(workDir(), "out");
    const result = await writeRender(
      stream(eventsOf({ promotions: [promotion("SPRING-26")], assignments: codes(20_000) })),
      renderOptions(dir),
    );
    expect(DEFAULT_PROFILE.maxAssignmentsPerFile).toBe(20_000);
    expect(result.files.map((f) => f.counts)).toEqual([{ promotions: 1, assignments: 20_000 }]);
    checkWrittenFolder(dir, result);
  });

  it("writes 20,001 assignments into two files, the second defining the promotion again", async () => {
    const dir = join(workDir(), "out");
    const result = await writeRender(
      stream(eventsOf({ promotions: [promotion("SPRING-26")], assignments: codes(20_001) })),
      renderOptions(dir),
    );
    expect(result.files.map((f) => [f.name, f.counts, f.keyLines])).toEqual([
      ["20260301020000_000001_promotions.xml", { promotions: 1, assignments: 20_000 }, [1, 20_000]],
      ["20260301020000_000002_promotions.xml", { promotions: 1, assignments: 1 }, [20_001, 20_001]],
    ]);
    checkWrittenFolder(dir, result);
    await expect(readFileSync(join(dir, "20260301020000_000002_promotions.xml"), "utf8")).toMatchFileSnapshot(
      "../golden/render/chunk-20001/20260301020000_000002_promotions.xml",
    );
    await expect(readFileSync(join(dir, "manifest.json"), "utf8")).toMatchFileSnapshot(
      "../golden/render/chunk-20001/manifest.json",
    );
  });
});

describe("writeRender buffers", () => {
  it("reuses the buffers of written chunks without mixing their bytes: 60 files of 1,000 rows hold their own", async () => {
    const dir = join(workDir(), "out");
    const result = await writeRender(
      stream(eventsOf({ promotions: [promotion("SPRING-26")], assignments: codes(60_000) })),
      renderOptions(dir, { maxPerFile: 1000 }),
    );
    expect(result.files).toHaveLength(60);
    checkWrittenFolder(dir, result);
    for (const [k, file] of result.files.entries()) {
      const text = readFileSync(join(dir, file.name), "utf8");
      const code = (n: number) => `SPRING-26-${String(n).padStart(6, "0")}<`;
      expect(text).toContain(code(k * 1000 + 1));
      expect(text).toContain(code(k * 1000 + 1000));
      expect(text).not.toContain(code(k * 1000 + 1001));
      expect(text.split("SPRING-26-").length - 1).toBe(1000);
    }
  });
});

describe("writeRender determinism", () => {
  it("writes byte-identical files and manifest for the same input and timestamp", async () => {
    const input = () =>
      stream(
        eventsOf({
          promotions: [promotion("A", { description: "ü & 😀" }), promotion("B")],
          assignments: [...codes(7, "A"), ...codes(4, "B", 100), ...codes(2, "X", 200)],
          batchSize: 3,
        }),
      );
    const a = join(workDir(), "a");
    const b = join(workDir(), "b");
    await writeRender(input(), renderOptions(a, { maxPerFile: 5 }));
    await writeRender(input(), renderOptions(b, { maxPerFile: 5 }));
    const names = readdirSync(a).sort();
    expect(readdirSync(b).sort()).toEqual(names);
    expect(names).toContain("manifest.json");
    for (const name of names)
      expect(readFileSync(join(b, name)).equals(readFileSync(join(a, name)))).toBe(true);
  });
});

describe("writeRender leaves nothing behind when it fails", () => {
  it("removes everything when the events fail after files were staged", async () => {
    const root = workDir();
    const dir = join(root, "out");
    async function* failing(): AsyncGenerator<InputEvent[]> {
      yield* stream(eventsOf({ promotions: [promotion("A")], assignments: codes(5, "A"), batchSize: 2 }));
      expect(readdirSync(dir).some((f) => f.startsWith(".staging-"))).toBe(true);
      throw new EngageError("input_missing", "read.file_unreadable", "assignments.csv: disappeared");
    }
    await expect(writeRender(failing(), renderOptions(dir, { maxPerFile: 2 }))).rejects.toMatchObject({
      code: "read.file_unreadable",
    });
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root)).toEqual([]);
  });

  it("keeps a folder that existed before, empty, when the run fails", async () => {
    const dir = workDir();
    async function* failing(): AsyncGenerator<InputEvent[]> {
      yield* stream(eventsOf({ promotions: [promotion("A")], assignments: codes(5, "A") }));
      throw new Error("boom");
    }
    await expect(writeRender(failing(), renderOptions(dir, { maxPerFile: 2 }))).rejects.toThrow("boom");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports a write error mid-run as output_failed with the path, leaving no .xml and no manifest", async () => {
    const dir = join(workDir(), "out");
    async function* sabotaged(): AsyncGenerator<InputEvent[]> {
      yield eventsOf({ promotions: [promotion("A")] })[0]!;
      yield eventsOf({ assignments: codes(4, "A") })[0]!;
      // The staging folder vanishes under the run (as on a failing disk): the next file cannot be created.
      const staging = readdirSync(dir).find((f) => f.startsWith(".staging-"))!;
      const { rmSync } = await import("node:fs");
      rmSync(join(dir, staging), { recursive: true, force: true });
      yield eventsOf({ assignments: codes(4, "A", 10) })[0]!;
    }
    const error = await writeRender(sabotaged(), renderOptions(dir, { maxPerFile: 2 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({ kind: "output_failed", code: "render.write_failed" });
    expect((error as Error).message).toContain(dir);
    expect(
      existsSync(dir) ? listTree(dir).filter((f) => f.endsWith(".xml") || f.endsWith("manifest.json")) : [],
    ).toEqual([]);
  });

  it("takes back the files already moved when a rename into the folder fails", async () => {
    const dir = workDir();
    const blocker = join(dir, "20260301020000_000002_promotions.xml");
    mkdirSync(blocker);
    writeFileSync(join(blocker, "keep"), "x");
    const error = await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], assignments: codes(3, "A") })),
      renderOptions(dir, { maxPerFile: 2, overwrite: true }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "output_failed", code: "render.write_failed" });
    expect((error as Error).message).toContain(blocker);
    expect(readdirSync(dir)).toEqual(["20260301020000_000002_promotions.xml"]);
  });

  it("reports a folder it may not write to (EACCES) as output_failed, leaving it as it was", async () => {
    const { chmodSync } = await import("node:fs");
    const { spawnSync } = await import("node:child_process");
    const parent = workDir();
    const dir = join(parent, "locked");
    mkdirSync(dir);
    chmodSync(dir, 0o555);
    let outcome: { status?: string; kind?: string; code?: string; message?: string };
    if (process.getuid?.() === 0) {
      // Root writes anywhere: run the render as an unprivileged user instead.
      chmodSync(parent, 0o755);
      const fixture = join(import.meta.dirname, "fixtures", "render-into.ts");
      const run = spawnSync(
        "setpriv",
        [
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          process.execPath,
          "--import",
          "tsx",
          fixture,
          dir,
        ],
        {
          cwd: join(import.meta.dirname, "..", ".."),
          encoding: "utf8",
          env: { ...process.env, HOME: "/tmp", TSX_DISABLE_CACHE: "1" },
        },
      );
      outcome = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as typeof outcome;
    } else {
      outcome = await writeRender(
        stream(eventsOf({ promotions: [promotion("A")], assignments: codes(1, "A") })),
        renderOptions(dir),
      ).then(
        (r) => ({ status: r.status }),
        (e: EngageError) => ({ kind: e.kind, code: e.code, message: e.message }),
      );
    }
    expect(outcome).toMatchObject({ kind: "output_failed", code: "render.write_failed" });
    expect(outcome.message).toContain(dir);
    expect(outcome.message).toContain("EACCES");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("reports an output folder that is a file as output_failed", async () => {
    const file = join(workDir(), "not-a-folder");
    writeFileSync(file, "x");
    const error = await writeRender(
      stream(eventsOf({ promotions: [promotion("A")] })),
      renderOptions(join(file, "out")),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "output_failed", code: "render.write_failed" });
    expect((error as Error).message).toContain(file);
  });

  it("stops with an internal error at the row when a text cannot be written, leaving nothing", async () => {
    const dir = join(workDir(), "out");
    const bad = assignment("A", "A-\u0000", {});
    const error = await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], assignments: [...codes(3, "A"), bad] })),
      renderOptions(dir, { maxPerFile: 2 }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "internal", code: "render.invalid_xml_char" });
    expect((error as Error).message).toMatch(
      /^assignments\.csv:5: promotionCodeId: character U\+0000 at position 3/,
    );
    expect(existsSync(dir)).toBe(false);
  });
});

describe("writeRender and invalid rows", () => {
  const notGuid = (line: number) => [
    rejectedEvent(line, ["validate.not_guid"], {
      externalPromotionId: "A",
      promotionCodeId: `A-${line}`,
      contactId: "nope",
    }),
    issueEvent({
      code: "validate.not_guid",
      severity: "error",
      message: 'contactId: expected a GUID, got "nope"',
      file: "assignments.csv",
      line,
      column: 3,
    }),
  ];

  it("writes nothing by default when any row is invalid, and returns the issues", async () => {
    const dir = join(workDir(), "out");
    const result = await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], assignments: codes(3, "A"), extra: notGuid(9) })),
      renderOptions(dir),
    );
    expect(result.status).toBe("rejected");
    expect(result.files).toEqual([]);
    expect(result.manifestPath).toBeUndefined();
    expect(result.issues.map((i) => [i.code, i.line])).toEqual([["validate.not_guid", 9]]);
    expect(result.counts).toEqual({
      read: 5,
      valid: 4,
      rejected: 1,
      promotions: 1,
      assignments: 3,
      byKind: {
        definitions: { read: 1, valid: 1, rejected: 0 },
        assignments: { read: 4, valid: 3, rejected: 1 },
      },
    });
    expect(existsSync(dir)).toBe(false);
  });

  it("leaves out up to --max-rejects rows, writes them to rejects.csv and counts them", async () => {
    const dir = join(workDir(), "out");
    const result = await writeRender(
      stream(
        eventsOf({
          promotions: [promotion("A")],
          assignments: codes(3, "A"),
          extra: [...notGuid(9), ...notGuid(12)],
        }),
      ),
      renderOptions(dir, { maxRejects: 2 }),
    );
    expect(result.status).toBe("written");
    expect(result.rejectsPath).toBe(join(dir, "rejects.csv"));
    expect(result.counts.rejected).toBe(2);
    expect(readManifest(dir).counts).toEqual({ promotions: 1, assignments: 3, rejected: 2, files: 1 });
    expect(readFileSync(join(dir, "rejects.csv"), "utf8").split("\n").slice(0, 3)).toEqual([
      "file;line;codes;externalPromotionId;promotionCodeId;contactId",
      "assignments.csv;9;validate.not_guid;A;A-9;nope",
      "assignments.csv;12;validate.not_guid;A;A-12;nope",
    ]);
  });

  it("writes nothing when rows exceed --max-rejects, naming the row that crossed the limit", async () => {
    const dir = join(workDir(), "out");
    const result = await writeRender(
      stream(
        eventsOf({
          promotions: [promotion("A")],
          assignments: codes(3, "A"),
          extra: [...notGuid(9), ...notGuid(12), ...notGuid(15)],
        }),
      ),
      renderOptions(dir, { maxRejects: 2 }),
    );
    expect(result.status).toBe("rejected");
    const last = result.issues[result.issues.length - 1]!;
    expect([last.code, last.file, last.line]).toEqual(["rules.too_many_rejects", "assignments.csv", 15]);
    expect(last.message).toBe("3 rows are invalid, more than --max-rejects 2 allows; nothing was written");
    expect(existsSync(dir)).toBe(false);
  });

  it("writes nothing when an error belongs to no rejected row, whatever --max-rejects allows", async () => {
    const dir = join(workDir(), "out");
    const fileError = issueEvent({
      code: "read.csv_quote_not_closed",
      severity: "error",
      message: "a quote opened here is never closed",
      file: "other.csv",
      line: 40,
    });
    const result = await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], assignments: codes(3, "A"), extra: [fileError] })),
      renderOptions(dir, { maxRejects: 100 }),
    );
    expect(result.status).toBe("rejected");
    expect(result.issues.map((i) => i.code)).toEqual(["read.csv_quote_not_closed"]);
  });

  it("matches a row's errors by record when their lines differ (a JSON record over many lines)", async () => {
    const dir = join(workDir(), "out");
    const extra: InputEvent[] = [
      {
        type: "rejected",
        at: { file: "promotions.json", line: 3, record: 1 },
        kind: "definitions",
        raw: { externalPromotionId: "Z" },
        codes: ["validate.invalid_percent"],
      },
      issueEvent({
        code: "validate.invalid_percent",
        severity: "error",
        message: "posValue",
        file: "promotions.json",
        line: 7,
        record: 1,
      }),
    ];
    const result = await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], extra })),
      renderOptions(dir, { maxRejects: 1 }),
    );
    expect(result.status).toBe("written");
    expect(result.counts.byKind.definitions).toEqual({ read: 2, valid: 1, rejected: 1 });
  });

  it("counts a row's errors reported just before it as the row's, even on a later line (a JSON field)", async () => {
    const dir = join(workDir(), "out");
    const extra: InputEvent[] = [
      issueEvent({
        code: "validate.invalid_percent",
        severity: "error",
        message: "posValue",
        file: "promotions.json",
        line: 9,
        column: 20,
        field: "redemptionChannels[0].value",
      }),
      {
        type: "rejected",
        at: { file: "promotions.json", line: 4, record: 2 },
        kind: "definitions",
        raw: { externalPromotionId: "Z" },
        codes: ["validate.invalid_percent"],
      },
    ];
    const result = await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], extra })),
      renderOptions(dir, { maxRejects: 1 }),
    );
    expect(result.status).toBe("written");
  });

  it("does not let a rejected row claim an error of another file or an earlier line", async () => {
    for (const error of [
      issueEvent({
        code: "validate.invalid_percent",
        severity: "error",
        message: "x",
        file: "other.json",
        line: 9,
      }),
      issueEvent({
        code: "validate.invalid_percent",
        severity: "error",
        message: "x",
        file: "promotions.json",
        line: 3,
      }),
      issueEvent({ code: "read.file_empty", severity: "error", message: "x", file: "promotions.json" }),
    ]) {
      const dir = join(workDir(), "out");
      const extra: InputEvent[] = [
        error,
        {
          type: "rejected",
          at: { file: "promotions.json", line: 4, record: 2 },
          kind: "definitions",
          raw: {},
          codes: ["validate.invalid_percent"],
        },
      ];
      const result = await writeRender(
        stream(eventsOf({ promotions: [promotion("A")], extra })),
        renderOptions(dir, { maxRejects: 1 }),
      );
      expect(result.status).toBe("rejected");
    }
  });

  it("writes nothing when a row with an error was kept rather than rejected", async () => {
    const dir = join(workDir(), "out");
    const batches = [
      [
        { type: "promotion", promotion: promotion("A"), at: { file: "definitions.csv", line: 2, record: 1 } },
        issueEvent({
          code: "rules.duplicate_code",
          severity: "error",
          message: "twice",
          file: "assignments.csv",
          line: 3,
        }),
        {
          type: "assignment",
          assignment: assignment("A", "A-1"),
          at: { file: "assignments.csv", line: 3, record: 2 },
        },
      ] satisfies InputEvent[],
    ];
    const result = await writeRender(stream(batches), renderOptions(dir, { maxRejects: 5 }));
    expect(result.status).toBe("rejected");
  });

  it("writes despite warnings and returns them", async () => {
    const dir = join(workDir(), "out");
    const warning = issueEvent({
      code: "rules.undefined_promotion",
      severity: "warning",
      message: "X is not defined",
      file: "assignments.csv",
      line: 2,
    });
    const result = await writeRender(
      stream(eventsOf({ assignments: codes(1, "X"), extra: [warning] })),
      renderOptions(dir),
    );
    expect(result.status).toBe("written");
    expect(result.issues.map((i) => i.code)).toEqual(["rules.undefined_promotion"]);
  });

  it("keeps the first 100,000 issues and counts the rest", async () => {
    const dir = join(workDir(), "out");
    const warnings = Array.from({ length: 100_003 }, (_, i) =>
      issueEvent({
        code: "rules.duplicate_assignment",
        severity: "warning",
        message: "twice",
        file: "assignments.csv",
        line: i + 2,
      }),
    );
    const result = await writeRender(
      stream(eventsOf({ assignments: codes(1, "X"), extra: warnings, batchSize: 5000 })),
      renderOptions(dir),
    );
    expect(result.status).toBe("written");
    expect(result.issues).toHaveLength(100_001);
    expect(result.issuesOmitted).toEqual({ error: 0, warning: 3 });
    expect(result.issues[100_000]).toMatchObject({ code: "render.issues_omitted", severity: "warning" });
  });
});

describe("writeRender into a folder that holds a render", () => {
  const input = (n = 3) => stream(eventsOf({ promotions: [promotion("A")], assignments: codes(n, "A") }));

  it("leaves the folder untouched when it already holds this render, deliveries included", async () => {
    const dir = join(workDir(), "out");
    await writeRender(input(), renderOptions(dir));
    const manifestPath = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as Manifest;
    manifest.files[0]!.deliveries = {
      "sftp://ftp.example/in": {
        remotePath: "in/x.xml",
        uploadedAt: "2026-03-01T02:05:00Z",
        verifiedAt: "2026-03-01T02:05:01Z",
        bytes: 1,
      },
    };
    const edited = `${JSON.stringify(manifest, null, 2)}\n`;
    writeFileSync(manifestPath, edited);
    const before = readdirSync(dir).sort();
    const result = await writeRender(input(), renderOptions(dir));
    expect(result.status).toBe("unchanged");
    expect(result.files[0]!.deliveries).toEqual(manifest.files[0]!.deliveries);
    expect(readFileSync(manifestPath, "utf8")).toBe(edited);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it("refuses a different render of the same timestamp without --overwrite, leaving the old one", async () => {
    const dir = join(workDir(), "out");
    await writeRender(input(3), renderOptions(dir));
    const before = readFileSync(join(dir, "manifest.json"), "utf8");
    const error = await writeRender(input(4), renderOptions(dir)).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "output_failed", code: "render.out_dir_not_empty" });
    expect(readFileSync(join(dir, "manifest.json"), "utf8")).toBe(before);
    expect(readdirSync(dir).filter((f) => f.startsWith(".staging-"))).toEqual([]);
  });

  it("refuses a render of another timestamp before reading any input", async () => {
    const dir = join(workDir(), "out");
    await writeRender(input(), renderOptions(dir));
    let started = false;
    async function* watched(): AsyncGenerator<InputEvent[]> {
      started = true;
      yield* input();
    }
    const error = await writeRender(
      watched(),
      renderOptions(dir, { timestamp: new Date("2026-03-02T02:00:00Z") }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "render.out_dir_not_empty" });
    expect((error as Error).message).toContain("2026-03-01T02:00:00.000Z");
    expect(started).toBe(false);
  });

  it("replaces an earlier render with --overwrite, removing its files", async () => {
    const dir = join(workDir(), "out");
    await writeRender(
      stream(
        eventsOf({
          promotions: [promotion("A")],
          assignments: codes(5, "A"),
          extra: [rejectedEvent(99, ["validate.not_guid"], { a: "b" })],
        }),
      ),
      renderOptions(dir, { maxPerFile: 2, maxRejects: 1 }),
    );
    expect(xmlFiles(dir)).toHaveLength(3);
    expect(existsSync(join(dir, "rejects.csv"))).toBe(true);
    const result = await writeRender(
      input(1),
      renderOptions(dir, { timestamp: new Date("2026-03-02T02:00:00Z"), overwrite: true }),
    );
    expect(result.status).toBe("written");
    expect(xmlFiles(dir)).toEqual(["20260302020000_000001_promotions.xml"]);
    expect(readdirSync(dir).sort()).toEqual([
      "20260302020000_000001_promotions.xml",
      "manifest.json",
      "manifest.keys.ndjson",
    ]);
    checkWrittenFolder(dir, result);
  });

  it("writes beside unrelated files, but refuses to replace a file of the same name", async () => {
    const dir = workDir();
    writeFileSync(join(dir, "notes.txt"), "mine");
    const result = await writeRender(input(), renderOptions(dir));
    expect(result.status).toBe("written");
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");

    const other = workDir();
    writeFileSync(join(other, "20260301020000_000001_promotions.xml"), "<old/>");
    await expect(writeRender(input(), renderOptions(other))).rejects.toMatchObject({
      code: "render.out_dir_not_empty",
    });
    expect(readFileSync(join(other, "20260301020000_000001_promotions.xml"), "utf8")).toBe("<old/>");
  });

  it("refuses a folder whose manifest.json it cannot read, unless --overwrite", async () => {
    const dir = workDir();
    mkdirSync(join(dir, "sub"));
    writeFileSync(join(dir, "manifest.json"), "{ not json");
    await expect(writeRender(input(), renderOptions(dir))).rejects.toMatchObject({
      code: "render.out_dir_not_empty",
    });
    const result = await writeRender(input(), renderOptions(dir, { overwrite: true }));
    expect(result.status).toBe("written");
    expect(readManifest(dir).files).toHaveLength(1);
  });
});

describe("writeRender progress and manifest", () => {
  it("reports rows done after each batch", async () => {
    const dir = join(workDir(), "out");
    const seen: number[] = [];
    await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], assignments: codes(5, "A"), batchSize: 2 })),
      renderOptions(dir, { onProgress: (n) => seen.push(n) }),
    );
    expect(seen).toEqual([2, 4, 6]);
  });

  it("records inputs, promotions with their locations, and the keys file", async () => {
    const dir = join(workDir(), "out");
    const sha = "a".repeat(64);
    const extra: InputEvent[] = [
      { type: "input-done", file: "definitions.csv", kind: "definitions", sha256: sha, records: 1 },
      { type: "input-done", file: "assignments.csv", kind: "assignments", sha256: sha, records: 2 },
    ];
    await writeRender(
      stream(eventsOf({ promotions: [promotion("A")], assignments: codes(2, "A"), extra })),
      renderOptions(dir),
    );
    const manifest = readManifest(dir);
    expect(manifest.inputs.map((i) => [i.file, i.kind, i.records])).toEqual([
      ["definitions.csv", "definitions", 1],
      ["assignments.csv", "assignments", 2],
    ]);
    expect(manifest.promotions).toEqual([
      {
        externalPromotionId: "A",
        promotionName: "A name",
        redemptionChannels: [],
        at: { file: "definitions.csv", line: 2, record: 1 },
      },
    ]);
    expect(manifest).toMatchObject({
      manifestVersion: 1,
      tool: "engage-promo test",
      timestamp: "2026-03-01T02:00:00.000Z",
      profile: "default",
    });
    expect(manifest.keys).toMatchObject({ file: "manifest.keys.ndjson", lines: 2 });
  });
});

describe("writeRender interrupted", () => {
  it("leaves no .xml and no manifest when the process is killed mid-run", async () => {
    const { spawn } = await import("node:child_process");
    const dir = join(workDir(), "out");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "fixtures", "interrupted-render.ts"), dir],
      {
        cwd: join(import.meta.dirname, "..", ".."),
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        if (d.toString().includes("staged")) resolve();
      });
      child.on("exit", (code) => reject(new Error(`child exited (${code}) before staging: ${stderr}`)));
    });
    const staged = listTree(dir);
    expect(staged.filter((f) => f.endsWith(".partial")).length).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    const left = listTree(dir);
    expect(
      left.filter((f) => f.endsWith(".xml") || f.endsWith("manifest.json") || f.endsWith(".ndjson")),
    ).toEqual([]);
  });
});
