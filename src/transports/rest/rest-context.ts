import type { FastifyRequest } from "fastify";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import { buildRequestInfo, readBody } from "../http/index.ts";

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated record resolved from the Authorization header (null for guests). */
    plinthAuth: AuthInfo | null;
  }
}

/** The request as services see it: auth, method, headers, query and body. */
export function requestInfo(request: FastifyRequest, context?: string): RequestInfo {
  return buildRequestInfo(request, request.plinthAuth, context === undefined ? undefined : { context });
}

/** The submitted body as a plain object (JSON, urlencoded or multipart with `@jsonPayload`). */
export function bodyOf(request: FastifyRequest): Record<string, unknown> {
  return readBody(request).body;
}

/** The first value of a query parameter. */
export function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : undefined;
}

/** A numeric query parameter (NaN-safe). */
export function numberParam(request: FastifyRequest, name: string): number | undefined {
  const raw = queryParam(request, name);
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/** A path parameter. */
export function pathParam(request: FastifyRequest, name: string): string {
  return String((request.params as Record<string, unknown>)[name] ?? "");
}

/** `expand` and `fields` for shaping a record response. */
export function shapeParams(request: FastifyRequest): { expand?: string; fields?: string } {
  const expand = queryParam(request, "expand");
  const fields = queryParam(request, "fields");
  return { ...(expand ? { expand } : {}), ...(fields ? { fields } : {}) };
}
