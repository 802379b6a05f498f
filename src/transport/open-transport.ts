import type { Logger } from "../core/logger.js";
import { createLocalTransport } from "./local-transport.js";
import { createSftpTransport, type SftpTuning } from "./sftp-transport.js";
import type { Target } from "./target.js";
import type { TransportOptions } from "./transport-options.js";
import type { Transport } from "./transport.js";

/** The transport for a target: SFTP for `sftp://`, the file system for a local folder. */
export function openTransport(
  target: Target,
  options: TransportOptions,
  log: Logger,
  tuning: SftpTuning = {},
): Transport {
  return target.kind === "sftp"
    ? createSftpTransport(target, options, log, tuning)
    : createLocalTransport(target);
}
