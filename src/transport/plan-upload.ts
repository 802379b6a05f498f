import { posix } from "node:path";
import { join } from "node:path";
import type { Manifest } from "../schemas/manifest.js";
import type { Target } from "./target.js";

/** The suffix of a file while it is being uploaded; Engage's import job only takes final names. */
export const PART_SUFFIX = ".part";

/** One file of an upload plan. */
export interface UploadPlanItem {
  /** Position in manifest.json `files`. */
  index: number;
  name: string;
  bytes: number;
  action: "send" | "skip";
  /** Why it is skipped, or why it is sent again. */
  reason: string;
  /** Where it goes (or went, for a skipped file), as far as known before connecting. */
  remotePath: string;
  /** The temporary remote name used while it is being written. */
  tempName: string;
}

/** What an upload will do: the files in manifest order, and the totals. */
export interface UploadPlan {
  target: string;
  items: UploadPlanItem[];
  send: number;
  skip: number;
  bytesToSend: number;
}

/** Where a file lands in the target folder, before connecting (`~/` for the login folder). */
export function plannedRemotePath(target: Target, name: string): string {
  if (target.kind === "local") return join(target.dir, name);
  if (target.path.startsWith("/")) return posix.join(target.path, name);
  return target.path === "." ? `~/${name}` : `~/${posix.join(target.path, name)}`;
}

/**
 * Plans an upload from the manifest alone: each file is sent unless the manifest records a
 * verified delivery of the same size to this target (`--force` sends it anyway).
 */
export function planUpload(manifest: Manifest, target: Target, options: { force: boolean }): UploadPlan {
  const items = manifest.files.map((f, index): UploadPlanItem => {
    const delivered = f.deliveries[target.display];
    const verified = delivered !== undefined && delivered.bytes === f.bytes && delivered.verifiedAt !== "";
    const base = { index, name: f.name, bytes: f.bytes, tempName: `${f.name}${PART_SUFFIX}` };
    if (verified && !options.force) {
      return {
        ...base,
        action: "skip",
        reason: `already delivered and verified at ${delivered.verifiedAt}`,
        remotePath: delivered.remotePath,
      };
    }
    return {
      ...base,
      action: "send",
      reason: verified
        ? "sent again (--force)"
        : delivered
          ? "the recorded delivery does not match the file"
          : "not yet delivered",
      remotePath: plannedRemotePath(target, f.name),
    };
  });
  const send = items.filter((i) => i.action === "send");
  return {
    target: target.display,
    items,
    send: send.length,
    skip: items.length - send.length,
    bytesToSend: send.reduce((n, i) => n + i.bytes, 0),
  };
}
