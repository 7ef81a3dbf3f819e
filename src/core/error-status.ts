import type { ErrorCode } from "./errors.ts";

/**
 * The one table from error code to HTTP status, exhaustive so a new code cannot be forgotten. It sits in
 * core, not in the HTTP transport, because PocketBase's batch result embeds each failed request's status
 * in the data the batch service produces; the transport and the batch service read this same table.
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  invalid_input: 400,
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/** PocketBase's message style: trimmed, first letter upper-case, ending with punctuation. */
export function sentenize(message: string): string {
  const trimmed = message.trim();
  if (trimmed === "") return "";
  const upper = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.?!]$/.test(upper) ? upper : upper + ".";
}
