import { readFileSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { Journal, readJournal, type JournalEntry } from "../../src/api/journal.js";
import { makeTempDir } from "../support/temp-dir.js";

const entry = (i: number, state: JournalEntry["state"] = "redeemed"): JournalEntry => ({
  key: `id:${i}`,
  record: i,
  state,
  at: "2026-12-06T12:00:00.000Z",
});

describe("the journal", () => {
  it("writes and syncs the entries appended in one turn together, each on disk when its append resolves", async () => {
    const path = join(makeTempDir("journal-"), "j.ndjson");
    const journal = await Journal.open(path);
    const handle = (journal as unknown as { handle: FileHandle }).handle;
    const sync = vi.spyOn(handle, "datasync");
    const write = vi.spyOn(handle, "write");
    const lines = () => readFileSync(path, "utf8").split("\n").filter(Boolean).length;
    const first = Array.from({ length: 50 }, (_, i) => journal.append(entry(i)));
    await Promise.all(first);
    expect(lines()).toBe(50);
    expect(sync).toHaveBeenCalledTimes(1);
    expect(write).toHaveBeenCalledTimes(1);
    // entries arriving while a sync runs share the next one
    const a = journal.append(entry(50));
    await new Promise((r) => setImmediate(r));
    const more = Array.from({ length: 10 }, (_, i) => journal.append(entry(51 + i)));
    await a;
    await Promise.all(more);
    expect(lines()).toBe(61);
    expect(sync.mock.calls.length).toBeLessThanOrEqual(3);
    await journal.close();
    expect((await readJournal(path)).last.size).toBe(61);
  });
});
