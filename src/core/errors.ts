import type { ErrorCode } from "./error-codes.js";

/** Documented exit codes: the README's table is generated from and tested against this one. */
export const EXIT_CODES = {
  ok: { code: 0, summary: "Success (diff: in sync, or differences without --fail-on-diff)." },
  differences: { code: 1, summary: "diff found differences and --fail-on-diff was given." },
  usage: { code: 2, summary: "Usage error: unknown command or flag, bad flag value." },
  invalid_data: {
    code: 65,
    summary: "Invalid input data: rows with errors, malformed export XML, files changed since render.",
  },
  input_missing: { code: 66, summary: "An input file is missing or unreadable." },
  remote_unavailable: { code: 69, summary: "The remote is unavailable after all retries (retryable)." },
  internal: { code: 70, summary: "Internal error (a bug: please report it with the stderr log)." },
  output_failed: { code: 73, summary: "Output cannot be written (permissions, disk full, a locked folder)." },
  remote_refused: { code: 76, summary: "The remote refused an operation (permission, rename)." },
  auth_refused: { code: 77, summary: "Authentication or host key refused." },
  bad_config: { code: 78, summary: "Bad configuration or format profile." },
} as const;

/** The exit status when stdout's reader went away (`… | head -1`): 128 + SIGPIPE, as shell tools. */
export const EXIT_BROKEN_PIPE = 141;

export type ExitKind = keyof typeof EXIT_CODES;

/**
 * An environment failure (bad flag, missing file, unreachable host, refused key): thrown,
 * caught once in the CLI, and mapped to its exit code. Its message must never hold a secret.
 */
export class EngageError extends Error {
  readonly kind: ExitKind;
  /** A stable code for the failure, e.g. `transport.host_key_mismatch`. */
  readonly code: ErrorCode;
  /** True when a retry may succeed (connection refused, reset, timeout). */
  readonly retryable: boolean;

  constructor(
    kind: ExitKind,
    code: ErrorCode,
    message: string,
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EngageError";
    this.kind = kind;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }

  get exitCode(): number {
    return EXIT_CODES[this.kind].code;
  }
}
