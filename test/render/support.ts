import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SaxesParser } from "saxes";
import type { Issue } from "../../src/core/issue.js";
import type { Location } from "../../src/core/location.js";
import { DEFAULT_PROFILE } from "../../src/profile/default-profile.js";
import { renderImportXsd } from "../../src/render/import-xsd.js";
import type { RenderOptions } from "../../src/render/write-render.js";
import type { Profile } from "../../src/schemas/profile.js";
import type { Assignment, Promotion } from "../../src/schemas/promotion.js";
import type { InputEvent } from "../../src/validate/validate-inputs.js";
import { makeTempDir } from "../support/temp-dir.js";

export const ROOT = join(import.meta.dirname, "..", "..");
export const XSD = join(ROOT, "schemas", "promotion-import.xsd");
export const TIMESTAMP = new Date("2026-03-01T02:00:00Z");
export const GUID = "7b89b95e-6347-4d66-8b02-a10a9c830119";

/** A contact GUID that differs per number. */
export function guid(n: number): string {
  return `7b89b95e-6347-4d66-8b02-${n.toString(16).padStart(12, "0")}`;
}

/** A promotion with only what is required, plus overrides. */
export function promotion(id: string, extra: Partial<Promotion> = {}): Promotion {
  return { externalPromotionId: id, promotionName: `${id} name`, redemptionChannels: [], ...extra };
}

/** An assignment with a contactId, plus overrides. */
export function assignment(promotionId: string, code: string, extra: Partial<Assignment> = {}): Assignment {
  return {
    externalPromotionId: promotionId,
    promotionCodeId: code,
    promotionCodeDerived: false,
    contactId: GUID,
    ...extra,
  };
}

export const definitionAt = (line: number): Location => ({ file: "definitions.csv", line, record: line - 1 });
export const assignmentAt = (line: number): Location => ({ file: "assignments.csv", line, record: line - 1 });

/** The events validation would yield for these rows: definitions first, then assignments, in batches. */
export function eventsOf(
  parts: {
    promotions?: readonly Promotion[];
    assignments?: readonly Assignment[];
    extra?: readonly InputEvent[];
    batchSize?: number;
  } = {},
): InputEvent[][] {
  const all: InputEvent[] = [];
  (parts.promotions ?? []).forEach((p, i) =>
    all.push({ type: "promotion", promotion: p, at: definitionAt(i + 2) }),
  );
  (parts.assignments ?? []).forEach((a, i) =>
    all.push({ type: "assignment", assignment: a, at: assignmentAt(i + 2) }),
  );
  all.push(...(parts.extra ?? []));
  const size = parts.batchSize ?? 1000;
  const batches: InputEvent[][] = [];
  for (let i = 0; i < all.length; i += size) batches.push(all.slice(i, i + size));
  return batches;
}

/** Yields batches as validation's async generator would. */
export async function* stream(batches: readonly InputEvent[][]): AsyncGenerator<InputEvent[]> {
  for (const batch of batches) yield batch;
}

/** Render options for tests: the default profile, the test timestamp, nothing left out. */
export function renderOptions(outDir: string, extra: Partial<RenderOptions> = {}): RenderOptions {
  return {
    outDir,
    profile: DEFAULT_PROFILE,
    timestamp: TIMESTAMP,
    maxPerFile: DEFAULT_PROFILE.maxAssignmentsPerFile,
    maxRejects: 0,
    tool: "engage-promo test",
    ...extra,
  };
}

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = "engage-render-"): { dir: string; cleanup: () => void } {
  const dir = makeTempDir(prefix);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Every entry of a folder, recursively, as relative paths (sorted). */
export function listTree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" }).sort();
}

/** Runs the real xmllint against an XSD over many files at once. */
export function xmllint(files: readonly string[], xsd = XSD): { ok: boolean; output: string } {
  // A missing xmllint must fail, not read as invalid XML: name the package to install.
  if (!existsSync("/usr/bin/xmllint")) throw new Error("/usr/bin/xmllint is missing (install libxml2-utils)");
  const r = spawnSync("/usr/bin/xmllint", ["--noout", "--schema", xsd, ...files], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** Validates XML documents (as text) against the XSD of `profile` with one xmllint call. */
export function xmllintTexts(
  documents: readonly string[],
  profile: Profile = DEFAULT_PROFILE,
): { ok: boolean; output: string } {
  const { dir, cleanup } = tempDir("engage-xmllint-");
  try {
    const xsd = join(dir, "import.xsd");
    writeFileSync(xsd, profile === DEFAULT_PROFILE ? readFileSync(XSD) : renderImportXsd(profile));
    const files = documents.map((doc, i) => {
      const file = join(dir, `doc-${i}.xml`);
      writeFileSync(file, doc);
      return file;
    });
    return xmllint(files, xsd);
  } finally {
    cleanup();
  }
}

/** A parsed element: name, text content and children. */
export interface XmlNode {
  name: string;
  text: string;
  children: XmlNode[];
}

/** Parses XML with a strict, namespace-unaware parser; throws on anything not well-formed. */
export function parseXmlStrict(xml: string): XmlNode {
  const parser = new SaxesParser({ xmlns: false });
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  let failure: Error | undefined;
  parser.on("error", (e) => {
    failure ??= e;
  });
  parser.on("opentag", (tag) => {
    const node: XmlNode = { name: tag.name, text: "", children: [] };
    stack[stack.length - 1]?.children.push(node);
    stack.push(node);
    root ??= node;
  });
  parser.on("text", (t) => {
    const top = stack[stack.length - 1];
    if (top !== undefined) top.text += t;
  });
  parser.on("closetag", () => {
    stack.pop();
  });
  parser.write(xml).close();
  if (failure !== undefined) throw failure;
  if (root === undefined) throw new Error("no root element");
  return root;
}

/** The leaf texts of a parsed element by child name (first of each). */
export function leaves(node: XmlNode): Record<string, string> {
  const out: Record<string, string> = {};
  for (const child of node.children)
    if (child.children.length === 0 && !(child.name in out)) out[child.name] = child.text;
  return out;
}

/** An issue as validation reports it. */
export function issueEvent(
  issue: Pick<Issue, "code" | "severity" | "message" | "file"> & Partial<Issue>,
): InputEvent {
  return { type: "issue", issue: { stage: issue.code.slice(0, issue.code.indexOf(".")), ...issue } };
}
