/** Longest raw body kept in an outcome when no known error code is found in it. */
const RAW_LIMIT = 300;

const CODE_WORD = /\b([A-Z][a-z]+(?:[A-Z][a-z0-9]*)+)\b/;

/**
 * Takes Engage's error code from a response body: `errorCode` or `code` of a JSON object, or a
 * PascalCase word inside its `message` (Voyado's pages name the codes but not the body's shape).
 */
export function extractErrorCode(body: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return CODE_WORD.exec(body.slice(0, RAW_LIMIT))?.[1];
  }
  if (typeof parsed === "string") return CODE_WORD.exec(parsed)?.[1];
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const o = parsed as Record<string, unknown>;
  for (const key of ["errorCode", "code", "ErrorCode", "Code"]) {
    const v = o[key];
    if (typeof v === "string" && v !== "") return v;
  }
  const message = o.message ?? o.Message;
  if (typeof message === "string") return CODE_WORD.exec(message)?.[1];
  return undefined;
}

/** The body as kept in a row's outcome: shortened, so a large error page cannot flood the report. */
export function truncateBody(body: string): string {
  return body.length > RAW_LIMIT ? `${body.slice(0, RAW_LIMIT)}…` : body;
}
