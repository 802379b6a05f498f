import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { makeIssue, type Issue } from "../core/issue.js";
import { ManifestKeySchema, ManifestSchema, type Manifest } from "../schemas/manifest.js";
import { expectedAssignmentOfKey, expectedPromotionOf, toLocation } from "./expected.js";
import type { Reconciler } from "./reconciler.js";

/** Individual invalid key lines reported per keys file before the rest are only counted. */
const KEY_ISSUES_KEPT = 20;

export interface ManifestLoad {
  /** Assignments read from the keys file. */
  assignments: number;
  promotions: number;
  issues: Issue[];
}

function describeZod(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join(".") : "(top level)"}: ${i.message}`)
    .join("; ");
}

async function readManifestJson(
  fullPath: string,
  displayPath: string,
): Promise<{ manifest?: Manifest; issue?: Issue }> {
  let text: string;
  try {
    text = await readFile(fullPath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    return {
      issue: makeIssue("diff.expected_unreadable", `manifest cannot be read (${code})`, {
        file: displayPath,
      }),
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    return {
      issue: makeIssue(
        "diff.expected_unreadable",
        `manifest is not valid JSON: ${(error as Error).message}`,
        { file: displayPath },
      ),
    };
  }
  const parsed = ManifestSchema.safeParse(data);
  if (!parsed.success) {
    return {
      issue: makeIssue(
        "diff.expected_unreadable",
        `not a manifest written by engage-promo render: ${describeZod(parsed.error.issues)}`,
        { file: displayPath },
      ),
    };
  }
  return { manifest: parsed.data };
}

/**
 * Loads a render's `manifest.json` into the reconciler: its promotions (validity, channels),
 * then `manifest.keys.ndjson` streamed line by line, each assignment sourced at its key line.
 * The keys file must match the checksum and line count the manifest recorded.
 */
export async function loadManifest(
  fullPath: string,
  displayPath: string,
  reconciler: Reconciler,
  onProgress?: (assignments: number) => void,
): Promise<ManifestLoad> {
  const issues: Issue[] = [];
  const { manifest, issue } = await readManifestJson(fullPath, displayPath);
  if (manifest === undefined) return { assignments: 0, promotions: 0, issues: issue ? [issue] : [] };
  for (const p of manifest.promotions) reconciler.addPromotion(expectedPromotionOf(p, toLocation(p.at)));

  const keysFull = join(dirname(fullPath), manifest.keys.file);
  const keysDisplay = join(dirname(displayPath), manifest.keys.file);
  const hash = createHash("sha256");
  const decoder = new StringDecoder("utf8");
  let carry = "";
  let lineNo = 0;
  let lines = 0;
  let assignments = 0;
  let invalid = 0;
  let firstInvalid = 0;

  const take = (raw: string): void => {
    lineNo += 1;
    const text = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (text.trim() === "") return;
    lines += 1;
    let data: unknown;
    let why: string;
    try {
      data = JSON.parse(text);
      const parsed = ManifestKeySchema.safeParse(data);
      if (parsed.success) {
        reconciler.addAssignment(expectedAssignmentOfKey(parsed.data, { file: keysDisplay, line: lineNo }));
        assignments += 1;
        return;
      }
      why = describeZod(parsed.error.issues);
    } catch (error) {
      why = `not valid JSON: ${(error as Error).message}`;
    }
    invalid += 1;
    if (firstInvalid === 0) firstInvalid = lineNo;
    if (invalid <= KEY_ISSUES_KEPT)
      issues.push(
        makeIssue("diff.manifest_key_invalid", `not one assignment's keys: ${why}`, {
          file: keysDisplay,
          line: lineNo,
        }),
      );
  };

  try {
    for await (const chunk of createReadStream(keysFull, {
      highWaterMark: 1 << 20,
    }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      const parts = (carry + decoder.write(chunk)).split("\n");
      carry = parts.pop() ?? "";
      for (const part of parts) take(part);
      onProgress?.(assignments);
    }
    carry += decoder.end();
    if (carry !== "") take(carry);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    issues.push(
      makeIssue("diff.expected_unreadable", `keys file cannot be read (${code}); the manifest names it`, {
        file: keysDisplay,
      }),
    );
    return { assignments, promotions: manifest.promotions.length, issues };
  }
  if (invalid > KEY_ISSUES_KEPT) {
    issues.push(
      makeIssue(
        "diff.manifest_key_invalid",
        `${invalid - KEY_ISSUES_KEPT} more invalid key lines after the first ${KEY_ISSUES_KEPT}`,
        { file: keysDisplay, line: firstInvalid },
      ),
    );
  }
  const sha256 = hash.digest("hex");
  if (sha256 !== manifest.keys.sha256 || lines !== manifest.keys.lines) {
    issues.push(
      makeIssue(
        "diff.manifest_keys_changed",
        `keys file changed since render: expected ${manifest.keys.lines} lines with sha256 ${manifest.keys.sha256.slice(0, 12)}…, got ${lines} lines with sha256 ${sha256.slice(0, 12)}…`,
        { file: keysDisplay },
      ),
    );
  }
  return { assignments, promotions: manifest.promotions.length, issues };
}
