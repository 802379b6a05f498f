import type { ExitKind } from "./errors.js";

/**
 * Every `error.code` an environment failure can carry, with its exit kind and what it means:
 * the README's error-code table is tested against this one, and `EngageError` takes only these.
 */
export const ERROR_CODES = {
  "cli.usage": { kind: "usage", meaning: "Unknown command or flag, a missing or bad argument." },
  "cli.invalid_value": { kind: "usage", meaning: "A flag's value is not one it accepts." },
  "cli.invalid_number": { kind: "usage", meaning: "A number flag got something else." },
  "cli.conflicting_options": { kind: "usage", meaning: "Two flags that exclude each other." },
  "cli.columns_invalid": { kind: "usage", meaning: "`--columns` is not a JSON object of names." },
  "cli.timestamp_invalid": { kind: "usage", meaning: "`--timestamp` is not a date and time." },
  "cli.previous_unreadable": { kind: "input_missing", meaning: "`--previous` manifest cannot be read." },
  "cli.previous_invalid": { kind: "invalid_data", meaning: "`--previous` manifest is not a manifest." },
  "cli.schema_write_failed": { kind: "output_failed", meaning: "`schema --out` cannot be written." },
  "cli.summary_unwritable": { kind: "output_failed", meaning: "`--summary-file` cannot be written." },
  "config.unreadable": { kind: "bad_config", meaning: "The config file cannot be read." },
  "config.json_syntax": { kind: "bad_config", meaning: "The config file is not JSON (line:column given)." },
  "config.shape": { kind: "bad_config", meaning: "The config file or a command section is not an object." },
  "config.unknown_key": { kind: "bad_config", meaning: "A config key no command knows." },
  "config.invalid_value": {
    kind: "bad_config",
    meaning: "A config value or `ENGAGE_PROMO_*` variable of the wrong type or value.",
  },
  "config.profile_unreadable": { kind: "bad_config", meaning: "The format profile cannot be read." },
  "config.profile_invalid": { kind: "bad_config", meaning: "The format profile is not valid." },
  "read.file_missing": { kind: "input_missing", meaning: "An input file does not exist (any command)." },
  "read.file_unreadable": {
    kind: "input_missing",
    meaning: "An input file cannot be read, or is a folder (any command).",
  },
  "read.columns_unknown_field": {
    kind: "bad_config",
    meaning: "`--columns` names a field that does not exist.",
  },
  "validate.timezone_unknown": { kind: "usage", meaning: "`--timezone` is not an IANA time zone." },
  "validate.spill_failed": { kind: "output_failed", meaning: "The temporary key index cannot be written." },
  "render.out_dir_not_empty": {
    kind: "output_failed",
    meaning: "`--out` holds files and `--overwrite` was not given.",
  },
  "render.write_failed": { kind: "output_failed", meaning: "A rendered file cannot be written." },
  "render.assignment_without_contact": {
    kind: "internal",
    meaning: "A bug: an assignment reached render without a contact.",
  },
  "render.definition_after_assignment": {
    kind: "internal",
    meaning: "A bug: the planner saw rows out of order.",
  },
  "render.invalid_xml_char": {
    kind: "internal",
    meaning: "A bug: a character validate should have refused.",
  },
  "render.planner_finished": { kind: "internal", meaning: "A bug: a row after the planner finished." },
  "parse.output_failed": { kind: "output_failed", meaning: "`parse --out` cannot be written." },
  "diff.expected_missing": {
    kind: "input_missing",
    meaning: "`--expected` cannot be read or holds no inputs.",
  },
  "diff.actual_missing": { kind: "input_missing", meaning: "`--actual` cannot be read or holds no export." },
  "diff.report_unwritable": { kind: "output_failed", meaning: "`diff --out` cannot be written." },
  "transport.target_invalid": { kind: "usage", meaning: "`--to`/`--from` is not a target." },
  "transport.password_empty": {
    kind: "bad_config",
    meaning: "The password or passphrase variable is empty.",
  },
  "transport.credentials_unreadable": {
    kind: "input_missing",
    meaning: "A key or password file cannot be read.",
  },
  "transport.known_hosts_unreadable": { kind: "input_missing", meaning: "`--known-hosts` cannot be read." },
  "transport.connection_lost": {
    kind: "remote_unavailable",
    meaning: "Connection refused, reset, dropped or unreachable, after all retries.",
  },
  "transport.deadline": {
    kind: "remote_unavailable",
    meaning: "A remote call passed its deadline, after all retries.",
  },
  "transport.size_mismatch": {
    kind: "remote_unavailable",
    meaning: "A transferred file's size differs, after all retries.",
  },
  "transport.auth_failed": { kind: "auth_refused", meaning: "The server refused the key or password." },
  "transport.identity_unusable": {
    kind: "auth_refused",
    meaning: "The private key cannot be used (format, passphrase).",
  },
  "transport.host_key_unknown": { kind: "auth_refused", meaning: "The host key is not in known_hosts." },
  "transport.host_key_mismatch": { kind: "auth_refused", meaning: "The host key differs from known_hosts." },
  "transport.host_key_revoked": { kind: "auth_refused", meaning: "The host key is marked @revoked." },
  "transport.permission_denied": {
    kind: "remote_refused",
    meaning: "The server refused an operation (permission).",
  },
  "transport.not_found": { kind: "remote_refused", meaning: "A remote path does not exist." },
  "transport.no_space": { kind: "remote_refused", meaning: "The remote disk is full." },
  "transport.unsupported": { kind: "remote_refused", meaning: "The server does not support an operation." },
  "transport.rename_failed": { kind: "remote_refused", meaning: "The final rename on the remote failed." },
  "transport.remote_failed": { kind: "remote_refused", meaning: "Another remote operation failed." },
  "transport.remote_dir_missing": { kind: "remote_refused", meaning: "The remote folder does not exist." },
  "transport.remote_not_a_folder": { kind: "remote_refused", meaning: "The remote path is not a folder." },
  "transport.manifest_missing": {
    kind: "input_missing",
    meaning: "The folder to upload has no manifest.json.",
  },
  "transport.manifest_invalid": { kind: "invalid_data", meaning: "manifest.json is not a manifest." },
  "transport.file_missing": { kind: "input_missing", meaning: "A file listed in the manifest is missing." },
  "transport.checksum_mismatch": { kind: "invalid_data", meaning: "A file changed since render." },
  "transport.unsafe_name": {
    kind: "invalid_data",
    meaning: "A manifest file name is not a safe remote name.",
  },
  "transport.locked": { kind: "output_failed", meaning: "Another upload or fetch holds the folder's lock." },
  "transport.lock_failed": { kind: "output_failed", meaning: "The folder's lock cannot be taken." },
  "transport.manifest_write_failed": {
    kind: "output_failed",
    meaning: "The delivery record cannot be written.",
  },
  "transport.output_unwritable": { kind: "output_failed", meaning: "`fetch --out` cannot be written." },
  "import.mapping_unreadable": {
    kind: "bad_config",
    meaning: "The `import --map` file is missing or unreadable.",
  },
  "import.mapping_invalid": {
    kind: "bad_config",
    meaning: "The `import --map` file is not valid JSON or does not fit its schema.",
  },
  "import.output_unwritable": {
    kind: "output_failed",
    meaning: "The `import --out` file cannot be written.",
  },
  "api.url_missing": { kind: "usage", meaning: "`api` without `--api-url` (or its config key)." },
  "api.url_invalid": { kind: "usage", meaning: "`--api-url` is not a URL." },
  "api.url_insecure": {
    kind: "usage",
    meaning: "`--api-url` is plain http:// to a host other than loopback.",
  },
  "api.key_missing": {
    kind: "bad_config",
    meaning: "No API key: neither ENGAGE_PROMO_API_KEY nor `--api-key-file`.",
  },
  "api.key_file_unreadable": { kind: "input_missing", meaning: "The `--api-key-file` cannot be read." },
  "api.contacts_file_unreadable": {
    kind: "input_missing",
    meaning: "`api check --contacts-file` cannot be read.",
  },
  "api.key_refused": { kind: "auth_refused", meaning: "Engage refused the API key (HTTP 401 or 403)." },
  "api.journal_unreadable": {
    kind: "input_missing",
    meaning: "The journal beside the input cannot be read.",
  },
  "api.journal_unwritable": { kind: "output_failed", meaning: "The journal cannot be written or synced." },
  internal: { kind: "internal", meaning: "A bug: please report it with the stderr log." },
} as const satisfies Record<string, { kind: ExitKind; meaning: string }>;

/** A documented error code. */
export type ErrorCode = keyof typeof ERROR_CODES;
