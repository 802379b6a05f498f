import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll } from "vitest";
import type { Logger } from "../../src/core/logger.js";
import { ManifestSchema, type Manifest } from "../../src/schemas/manifest.js";
import type { FetchOptions } from "../../src/transport/fetch.js";
import type { Transport, TransportSession } from "../../src/transport/transport.js";
import { transportOptionsFromArgs, type TransportOptions } from "../../src/transport/transport-options.js";
import type { UploadOptions } from "../../src/transport/upload.js";
import type { CliRun } from "../support/run-cli.js";
import { makeTempDir } from "../support/temp-dir.js";

const created: string[] = [];

/** A fresh temporary folder, removed when the test file is done. */
export function tempDir(prefix = "engage-transport-"): string {
  const dir = makeTempDir(prefix);
  created.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** File names as render writes them: `<timestamp>_<sequence>_<kind>.xml`. */
export function importName(i: number): string {
  return `20260301020000_${String(i).padStart(3, "0")}_promotions.xml`;
}

/**
 * Writes a folder as render leaves it: the files and a manifest.json that lists them with
 * their sizes and checksums, no deliveries yet. Returns the contents by name.
 */
export function makeRenderedFolder(dir: string, sizes: number[]): Map<string, Buffer> {
  mkdirSync(dir, { recursive: true });
  const contents = new Map<string, Buffer>();
  const files = sizes.map((size, i) => {
    const name = importName(i + 1);
    const data = randomBytes(size);
    writeFileSync(join(dir, name), data);
    contents.set(name, data);
    return {
      name,
      sha256: sha256(data),
      bytes: size,
      counts: { promotions: 1, assignments: 0 },
      promotions: [`P-${i + 1}`],
      deliveries: {},
    };
  });
  const keys = "";
  writeFileSync(join(dir, "manifest.keys.ndjson"), keys);
  const manifest = {
    manifestVersion: 1,
    tool: "engage-promo test",
    timestamp: "2026-03-01T02:00:00Z",
    profile: "default",
    inputs: [],
    counts: { promotions: files.length, assignments: 0, rejected: 0, files: files.length },
    files,
    promotions: [],
    keys: { file: "manifest.keys.ndjson", sha256: sha256(Buffer.from(keys)), lines: 0 },
  };
  ManifestSchema.parse(manifest);
  writeFileSync(join(dir, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  return contents;
}

export function readManifest(dir: string): Manifest {
  return ManifestSchema.parse(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")));
}

/** A logger that keeps every line (level-prefixed) for assertions. */
export function captureLog(): { log: Logger; lines: string[]; text: () => string } {
  const lines: string[] = [];
  const at = (level: string) => (m: string) => void lines.push(`${level}: ${m}`);
  return {
    log: { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") },
    lines,
    text: () => lines.join("\n"),
  };
}

/** Runs the CLI in-process (upload and fetch are in the command registry). */
export async function runTransportCli(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  const { runCli } = await import("../support/run-cli.js");
  return runCli(argv, options);
}

/** Transport options for a local folder target: one attempt, no retries. */
export function localTransport(): TransportOptions {
  return transportOptionsFromArgs({ retries: 0 }, {});
}

/** Upload options as the CLI's defaults make them (no --force, no --dry-run, streamed put). */
export function buildUploadOptions(
  transport: TransportOptions,
  extra: Partial<UploadOptions> = {},
): UploadOptions {
  return { transport, force: false, dryRun: false, fastPut: false, ...extra };
}

/** Fetch options as the CLI's defaults make them (`*.xml`, files kept, streamed get), no --min-age. */
export function buildFetchOptions(
  transport: TransportOptions,
  extra: Partial<FetchOptions> = {},
): FetchOptions {
  return {
    transport,
    after: { kind: "keep" },
    pattern: "*.xml",
    force: false,
    dryRun: false,
    fastGet: false,
    ...extra,
  };
}

/** A transport whose sessions are `real`'s, each with the calls `change` makes for it in place of its own. */
export function changeSessionCalls(
  real: Transport,
  change: (session: TransportSession) => Partial<TransportSession>,
): Transport {
  return {
    target: real.target,
    async connect() {
      const session = await real.connect();
      return { ...session, ...change(session) };
    },
  };
}
