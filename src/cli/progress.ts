import type { Progress, ProgressOptions } from "../core/progress.js";

function formatAmount(n: number, unit: ProgressOptions["unit"]): string {
  if (unit !== "bytes") return `${n.toLocaleString("en-US")} ${unit}`;
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * Progress on stderr: a redrawn bar on a TTY, otherwise a plain line at most every few
 * seconds, so cron and orchestrator logs stay readable. Silent when `enabled` is false.
 */
export function createProgress(
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
  options: ProgressOptions & { tty: boolean; enabled: boolean; intervalMs?: number },
): Progress {
  let position = 0;
  let lastDraw = 0;
  let note = "";
  const started = Date.now();
  const interval = options.intervalMs ?? (options.tty ? 100 : 5000);

  const render = (final: boolean): void => {
    if (!options.enabled) return;
    const secs = (Date.now() - started) / 1000;
    const amount = formatAmount(position, options.unit);
    const of = options.total !== undefined ? ` of ${formatAmount(options.total, options.unit)}` : "";
    const tail = note ? ` ${note}` : "";
    if (options.tty) {
      const width = 30;
      const ratio = options.total ? Math.min(1, position / options.total) : 0;
      const bar = options.total
        ? `[${"#".repeat(Math.round(ratio * width)).padEnd(width, ".")}] ${Math.floor(ratio * 100)}% `
        : "";
      stream.write(
        `\r\x1b[2K${options.label} ${bar}${amount}${of} ${secs.toFixed(1)}s${tail}${final ? "\n" : ""}`,
      );
    } else {
      stream.write(`${options.label}: ${amount}${of} after ${secs.toFixed(1)}s${tail}\n`);
    }
  };

  const maybeDraw = (): void => {
    const now = Date.now();
    if (now - lastDraw >= interval) {
      lastDraw = now;
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
