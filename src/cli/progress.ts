import type { Progress, ProgressOptions } from "../core/progress.js";
import { formatBytes, formatCount } from "../core/format-amount.js";

/** Options of the display: where it goes and how often it may draw. */
export interface ProgressDisplayOptions extends ProgressOptions {
  tty: boolean;
  enabled: boolean;
  /** Least time between two drawings (default 100 ms on a terminal, 5 s otherwise). */
  intervalMs?: number;
  /** The terminal's width; read from the stream when not given (80 when the stream has none). */
  columns?: number;
  /** The clock, for tests. */
  now?: () => number;
}

function formatAmount(n: number, unit: ProgressOptions["unit"]): string {
  return unit === "bytes" ? formatBytes(n) : formatCount(n, unit);
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/** Cuts `text` to `width` characters, marking the cut with an ellipsis. */
function fit(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  return width <= 1 ? chars.slice(0, width).join("") : `${chars.slice(0, width - 1).join("")}…`;
}

/**
 * Progress on stderr: one line redrawn in place on a TTY, cut to the terminal's width so it never
 * wraps (a wrapped line cannot be redrawn and leaves stale copies); otherwise a plain line at most
 * every few seconds, never the same line twice, so cron and orchestrator logs stay readable. With
 * a total it shows the share done, the rate and the time left. Silent when `enabled` is false.
 */
export function createProgress(
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
  options: ProgressDisplayOptions,
): Progress {
  const now = options.now ?? Date.now;
  let position = 0;
  let lastDraw = Number.NEGATIVE_INFINITY;
  let lastKey: string | undefined;
  let note = "";
  const started = now();
  const interval = options.intervalMs ?? (options.tty ? 100 : 5000);

  const describe = (): { head: string; tail: string } => {
    const secs = (now() - started) / 1000;
    const amount = formatAmount(position, options.unit);
    const parts: string[] = [];
    const total = options.total;
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, position / total);
      parts.push(`${Math.floor(ratio * 100)}%`, `${amount} of ${formatAmount(total, options.unit)}`);
      const rate = secs > 0 ? position / secs : 0;
      if (rate > 0) {
        parts.push(`${formatAmount(rate, options.unit)}/s`);
        if (position < total) parts.push(`${formatDuration((total - position) / rate)} left`);
      }
    } else parts.push(amount);
    return { head: parts.join(" "), tail: note };
  };

  const render = (final: boolean): void => {
    if (!options.enabled) return;
    const { head, tail } = describe();
    if (options.tty) {
      const width = Math.max(20, (options.columns ?? (stream as NodeJS.WriteStream).columns ?? 80) - 1);
      const total = options.total;
      let bar = "";
      if (total !== undefined && total > 0) {
        // the bar takes what the words leave, between 10 and 30 cells
        const words = `${options.label}  ${head}${tail ? ` ${tail}` : ""}`.length;
        const cells = Math.max(10, Math.min(30, width - words - 3));
        const filled = Math.round(Math.min(1, position / total) * cells);
        bar = ` [${"#".repeat(filled).padEnd(cells, ".")}]`;
      }
      const line = fit(`${options.label}${bar} ${head}${tail ? ` ${tail}` : ""}`, width);
      stream.write(`\r\x1b[2K${line}${final ? "\n" : ""}`);
      return;
    }
    // Off a terminal a line whose position and note did not move says nothing new (only the
    // clock and the rate would differ), and is not printed again.
    const key = `${position}\u0000${tail}`;
    if (key === lastKey) return;
    lastKey = key;
    const secs = (now() - started) / 1000;
    stream.write(`${options.label}: ${head}${tail ? ` ${tail}` : ""} after ${secs.toFixed(1)}s\n`);
  };

  const maybeDraw = (): void => {
    const t = now();
    if (t - lastDraw >= interval) {
      lastDraw = t;
      render(false);
    }
  };

  return {
    tick(n = 1) {
      position += n;
      maybeDraw();
    },
    set(p, n) {
      position = p;
      if (n !== undefined) note = n;
      maybeDraw();
    },
    done(n) {
      if (n !== undefined) note = n;
      render(true);
    },
  };
}
