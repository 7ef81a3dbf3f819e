import { type FieldErrors, PlinthError } from "../../core/errors.ts";

/** One entry of a batch body (`requests[i]`), as PocketBase's SDK sends it. */
export interface BatchRequest {
  /** As submitted; only the exact upper-case methods pass validation. */
  readonly method: string;
  /** Path and query, e.g. `/api/collections/posts/records?expand=author`. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The record fields (and, from a multipart batch, the uploaded files under their field names). */
  readonly body: Readonly<Record<string, unknown>>;
}

/** Uploaded files of a multipart batch keyed by their form name (`requests.0.avatar` or `requests[0].avatar`). */
export type BatchFiles = Readonly<Record<string, readonly unknown[]>>;

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];
const MAX_URL_LENGTH = 2000;

class Unreadable extends Error {}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Reads one string field the way a typed JSON binding does: absent or null → "", anything else but a string fails. */
function stringField(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") throw new Unreadable();
  return value;
}

function readEntry(raw: unknown): BatchRequest {
  if (raw === null) return { method: "", url: "", headers: {}, body: {} };
  if (!isPlainObject(raw)) throw new Unreadable();
  const headers: Record<string, string> = {};
  const rawHeaders = raw["headers"];
  if (rawHeaders !== undefined && rawHeaders !== null) {
    if (!isPlainObject(rawHeaders)) throw new Unreadable();
    for (const [name, value] of Object.entries(rawHeaders)) {
      if (typeof value !== "string") throw new Unreadable();
      headers[name] = value;
    }
  }
  const rawBody = raw["body"];
  if (rawBody !== undefined && rawBody !== null && !isPlainObject(rawBody)) throw new Unreadable();
  return {
    method: stringField(raw, "method"),
    url: stringField(raw, "url"),
    headers,
    body: rawBody ? { ...rawBody } : {},
  };
}

/** Moves uploaded files into the request they are addressed to, under the field name after the prefix. */
function withFiles(requests: readonly BatchRequest[], files: BatchFiles): BatchRequest[] {
  return requests.map((request, i) => {
    const prefixes = [`requests.${i}.`, `requests[${i}].`];
    const found: Record<string, unknown[]> = {};
    for (const [name, list] of Object.entries(files)) {
      const prefix = prefixes.find((p) => name.startsWith(p));
      if (prefix === undefined) continue;
      const field = name.slice(prefix.length);
      found[field] = [...(found[field] ?? []), ...list];
    }
    return Object.keys(found).length === 0 ? request : { ...request, body: { ...request.body, ...found } };
  });
}

function entryErrors(request: BatchRequest): FieldErrors | undefined {
  const errors: Record<string, { code: string; message: string; params?: Record<string, unknown> }> = {};
  if (request.method === "") errors["method"] = { code: "validation_required", message: "Cannot be blank." };
  else if (!METHODS.includes(request.method))
    errors["method"] = { code: "validation_in_invalid", message: "Must be a valid value." };
  if (request.url === "") errors["url"] = { code: "validation_required", message: "Cannot be blank." };
  else if ([...request.url].length > MAX_URL_LENGTH) {
    errors["url"] = {
      code: "validation_length_too_long",
      message: `The length must be no more than ${MAX_URL_LENGTH}.`,
      params: { min: 0, max: MAX_URL_LENGTH },
    };
  }
  return Object.keys(errors).length > 0 ? errors : undefined;
}

function listErrors(requests: readonly BatchRequest[], maxRequests: number): FieldErrors | undefined {
  if (requests.length === 0)
    return { requests: { code: "validation_required", message: "Cannot be blank." } };
  if (requests.length > maxRequests) {
    return {
      requests: {
        code: "validation_length_too_long",
        message: `The length must be no more than ${maxRequests}.`,
        params: { min: 0, max: maxRequests },
      } as FieldErrors[string],
    };
  }
  const byIndex: Record<string, FieldErrors> = {};
  requests.forEach((request, i) => {
    const errors = entryErrors(request);
    if (errors !== undefined) byIndex[String(i)] = errors;
  });
  return Object.keys(byIndex).length > 0 ? { requests: byIndex } : undefined;
}

/**
 * Reads and validates a `POST /api/batch` body (`{ requests: [{ method, url, headers?, body? }] }`) as
 * PocketBase does: an unreadable body is "Failed to read the submitted batch data.", an empty list, more
 * than `maxRequests` entries or an entry without a valid method/url is "Invalid batch request data."
 * with field errors. Whether the method and url name a supported action is checked per request later.
 */
export function parseBatchRequests(
  body: unknown,
  maxRequests: number,
  files: BatchFiles = {},
): BatchRequest[] {
  let requests: BatchRequest[];
  try {
    if (!isPlainObject(body)) throw new Unreadable();
    const raw = body["requests"];
    if (raw !== undefined && raw !== null && !Array.isArray(raw)) throw new Unreadable();
    requests = withFiles((raw ?? []).map(readEntry), files);
  } catch (err) {
    if (err instanceof Unreadable)
      throw new PlinthError("invalid_input", "Failed to read the submitted batch data.");
    throw err;
  }
  const errors = listErrors(requests, maxRequests);
  if (errors !== undefined)
    throw new PlinthError("validation_failed", "Invalid batch request data.", { fields: errors });
  return requests;
}
