import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Staging } from "../../src/render/staging.js";
import { tempDir } from "./support.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

async function newStaging(): Promise<Staging> {
  const { dir, cleanup } = tempDir();
  cleanups.push(cleanup);
  return Staging.create(join(dir, "out"));
}

describe("Staging", () => {
  it("calls back on a staged file only once all its bytes are in the file, so its buffers may be reused", async () => {
    const staging = await newStaging();
    const parts = [Buffer.from("head "), Buffer.alloc(3 << 20, 0x61), Buffer.from(" tail")];
    const seen: string[] = [];
    const written = new Promise<void>((resolve) => {
      void staging.put("a.xml", parts, () => {
        seen.push(readFileSync(staging.tempPath("a.xml"), "latin1"));
        resolve();
      });
    });
    await written;
    expect(seen).toEqual([Buffer.concat(parts).toString("latin1")]);
    await staging.discard();
  });

  it("calls back on an appended chunk once it is in the file", async () => {
    const staging = await newStaging();
    const keys = await staging.openAppend("keys.ndjson");
    const seen: string[] = [];
    await keys.append(Buffer.from("one\n"), () =>
      seen.push(readFileSync(staging.tempPath("keys.ndjson"), "utf8")),
    );
    await keys.append(Buffer.from("two\n"), () =>
      seen.push(readFileSync(staging.tempPath("keys.ndjson"), "utf8")),
    );
    await keys.finish();
    expect(seen).toEqual(["one\n", "one\ntwo\n"]);
    await staging.discard();
  });
});
