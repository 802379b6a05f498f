import type { Issue } from "../core/issue.js";

/** About how many characters go to the stream in one write. */
const PIECE_CHARS = 1 << 16;

/** A stream as the CLI is given it: `write` says when to wait for `drain`. */
type Output = Pick<NodeJS.WritableStream, "write" | "once" | "removeListener"> & {
  destroyed?: boolean;
  writableEnded?: boolean;
};

/** Resolves true once the stream wants more, false when it closed or failed instead. */
function drained(stream: Output): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (more: boolean) => () => {
      stream.removeListener("drain", onDrain);
      stream.removeListener("close", onEnd);
      stream.removeListener("error", onEnd);
      resolve(more);
    };
    const onDrain = settle(true);
    const onEnd = settle(false);
    stream.once("drain", onDrain);
    stream.once("close", onEnd);
    stream.once("error", onEnd);
  });
}

/**
 * Writes `{"issues": [...]}` and a line break to `stream` in pieces of about 64 KiB, waiting
 * for the stream to drain when it asks to, so even 100,000 issues (the most kept; a last
 * `*.issues_omitted` issue says how many more there were) are never one string. Stops quietly
 * when the stream closes (a reader such as `head` that has all it wants).
 */
export async function writeIssuesJson(stream: Output, issues: readonly Issue[]): Promise<void> {
  let piece = '{"issues":[';
  for (let i = 0; i < issues.length; i++) {
    piece += (i === 0 ? "" : ",") + JSON.stringify(issues[i]);
    if (piece.length < PIECE_CHARS) continue;
    if (stream.destroyed === true || stream.writableEnded === true) return;
    const more = stream.write(piece);
    piece = "";
    if (!more && !(await drained(stream))) return;
  }
  if (stream.destroyed === true || stream.writableEnded === true) return;
  stream.write(`${piece}]}\n`);
}
