import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Validates manifests in a fresh Node.js process that loads only the manifest check, as upload
 * does: nothing else has loaded the full schema library there (which sets English messages as it
 * loads), so the messages seen are the ones the compact form gives on its own.
 */
function refusals(manifests: unknown[]): string[] {
  const script = `
    import { validateManifest } from "./src/transport/manifest-file.ts";
    const out = [];
    for (const raw of ${JSON.stringify(manifests)}) {
      try {
        const loaded = await validateManifest({ path: "m.json", raw });
        out.push("ok " + JSON.stringify(loaded.manifest.files.map((f) => f.deliveries)));
      } catch (error) {
        out.push(error.code + " " + error.message);
      }
    }
    console.log(JSON.stringify(out));
  `;
  const stdout = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: join(import.meta.dirname, "..", ".."),
    encoding: "utf8",
  });
  return JSON.parse(stdout.trim().split("\n").pop() ?? "[]") as string[];
}

const valid = {
  manifestVersion: 1,
  tool: "engage-promo",
  timestamp: "2026-03-01T02:00:00Z",
  profile: "default",
  inputs: [],
  counts: { promotions: 1, assignments: 0, rejected: 0, files: 1 },
  files: [
    {
      name: "20260301020000_001_promotions.xml",
      sha256: "0".repeat(64),
      bytes: 10,
      counts: { promotions: 1, assignments: 0 },
      promotions: ["P1"],
    },
  ],
  promotions: [
    {
      externalPromotionId: "P1",
      promotionName: "Spring",
      redemptionChannels: [],
      at: { file: "d.csv", line: 2 },
    },
  ],
  keys: { file: "manifest.keys.ndjson", sha256: "0".repeat(64), lines: 0 },
};

function edited(edit: (m: typeof valid & Record<string, unknown>) => void): unknown {
  const copy = structuredClone(valid) as typeof valid & Record<string, unknown>;
  edit(copy);
  return copy;
}

describe("validateManifest", () => {
  it("accepts a valid manifest, filling in the deliveries it omits, and refuses others in English", () => {
    const results = refusals([
      valid,
      edited((m) => (m.manifestVersion = 2)),
      edited((m) => ((m.files[0] as Record<string, unknown>).bytes = "10")),
      edited((m) => (m.files[0]!.sha256 = "ABC")),
      edited((m) => (m.counts.files = -1)),
      edited((m) => (m.promotions[0]!.externalPromotionId = "")),
    ]);
    expect(results).toEqual([
      "ok [{}]",
      "transport.manifest_invalid m.json: not a valid manifest: manifestVersion: Invalid input: expected 1",
      "transport.manifest_invalid m.json: not a valid manifest: files.0.bytes: Invalid input: expected number, received string",
      "transport.manifest_invalid m.json: not a valid manifest: files.0.sha256: a lower-case hex sha256",
      "transport.manifest_invalid m.json: not a valid manifest: counts.files: Too small: expected number to be >=0",
      "transport.manifest_invalid m.json: not a valid manifest: promotions.0.externalPromotionId: Too small: expected string to have >=1 characters",
    ]);
  });
});
