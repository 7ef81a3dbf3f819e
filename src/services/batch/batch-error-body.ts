import { ERROR_STATUS, sentenize } from "../../core/error-status.ts";
import type { FieldErrors, PlinthError } from "../../core/errors.ts";

/** PocketBase's error body, as embedded under `data.requests[i].response`. */
export interface EmbeddedErrorBody {
  readonly status: number;
  readonly message: string;
  readonly data: FieldErrors;
}

/** The `{status, message, data}` a single request would have answered with. */
export function embeddedErrorBody(err: PlinthError): EmbeddedErrorBody {
  const status = ERROR_STATUS[err.code];
  const message = sentenize(err.message) || "Something went wrong while processing your request.";
  return { status, message, data: err.fields };
}
