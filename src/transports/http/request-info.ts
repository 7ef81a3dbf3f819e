import type { FastifyRequest } from "fastify";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import { readBody } from "./read-body.ts";

/** Options for buildRequestInfo. */
export interface RequestInfoOptions {
  /** `default` unless the route says otherwise (`realtime`, `protectedFile`, `oauth2`, …). */
  readonly context?: string;
}

/**
 * What rules read as `@request.*`: method, first value of each query parameter and header
 * (header names as PocketBase exposes them, `X-Token` → `x_token`), the submitted body, the auth record.
 */
export function buildRequestInfo(
  request: FastifyRequest,
  auth: AuthInfo | null,
  options: RequestInfoOptions = {},
): RequestInfo {
  // headers, query and body are computed on first read: most requests' rules never look at them
  let headers: Record<string, string> | undefined;
  let query: Record<string, string> | undefined;
  let body: Record<string, unknown> | undefined;
  return {
    auth,
    method: request.method.toUpperCase(),
    context: options.context ?? "default",
    get headers() {
      headers ??= firstHeaderValues(request);
      return headers;
    },
    get query() {
      query ??= firstQueryValues(request.url);
      return query;
    },
    get body() {
      body ??= readBody(request).body;
      return body;
    },
  };
}

/** PocketBase's snake-casing of a header name: runs of non-alphanumerics become one `_`, lower-case. */
export function headerKey(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== "")
    .join("_")
    .toLowerCase();
}

function firstHeaderValues(request: FastifyRequest): Record<string, string> {
  // rawHeaders keeps every occurrence in arrival order (name, value, name, value, …), so the first
  // value is exact even for headers Node would join with ", ".
  const headers: Record<string, string> = {};
  const raw = request.raw.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = headerKey(raw[i]!);
    if (!Object.hasOwn(headers, key)) headers[key] = raw[i + 1]!;
  }
  return headers;
}

function firstQueryValues(url: string): Record<string, string> {
  const query: Record<string, string> = {};
  const q = url.indexOf("?");
  if (q === -1) return query;
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    if (!Object.hasOwn(query, key)) query[key] = value;
  }
  return query;
}
