import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { EngageError } from "../../core/errors.js";
import { EngageClient, MIN_REDEEM_TIMEOUT_MS } from "../../api/engage-client.js";
import { TOOL_VERSION } from "../version.js";

/** Options every `api` subcommand takes. */
export const API_OPTIONS = {
  "api-url": { type: "string", describe: "The tenant's Engage base URL, e.g. https://acme.voyado.com" },
  "api-key-file": { type: "string", describe: "File holding the API key (default: ENGAGE_PROMO_API_KEY)" },
  concurrency: { type: "string", default: "8", describe: "Requests in flight at once" },
  deadline: { type: "string", default: "3600", describe: "Seconds after which no new row is started" },
  "redeem-timeout": {
    type: "string",
    default: String(MIN_REDEEM_TIMEOUT_MS / 1000),
    describe:
      "Seconds to wait for one redeem (never below 60: Engage completes a stored redeem however long it takes)",
  },
} as const;

function positiveNumber(name: string, text: unknown): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0)
    throw new EngageError(
      "usage",
      "cli.invalid_number",
      `--${name}: expected a positive number, got ${JSON.stringify(text)}`,
    );
  return n;
}

/** The client, concurrency and deadline from the flags; the key from the environment or its file. */
export function apiSetup(args: Record<string, unknown>, cwd: string, env: NodeJS.ProcessEnv) {
  const url = args.apiUrl;
  if (typeof url !== "string" || url === "")
    throw new EngageError("usage", "api.url_missing", "--api-url: expected the tenant's Engage URL");
  let apiKey = env.ENGAGE_PROMO_API_KEY ?? "";
  if (typeof args.apiKeyFile === "string") {
    const file = resolve(cwd, args.apiKeyFile);
    try {
      apiKey = readFileSync(file, "utf8").trim();
    } catch {
      throw new EngageError(
        "input_missing",
        "api.key_file_unreadable",
        `${file}: cannot read the API key file`,
      );
    }
  }
  if (apiKey === "")
    throw new EngageError(
      "bad_config",
      "api.key_missing",
      "no API key: set ENGAGE_PROMO_API_KEY or give --api-key-file",
    );
  const redeemTimeout = positiveNumber("redeem-timeout", args.redeemTimeout) * 1000;
  if (redeemTimeout < MIN_REDEEM_TIMEOUT_MS)
    throw new EngageError(
      "usage",
      "cli.invalid_number",
      "--redeem-timeout: expected at least 60 seconds (Engage's advice)",
    );
  const concurrency = Math.floor(positiveNumber("concurrency", args.concurrency));
  const deadlineMs = positiveNumber("deadline", args.deadline) * 1000;
  const client = new EngageClient({
    baseUrl: url,
    apiKey,
    userAgent: `engage-promo/${TOOL_VERSION}`,
    redeemTimeoutMs: redeemTimeout,
  });
  return { client, concurrency, deadlineAt: Date.now() + deadlineMs };
}
