import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseTarget } from "../../src/transport/target.js";
import { uploadFolder } from "../../src/transport/upload.js";
import { skipWithoutSshd, startSshd, type TestSshd } from "../support/sshd.js";
import { buildUploadOptions, captureLog, makeRenderedFolder, tempDir } from "./fixtures.js";
import { serverTransport } from "./server-fixtures.js";

const skip = skipWithoutSshd();
// A small disk needs a tmpfs mount, which only root may make.
const root = process.getuid?.() === 0;

describe.skipIf(skip || !root)("a full disk on the server", () => {
  let sshd: TestSshd;
  let disk: string;
  beforeAll(async () => {
    sshd = await startSshd();
    disk = join(sshd.remoteDir, "small");
    mkdirSync(disk);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=512k", "tmpfs", disk]);
  });
  afterAll(async () => {
    if (disk) execFileSync("umount", [disk]);
    await sshd?.dispose();
  });

  it("reports transport.no_space with the free bytes and removes the partial .part", async () => {
    const out = join(tempDir(), "out");
    const contents = makeRenderedFolder(out, [2 * 1024 * 1024]);
    const name = [...contents.keys()][0]!;
    const result = await uploadFolder(
      out,
      parseTarget(sshd.url(disk)),
      buildUploadOptions(serverTransport(sshd, 5000)),
      { log: captureLog().log },
    );
    expect(result.error).toMatchObject({ kind: "remote_refused", code: "transport.no_space", exitCode: 76 });
    expect(result.error?.message).toMatch(
      new RegExp(
        `upload to .*${name}\\.part: the server's disk is full: \\d+ bytes free, the file needs 2097152`,
      ),
    );
    expect(readdirSync(disk)).toEqual([]);
  });
});
