/** Issue codes of the transport stage (data problems found on a remote folder, collected as values). */
export const TRANSPORT_CODES = {
  "transport.unsafe_remote_name": {
    severity: "error",
    summary:
      "A remote file name that could escape the local folder or is not a plain name (../, /, control characters); the file is skipped.",
  },
} as const;
