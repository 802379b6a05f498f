import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { prestartLocalCheck, startLocalCheck, verifyLocalFiles } from "../../src/transport/verify-local.js";
import { makeRenderedFolder, readManifest, tempDir } from "./fixtures.js";

const MB = 1024 * 1024;

/** A rendered folder of a few files, some larger than a slice of the check. */
function renderedFolder(): { out: string; names: string[] } {
  const out = join(tempDir(), "out");
  const contents = makeRenderedFolder(out, [3 * MB, 1, 6 * MB, 5 * MB]);
  return { out, names: [...contents.keys()] };
}

function overwrite(path: string, size: number, fill: number): void {
  const data = Buffer.alloc(size, fill);
  writeFileSync(path, data);
}

describe("the check of the local files before an upload", () => {
  it("passes a folder that is as rendered", async () => {
    const { out } = renderedFolder();
    await expect(verifyLocalFiles(out, readManifest(out).files)).resolves.toBeUndefined();
  });

  it.each([0, 3])("finds a changed file, small or large (file %i)", async (i) => {
    const { out, names } = renderedFolder();
    const files = readManifest(out).files;
    overwrite(join(out, names[i]!), files[i]!.bytes, 0x5a);
    const error = await verifyLocalFiles(out, files).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({ code: "transport.checksum_mismatch", exitCode: 65 });
    expect((error as Error).message).toContain(`${names[i]} (sha256 differs)`);
    expect((error as Error).message).not.toContain(names[i === 0 ? 3 : 0]!);
  });

  it("reports sizes, not checksums, when a file has another size", async () => {
    const { out, names } = renderedFolder();
    writeFileSync(join(out, names[3]!), "short");
    const error = await verifyLocalFiles(out, readManifest(out).files).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`${names[3]} (5 bytes, manifest says ${5 * MB})`);
    expect((error as Error).message).not.toContain("sha256 differs");
  });

  it("uses a check started ahead for the same files, and checks again when the list differs", async () => {
    const { out, names } = renderedFolder();
    const files = readManifest(out).files;
    const ahead = startLocalCheck(out, files);
    await expect(verifyLocalFiles(out, files, undefined, ahead)).resolves.toBeUndefined();
    // Started for other sizes than the manifest lists: its report is not the manifest's.
    const wrong = startLocalCheck(
      out,
      files.map((f) => ({ name: f.name, bytes: f.bytes + 1 })),
    );
    await expect(verifyLocalFiles(out, files, undefined, wrong)).resolves.toBeUndefined();
    overwrite(join(out, names[2]!), files[2]!.bytes, 0x11);
    const stale = startLocalCheck(out, files.slice(1));
    const error = await verifyLocalFiles(out, files, undefined, stale).catch((e: unknown) => e);
    expect((error as Error).message).toContain(`${names[2]} (sha256 differs)`);
  });

  it("takes a worker started ahead for the next check, and one left unused does not hold up the exit", async () => {
    const { out, names } = renderedFolder();
    const files = readManifest(out).files;
    prestartLocalCheck();
    await expect(verifyLocalFiles(out, files)).resolves.toBeUndefined();
    prestartLocalCheck();
    overwrite(join(out, names[1]!), files[1]!.bytes, 0x22);
    await expect(verifyLocalFiles(out, files)).rejects.toMatchObject({ code: "transport.checksum_mismatch" });

    const script = `import { prestartLocalCheck } from "./src/transport/verify-local.ts"; prestartLocalCheck();`;
    const started = Date.now();
    execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: join(import.meta.dirname, "..", ".."),
      timeout: 10_000,
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
