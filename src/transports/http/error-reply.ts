import type { ErrorCode, FieldErrors } from "../../core/errors.ts";
import { ERROR_STATUS, sentenize } from "../../core/error-status.ts";
import { isPlinthError } from "../../core/errors.ts";

// the table and message style live in core (the batch service embeds statuses too); re-exported for callers here
export { ERROR_STATUS, sentenize };

/** PocketBase's default message for each code, used when an error carries none (and always for `internal`). */
export const DEFAULT_MESSAGES: Readonly<Record<ErrorCode, string>> = {
  invalid_input: "Something went wrong while processing your request.",
  validation_failed: "Failed to validate the submitted data.",
  unauthenticated: "Missing or invalid authentication.",
  forbidden: "You are not allowed to perform this request.",
  not_found: "The requested resource wasn't found.",
  payload_too_large: "Request entity too large.",
  rate_limited: "Too Many Requests.",
  unavailable: "Service Unavailable.",
  internal: "Something went wrong while processing your request.",
};

/** PocketBase's error body: `{"status":400,"message":"…","data":{…}}`. */
export interface ErrorBody {
  readonly status: number;
  readonly message: string;
  readonly data: FieldErrors | Record<string, never>;
}

/** A status and body ready to send. */
export interface ErrorReply {
  readonly status: number;
  readonly body: ErrorBody;
}

/** The logger slice toErrorReply needs; a Fastify request logger (which carries the request id) fits. */
export interface ErrorLog {
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Our reading of Fastify's and its plugins' own errors: which code, and which public message. */
const FRAMEWORK_ERRORS: Readonly<Record<string, { code: ErrorCode; message: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "payload_too_large", message: "Request entity too large." },
  FST_REQ_FILE_TOO_LARGE: { code: "payload_too_large", message: "Request entity too large." },
  FST_FILES_LIMIT: { code: "payload_too_large", message: "Request entity too large." },
  FST_PARTS_LIMIT: { code: "payload_too_large", message: "Request entity too large." },
  FST_FIELDS_LIMIT: { code: "payload_too_large", message: "Request entity too large." },
  // PocketBase answers an unsupported body type with 400, not 415.
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: "invalid_input", message: "Unsupported Content-Type." },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "invalid_input", message: "Failed to read the submitted data." },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "invalid_input", message: "Failed to read the submitted data." },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: "invalid_input",
    message: "Failed to read the submitted data.",
  },
  FST_INVALID_JSON_FIELD_ERROR: { code: "invalid_input", message: "Failed to read the submitted data." },
  FST_INVALID_MULTIPART_CONTENT_TYPE: {
    code: "invalid_input",
    message: "Failed to read the submitted data.",
  },
  FST_PROTO_VIOLATION: { code: "invalid_input", message: "Failed to read the submitted data." },
  FST_MP_PREMATURE_CLOSE: { code: "invalid_input", message: "Failed to read the submitted data." },
  FST_ERR_VALIDATION: { code: "invalid_input", message: "Failed to validate the submitted data." },
};

/** Status of a client-side framework error we have no entry for, read back to the nearest code. */
const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  429: "rate_limited",
};

/**
 * Turns anything thrown while handling a request into PocketBase's error reply.
 * Unknown errors become a generic 500 and are logged (with the request id, via `log`), never shown.
 */
export function toErrorReply(err: unknown, log: ErrorLog): ErrorReply {
  if (isPlinthError(err)) {
    const status = ERROR_STATUS[err.code];
    if (err.code === "internal") {
      // A deliberate internal error may still carry details meant for operators only.
      log.error({ err }, "internal error");
      return reply(status, DEFAULT_MESSAGES.internal, {});
    }
    if (err.code === "unavailable") log.error({ err }, "service unavailable");
    return reply(status, sentenize(err.message) || DEFAULT_MESSAGES[err.code], err.fields);
  }

  const framework = readFrameworkError(err);
  if (framework !== null) {
    log.debug({ err }, "request rejected");
    return reply(ERROR_STATUS[framework.code], framework.message, framework.data);
  }

  log.error({ err }, "unhandled error");
  return reply(500, DEFAULT_MESSAGES.internal, {});
}

/** Builds the reply for one of our codes with its default message. */
export function errorReplyFor(code: ErrorCode, message?: string): ErrorReply {
  return reply(ERROR_STATUS[code], message ? sentenize(message) : DEFAULT_MESSAGES[code], {});
}

function reply(status: number, message: string, data: FieldErrors): ErrorReply {
  return { status, body: { status, message, data } };
}

interface FrameworkReading {
  readonly code: ErrorCode;
  readonly message: string;
  readonly data: FieldErrors;
}

/** Recognises Fastify's client errors (`FST_*` codes with a 4xx status); anything else is unknown. */
function readFrameworkError(err: unknown): FrameworkReading | null {
  if (typeof err !== "object" || err === null) return null;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof code !== "string" || !code.startsWith("FST_")) return null;
  const known = FRAMEWORK_ERRORS[code];
  if (known !== undefined) {
    const validation = (err as { validation?: unknown }).validation;
    return { ...known, data: Array.isArray(validation) ? validationFields(validation) : {} };
  }
  if (typeof statusCode !== "number" || statusCode < 400 || statusCode >= 500) return null;
  const mapped = CODE_BY_STATUS[statusCode] ?? "invalid_input";
  return { code: mapped, message: DEFAULT_MESSAGES[mapped], data: {} };
}

/** Ajv issues (`{ instancePath, keyword, params, message }`) as PocketBase field errors, keyed by top-level name. */
function validationFields(issues: readonly unknown[]): FieldErrors {
  const fields: Record<string, { code: string; message: string }> = {};
  for (const issue of issues) {
    if (typeof issue !== "object" || issue === null) continue;
    const { instancePath, keyword, params, message } = issue as {
      instancePath?: unknown;
      keyword?: unknown;
      params?: { missingProperty?: unknown };
      message?: unknown;
    };
    const path = typeof instancePath === "string" ? instancePath.split("/").filter(Boolean) : [];
    const missing = keyword === "required" ? params?.missingProperty : undefined;
    const name = path[0] ?? (typeof missing === "string" ? missing : undefined);
    if (name === undefined || name === "__proto__" || Object.hasOwn(fields, name)) continue;
    fields[name] =
      keyword === "required" && path.length === 0
        ? { code: "validation_required", message: "Cannot be blank." }
        : {
            code: "validation_invalid_value",
            message: typeof message === "string" ? sentenize(message) : "Invalid value.",
          };
  }
  return fields;
}
