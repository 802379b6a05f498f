import type { Target } from "./target.js";

/** What a remote path is, as far as delivery needs to know. */
export interface RemoteStat {
  size: number;
  isFile: boolean;
  isDirectory: boolean;
  /** Last modification, in ms since the epoch (whole seconds over SFTP); undefined when not reported. */
  mtimeMs?: number | undefined;
}

/** One entry of a remote folder listing. */
export interface RemoteEntry {
  name: string;
  size: number;
  isFile: boolean;
  /** Last modification, in ms since the epoch; undefined when not reported. */
  mtimeMs?: number | undefined;
}

/** Per-transfer hooks: bytes moved, for progress and for the stall deadline. */
export interface TransferHooks {
  onBytes?: (n: number) => void;
  /**
   * The transfer of the same kind that comes next, if any: its remote file (and for an upload
   * its local one) may be opened while this one ends, so that it starts without a round trip.
   */
  next?: { localPath: string; remotePath: string };
  /** The size a listing showed for a download: plans the reads; the whole file is read whatever its size. */
  expectedBytes?: number;
}

/** What the remote side reports at the end of a transfer. */
export interface TransferResult {
  /**
   * The remote file's size, asked for once every byte was acknowledged (upload) or read
   * (download); undefined when no file is there any more.
   */
  remoteSize: number | undefined;
  /** The remote file's modification time asked for with that size (ms since the epoch). */
  remoteMtimeMs?: number | undefined;
}

/**
 * An open connection to a target folder. Paths are full remote paths (see `resolve`); every
 * call either completes, or fails with an EngageError within its deadline.
 */
export interface TransportSession {
  /** The target folder as an absolute path on the remote side. */
  readonly dir: string;
  /** A path inside the target folder (`name`), or another folder given absolute or relative to it. */
  resolve(relative: string): string;
  /** Undefined when nothing exists at the path. */
  stat(path: string): Promise<RemoteStat | undefined>;
  list(dir: string): Promise<RemoteEntry[]>;
  /** Writes a local file to `remotePath`, replacing whatever is there (leftovers of a broken run). */
  put(localPath: string, remotePath: string, hooks?: TransferHooks): Promise<TransferResult>;
  /** Writes `remotePath` to a local file (created or truncated); the caller fsyncs it. */
  get(remotePath: string, localPath: string, hooks?: TransferHooks): Promise<TransferResult>;
  /** Renames, replacing the destination atomically where the server allows it. */
  replace(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** Best effort, never throws, never hangs. */
  close(): Promise<void>;
}

/** Opens sessions to one target; a retry opens a new one. */
export interface Transport {
  readonly target: Target;
  connect(): Promise<TransportSession>;
}
