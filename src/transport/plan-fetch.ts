import { makeIssue, type Issue } from "../core/issue.js";
import { compileGlob } from "./glob.js";
import { showName, unsafeNameReason } from "./safe-name.js";
import type { RemoteEntry } from "./transport.js";

/** What happens to a remote file once it is downloaded and verified. */
export type AfterAction = { kind: "keep" } | { kind: "delete" } | { kind: "move"; dir: string };

/** One remote file of a fetch plan. */
export interface FetchPlanItem {
  name: string;
  size: number;
  /** The modification time the listing showed (ms since the epoch), when the server sent one. */
  mtimeMs?: number | undefined;
  /**
   * `fetch`: download it; `skip`: an identical copy (same name and size) is already here; `wait`:
   * modified less than `minAgeMs` ago (it may still be being written), left alone for a later
   * run; `refuse`: unsafe name.
   */
  action: "fetch" | "skip" | "wait" | "refuse";
  reason: string;
}

/** What a fetch will do with a remote folder's listing. */
export interface FetchPlan {
  items: FetchPlanItem[];
  /** Entries left out: not regular files, or not matching the pattern. */
  ignored: number;
  issues: Issue[];
}

/**
 * Plans a fetch from a remote listing and the sizes of the files already in the local folder,
 * in name order (export names start with their timestamp). A name that could escape the local
 * folder is refused with an issue. A local file of the same name and size is skipped only when
 * the remote files are kept: before a remote file is deleted or moved it is always downloaded
 * whole in this run, so a same-sized local file that is not the same content cannot cost data.
 */
export function planFetch(
  entries: readonly RemoteEntry[],
  local: ReadonlyMap<string, number>,
  options: {
    pattern: string;
    force: boolean;
    after: AfterAction;
    source: string;
    /** Files modified more recently than this (by the server's clock against `now`) wait for a later run. */
    minAgeMs?: number | undefined;
    now?: number | undefined;
  },
): FetchPlan {
  const minAge = options.minAgeMs ?? 0;
  const now = options.now ?? Date.now();
  const matches = compileGlob(options.pattern);
  // Unsafe names are judged by a looser match (dots and separators count as ordinary
  // characters), so "../x.xml" is refused out loud rather than passed over in silence.
  const couldMatch = compileGlob(options.pattern, { hidden: true });
  const items: FetchPlanItem[] = [];
  const issues: Issue[] = [];
  let ignored = 0;
  const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of sorted) {
    const unsafe = unsafeNameReason(e.name);
    if (unsafe !== undefined) {
      if (e.name === "." || e.name === ".." || !couldMatch(e.name)) {
        ignored += 1;
        continue;
      }
      items.push({ name: e.name, size: e.size, action: "refuse", reason: `the name ${unsafe}` });
      issues.push(
        makeIssue(
          "transport.unsafe_remote_name",
          `remote file ${showName(e.name)} ${unsafe}; not downloaded, left on the server`,
          { file: options.source },
        ),
      );
      continue;
    }
    if (!e.isFile || !matches(e.name)) {
      ignored += 1;
      continue;
    }
    const age = e.mtimeMs === undefined ? undefined : now - e.mtimeMs;
    if (minAge > 0 && age !== undefined && age < minAge) {
      items.push({
        name: e.name,
        size: e.size,
        mtimeMs: e.mtimeMs,
        action: "wait",
        reason: `modified ${Math.max(0, Math.round(age / 1000))} s ago, less than --min-age ${Math.round(minAge / 1000)} s: it may still be being written; left for a later run`,
      });
      continue;
    }
    const have = local.get(e.name);
    if (have === e.size && !options.force && options.after.kind === "keep") {
      items.push({
        name: e.name,
        size: e.size,
        mtimeMs: e.mtimeMs,
        action: "skip",
        reason: "already downloaded (same name and size)",
      });
    } else {
      items.push({
        name: e.name,
        size: e.size,
        mtimeMs: e.mtimeMs,
        action: "fetch",
        reason:
          have === undefined
            ? "new"
            : options.force
              ? "downloaded again (--force)"
              : "a local file of that name differs or must be checked",
      });
    }
  }
  return { items, ignored, issues };
}

/** Parses `--after keep|delete|move:<remote dir>`. Returns undefined when malformed. */
export function parseAfterAction(text: string): AfterAction | undefined {
  if (text === "keep" || text === "delete") return { kind: text };
  const m = /^move:(.+)$/s.exec(text);
  if (m && !/[\u0000-\u001f\u007f]/.test(m[1]!) && !m[1]!.split("/").includes(".."))
    return { kind: "move", dir: m[1]! };
  return undefined;
}
