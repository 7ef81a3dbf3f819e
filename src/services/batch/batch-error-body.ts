import type { ErrorCode, FieldErrors, PlinthError } from "../../core/errors.ts";

/**
 * HTTP status per error code, for the error bodies embedded in a failed batch's response.
 * This repeats transports/http/error-reply.ts's table because services may not import transports;
 * the embedded body is part of the batch result that the service produces, so it needs the status here.
 * Keep the two in step (both are exhaustive over ErrorCode, so a new code fails to compile in each).
 */
const STATUS: Readonly<Record<ErrorCode, number>> = {
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

/** PocketBase's error body, as embedded under `data.requests[i].response`. */
export interface EmbeddedErrorBody {
  readonly status: number;
  readonly message: string;
  readonly data: FieldErrors;
}

/** PocketBase's message style: first letter upper-case, ending with punctuation. */
function sentenize(message: string): string {
  const trimmed = message.trim();
  if (trimmed === "") return "";
  const upper = trimmed[0]!.toUpperCase() + trimmed.slice(1);
  return /[.?!]$/.test(upper) ? upper : upper + ".";
}

/** The `{status, message, data}` a single request would have answered with. */
export function embeddedErrorBody(err: PlinthError): EmbeddedErrorBody {
  const status = STATUS[err.code];
  const message = sentenize(err.message) || "Something went wrong while processing your request.";
  return { status, message, data: err.fields };
}
