import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { BATCH_SIZE, parseExportFile } from "../../src/parse/parse-export.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { toExportXml } from "../support/export-fixtures.js";
import { makeTempDir } from "../support/temp-dir.js";

function tempDir(): string {
  return makeTempDir("engage-parse-edge-");
}

describe("streaming an export file", () => {
  it("throws input_missing for a file that cannot be opened", async () => {
    const path = join(tempDir(), "missing.xml");
    const run = async () => {
      for await (const batch of parseExportFile(path, {
        profile: DEFAULT_PROFILE,
        displayPath: "exports/missing.xml",
      }))
        void batch;
    };
    const error = await run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({
      kind: "input_missing",
      code: "read.file_missing",
      message: "exports/missing.xml: no such file",
    });
  });

  it("throws input_missing for a folder", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "folder.xml"));
    const run = async () => {
      for await (const batch of parseExportFile(join(dir, "folder.xml"), { profile: DEFAULT_PROFILE }))
        void batch;
    };
    await expect(run()).rejects.toMatchObject({ kind: "input_missing", code: "read.file_unreadable" });
  });

  it("yields records while it reads, in batches of at most BATCH_SIZE events", async () => {
    const dir = tempDir();
    const records = Array.from({ length: 3000 }, (_, i) => ({
      kind: "redeemed" as const,
      couponId: `c-${i}`,
      storeId: "1005",
    }));
    const path = join(dir, "big.xml");
    writeFileSync(path, toExportXml(records));
    const sizes: number[] = [];
    let count = 0;
    for await (const batch of parseExportFile(path, { profile: DEFAULT_PROFILE })) {
      sizes.push(batch.length);
      count += batch.length;
    }
    expect(count).toBe(3000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BATCH_SIZE);
    // More than one batch: records come out as the file is read, not at its end.
    expect(sizes.length).toBeGreaterThan(1);
  });

  it("stops reading when the consumer stops, and can be read again", async () => {
    const dir = tempDir();
    const path = join(dir, "export_redeemed.xml");
    writeFileSync(path, toExportXml(Array.from({ length: 2000 }, (_, i) => ({ couponId: `c-${i}` }))));
    for await (const batch of parseExportFile(path, { profile: DEFAULT_PROFILE })) {
      expect(batch.length).toBeGreaterThan(0);
      break;
    }
    let count = 0;
    for await (const batch of parseExportFile(path, { profile: DEFAULT_PROFILE })) count += batch.length;
    expect(count).toBe(2000);
  });

  it("names the file in locations by its display path and takes the kind from its real name", async () => {
    const dir = tempDir();
    const path = join(dir, "20260311_deleted.xml");
    writeFileSync(path, "<x><item><couponId>c</couponId></item></x>");
    const events = [];
    for await (const batch of parseExportFile(path, { profile: DEFAULT_PROFILE, displayPath: "shown.xml" }))
      events.push(...batch);
    expect(events).toEqual([
      {
        type: "record",
        record: {
          kind: "deleted",
          couponId: "c",
          redemptionChannels: [],
          extra: {},
          at: { file: "shown.xml", line: 1, column: 4, record: 1 },
        },
      },
    ]);
  });

  it("reports a multi-byte character cut by the read size only when it is really broken", async () => {
    const dir = tempDir();
    // "ä" is two bytes: place it across the 64 KiB read boundary.
    const head = "<x><assigned><couponId>c</couponId><description>";
    const pad = "a".repeat(64 * 1024 - Buffer.byteLength(head) - 1);
    const good = join(dir, "good.xml");
    writeFileSync(good, `${head}${pad}ä</description></assigned></x>`);
    const events = [];
    for await (const batch of parseExportFile(good, { profile: DEFAULT_PROFILE })) events.push(...batch);
    expect(events.map((e) => e.type)).toEqual(["record"]);
    const record = events[0];
    expect(record?.type === "record" && record.record.description?.endsWith("aä")).toBe(true);

    const bad = join(dir, "bad.xml");
    writeFileSync(
      bad,
      Buffer.concat([
        Buffer.from(`${head}${pad}`),
        Buffer.from([0xc3, 0x41]),
        Buffer.from("</description></assigned></x>"),
      ]),
    );
    const issues = [];
    for await (const batch of parseExportFile(bad, { profile: DEFAULT_PROFILE }))
      for (const e of batch) if (e.type === "issue") issues.push(e.issue);
    expect(issues.map((i) => [i.code, i.line, i.column])).toEqual([["parse.encoding_invalid", 1, 64 * 1024]]);
  });
});
