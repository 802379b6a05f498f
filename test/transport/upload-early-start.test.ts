import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EngageError } from "../../src/core/errors.js";
import { createLocalTransport } from "../../src/transport/local-transport.js";
import { parseTarget, type LocalTarget, type Target } from "../../src/transport/target.js";
import type { Transport } from "../../src/transport/transport.js";
import { uploadFolder, type UploadOptions } from "../../src/transport/upload.js";
import { buildUploadOptions, captureLog, localTransport, makeRenderedFolder, tempDir } from "./fixtures.js";

/** A local transport that counts the sessions it opens and closes, and the files put. */
function counted(): { factory: (t: Target) => Transport; opened: number; closed: number; puts: number } {
  const counts = { opened: 0, closed: 0, puts: 0 };
  const factory = (t: Target): Transport => {
    const real = createLocalTransport(t as LocalTarget);
    return {
      target: t,
      async connect() {
        counts.opened += 1;
        const session = await real.connect();
        return {
          ...session,
          put: (from, to, hooks) => {
            counts.puts += 1;
            return session.put(from, to, hooks);
          },
          close: () => {
            counts.closed += 1;
            return session.close();
          },
        };
      },
    };
  };
  return {
    factory,
    get opened() {
      return counts.opened;
    },
    get closed() {
      return counts.closed;
    },
    get puts() {
      return counts.puts;
    },
  };
}

function options(extra: Partial<UploadOptions> = {}): UploadOptions {
  return buildUploadOptions(localTransport(), extra);
}

/** Uploads `root`/out to `root`/outbox with a transport that cannot be set up, resolving to its error. */
function uploadWithoutTransport(root: string): Promise<unknown> {
  const unreadableKnownHosts = (): Transport => {
    throw new EngageError("bad_config", "transport.known_hosts_unreadable", "not this one");
  };
  return uploadFolder(
    join(root, "out"),
    parseTarget(join(root, "outbox")),
    options({ transportFactory: unreadableKnownHosts }),
    { log: captureLog().log },
  ).catch((e: unknown) => e);
}

/** Rewrites manifest.json with one field changed. */
function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): void {
  const path = join(dir, "manifest.json");
  const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  edit(manifest);
  writeFileSync(path, JSON.stringify(manifest));
}

describe("upload's head start before the manifest is validated", () => {
  it("refuses an invalid manifest (exit 65), closes the connection it opened ahead, and sends nothing", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [1000, 2000]);
    editManifest(out, (m) => {
      m.manifestVersion = 2;
    });
    const transport = counted();
    const error = await uploadFolder(
      out,
      parseTarget(join(root, "outbox")),
      options({ transportFactory: transport.factory }),
      { log: captureLog().log },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngageError);
    expect(error).toMatchObject({ code: "transport.manifest_invalid", exitCode: 65 });
    expect((error as Error).message).toContain("manifestVersion");
    expect(transport.closed).toBe(transport.opened);
    expect(transport.puts).toBe(0);
    expect(existsSync(join(root, "outbox"))).toBe(false);
  });

  it("reports the invalid manifest before a transport that cannot be set up", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [10]);
    editManifest(out, (m) => {
      m.files = [{ name: "x.xml" }];
    });
    const error = await uploadWithoutTransport(root);
    expect(error).toMatchObject({ code: "transport.manifest_invalid" });
  });

  it("throws the transport's own error when the manifest is valid", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [10]);
    const error = await uploadWithoutTransport(root);
    expect(error).toMatchObject({ code: "transport.known_hosts_unreadable" });
  });

  it("does not connect when the manifest says everything is delivered, and sends all with --force", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [100, 200]);
    const target = parseTarget(join(root, "outbox"));
    const first = await uploadFolder(out, target, options(), { log: captureLog().log });
    expect(first.totals.sent).toBe(2);

    const again = counted();
    const second = await uploadFolder(out, target, options({ transportFactory: again.factory }), {
      log: captureLog().log,
    });
    expect(second.totals).toMatchObject({ sent: 0, skipped: 2 });
    expect(again.opened).toBe(0);

    const forced = counted();
    const third = await uploadFolder(
      out,
      target,
      options({ force: true, transportFactory: forced.factory }),
      {
        log: captureLog().log,
      },
    );
    expect(third.totals).toMatchObject({ sent: 2 });
    expect(forced.opened).toBe(1);
    expect(forced.closed).toBe(1);
  });

  it("connects once the checked manifest asks for it, even when its JSON at first glance did not", async () => {
    const root = tempDir();
    const out = join(root, "out");
    makeRenderedFolder(out, [100]);
    // A name that is not plain stops the head start (nothing is read or connected ahead); the
    // check then refuses it, as before.
    editManifest(out, (m) => {
      (m.files as { name: string }[])[0]!.name = "../escape.xml";
    });
    const transport = counted();
    const error = await uploadFolder(
      out,
      parseTarget(join(root, "outbox")),
      options({ transportFactory: transport.factory }),
      { log: captureLog().log },
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "transport.unsafe_name", exitCode: 65 });
    expect(transport.closed).toBe(transport.opened);
    expect(transport.puts).toBe(0);
  });
});
