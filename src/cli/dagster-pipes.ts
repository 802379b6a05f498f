import { appendFileSync, readFileSync } from "node:fs";
import { EngageError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Summary } from "../schemas/summary.js";

/** The protocol version Dagster Pipes messages carry. */
export const PIPES_PROTOCOL_VERSION = "0.1";

type Method = "opened" | "log" | "report_asset_materialization" | "report_asset_check" | "closed";

/** One Pipes message, as Dagster reads it: one JSON object per line. */
export interface PipesMessage {
  __dagster_pipes_version: string;
  method: Method;
  params: Record<string, unknown> | null;
}

/** A session with the Dagster process that launched this one. */
export interface PipesSession {
  /** Wraps a logger so every line also reaches Dagster as a `log` message. */
  logger(inner: Logger): Logger;
  /** Reports the command's end (a materialization or a failed check) and closes the session. */
  close(summary: Summary): void;
}

/**
 * Decodes a Pipes parameter: base64 of zlib-compressed JSON. zlib is taken from the runtime here,
 * on use: imported at the top, it cost every command's start-up about 3 ms, Pipes or not.
 */
export function decodePipesParam(value: string, variable: string): Record<string, unknown> {
  try {
    const { inflateSync } = process.getBuiltinModule("node:zlib");
    const data = JSON.parse(inflateSync(Buffer.from(value, "base64")).toString("utf8")) as unknown;
    if (typeof data === "object" && data !== null && !Array.isArray(data))
      return data as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new EngageError(
    "bad_config",
    "config.invalid_value",
    `${variable}: expected base64 of zlib-compressed JSON object`,
  );
}

const LEVELS = { debug: "DEBUG", info: "INFO", warn: "WARNING", error: "ERROR" } as const;

/**
 * Opens a Pipes session when `DAGSTER_PIPES_CONTEXT` and `DAGSTER_PIPES_MESSAGES` are set (else
 * undefined): reads the context (a file `path` or inline `data`), and writes messages to the file
 * (`path`) or stream (`stdio`, `buffered_stdio`) the messages parameter names.
 */
export function openPipes(
  env: NodeJS.ProcessEnv,
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
): PipesSession | undefined {
  const contextVar = env.DAGSTER_PIPES_CONTEXT;
  const messagesVar = env.DAGSTER_PIPES_MESSAGES;
  if (contextVar === undefined || contextVar === "" || messagesVar === undefined || messagesVar === "")
    return undefined;
  const contextParams = decodePipesParam(contextVar, "DAGSTER_PIPES_CONTEXT");
  const messagesParams = decodePipesParam(messagesVar, "DAGSTER_PIPES_MESSAGES");
  let context: Record<string, unknown> = {};
  if (typeof contextParams.path === "string") {
    try {
      context = JSON.parse(readFileSync(contextParams.path, "utf8")) as Record<string, unknown>;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "not JSON";
      throw new EngageError(
        "bad_config",
        "config.invalid_value",
        `DAGSTER_PIPES_CONTEXT: context file ${contextParams.path} cannot be read (${code})`,
      );
    }
  } else if (typeof contextParams.data === "object" && contextParams.data !== null) {
    context = contextParams.data as Record<string, unknown>;
  }

  const buffered: string[] = [];
  let write: (line: string) => void;
  if (typeof messagesParams.path === "string") {
    const path = messagesParams.path;
    write = (line) => appendFileSync(path, line);
  } else if (messagesParams.stdio === "stdout" || messagesParams.stdio === "stderr") {
    const stream = streams[messagesParams.stdio];
    write = (line) => stream.write(line);
  } else if (messagesParams.buffered_stdio === "stdout" || messagesParams.buffered_stdio === "stderr") {
    write = (line) => buffered.push(line);
  } else {
    throw new EngageError(
      "bad_config",
      "config.invalid_value",
      'DAGSTER_PIPES_MESSAGES: expected "path", "stdio" or "buffered_stdio"',
    );
  }
  const send = (method: Method, params: Record<string, unknown> | null): void =>
    write(
      `${JSON.stringify({ __dagster_pipes_version: PIPES_PROTOCOL_VERSION, method, params } satisfies PipesMessage)}\n`,
    );

  const assetKeys = Array.isArray(context.asset_keys)
    ? context.asset_keys.filter((k): k is string => typeof k === "string")
    : [];
  const extras = (
    typeof context.extras === "object" && context.extras !== null ? context.extras : {}
  ) as Record<string, unknown>;
  send("opened", { extras: {} });

  return {
    logger(inner) {
      const wrap = (level: keyof typeof LEVELS) => (message: string) => {
        inner[level](message);
        send("log", { message, level: LEVELS[level] });
      };
      // Debug lines stay on stderr (with --verbose): Dagster's event log keeps what matters.
      return { debug: (m) => inner.debug(m), info: wrap("info"), warn: wrap("warn"), error: wrap("error") };
    },
    close(summary) {
      const metadata = metadataOf(summary);
      // One materialization per asset the step targets, when the command succeeded; a check only
      // when the asset declares one (Dagster refuses checks it does not know).
      for (const assetKey of assetKeys) {
        if (summary.exitCode === 0)
          send("report_asset_materialization", { asset_key: assetKey, data_version: null, metadata });
        if (typeof extras.check_name === "string")
          send("report_asset_check", {
            asset_key: assetKey,
            check_name: extras.check_name,
            passed: summary.exitCode === 0,
            severity: "ERROR",
            metadata,
          });
      }
      send(
        "closed",
        summary.exitCode === 0 || summary.error === undefined
          ? {}
          : {
              exception: {
                name: summary.error.code,
                message: summary.error.message,
                stack: [],
                cause: null,
                context: null,
              },
            },
      );
      if (messagesParams.buffered_stdio === "stdout" || messagesParams.buffered_stdio === "stderr")
        streams[messagesParams.buffered_stdio].write(buffered.join(""));
    },
  };
}

/** The summary as Pipes metadata: counts as ints, status as text, files and details as JSON. */
function metadataOf(summary: Summary): Record<string, { raw_value: unknown; type: string }> {
  const out: Record<string, { raw_value: unknown; type: string }> = {};
  for (const [key, value] of Object.entries(summary)) {
    if (typeof value === "number")
      out[key] = { raw_value: value, type: Number.isInteger(value) ? "int" : "float" };
    else if (typeof value === "string") out[key] = { raw_value: value, type: "text" };
    else if (typeof value === "boolean") out[key] = { raw_value: value, type: "bool" };
    else if (value !== null && value !== undefined) out[key] = { raw_value: value, type: "json" };
  }
  const files = (summary.render as { files?: unknown } | undefined)?.files;
  if (Array.isArray(files)) out.files = { raw_value: files, type: "json" };
  return out;
}
