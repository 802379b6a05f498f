/** Issue codes of the transport stage (data problems found on a remote folder, collected as values). */
export const TRANSPORT_CODES = {
  "transport.unsafe_remote_name": {
    severity: "error",
    summary:
      "A remote file name that could escape the local folder or is not a plain name (../, /, control characters); the file is skipped.",
  },
  "transport.remote_changed": {
    severity: "warning",
    summary:
      "A remote file changed on the server (size or modification time) after it was downloaded; it is left there, not deleted or moved, and fetched again on the next run.",
  },
  "transport.remote_vanished": {
    severity: "warning",
    summary:
      "A remote file listed for download was gone when it was read (picked up or removed meanwhile); it is skipped and the other files are fetched.",
  },
} as const;
