import type { Logger, LogLevel } from "../core/logger.js";

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger that writes one line per message to a stream (stderr): stdout is kept for the summary. */
export function createLogger(
  stream: NodeJS.WritableStream,
  options: { level: LogLevel; command: string; timestamps: boolean },
): Logger {
  const write = (level: LogLevel, message: string): void => {
    if (ORDER[level] < ORDER[options.level]) return;
    const stamp = options.timestamps ? `${new Date().toISOString()} ` : "";
    stream.write(
      `${stamp}engage-promo ${options.command}: ${level === "info" ? "" : `${level}: `}${message}\n`,
    );
  };
  return {
    debug: (m) => write("debug", m),
    info: (m) => write("info", m),
    warn: (m) => write("warn", m),
    error: (m) => write("error", m),
  };
}
