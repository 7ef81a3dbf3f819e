/** Builds one OpenAPI operation object with the conventions every Plinth operation shares. */
import { ref, type SchemaObject } from "./json-schema.ts";
import { ERROR_RESPONSES } from "./shared-components.ts";

/** What varies between operations. */
export interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly tag: string;
  readonly description?: string;
  readonly security: readonly object[];
  /** Names of shared query parameters (`#/components/parameters/<name>`). */
  readonly query?: readonly string[];
  readonly requestBody?: SchemaObject;
  /** Success responses by status code. */
  readonly success: Readonly<Record<string, SchemaObject>>;
}

/** An operation: its success responses plus the shared 400/401/403/404 `Error` responses. */
export function operation(spec: OperationSpec): SchemaObject {
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    ...(spec.description === undefined ? {} : { description: spec.description }),
    tags: [spec.tag],
    security: spec.security,
    ...(spec.query && spec.query.length > 0
      ? { parameters: spec.query.map((name) => ({ $ref: `#/components/parameters/${name}` })) }
      : {}),
    ...(spec.requestBody === undefined ? {} : { requestBody: spec.requestBody }),
    responses: { ...spec.success, ...ERROR_RESPONSES },
  };
}

/** A JSON response of a component schema (or an inline one). */
export function jsonResponse(description: string, schema: string | SchemaObject): SchemaObject {
  return {
    description,
    content: { "application/json": { schema: typeof schema === "string" ? ref(schema) : schema } },
  };
}

/** A 204 response. */
export const NO_CONTENT: SchemaObject = { description: "Done; no body." };

/** A required JSON request body. */
export function jsonBody(schema: string | SchemaObject): SchemaObject {
  return {
    required: true,
    content: { "application/json": { schema: typeof schema === "string" ? ref(schema) : schema } },
  };
}

/** A path parameter. */
export function pathParameter(name: string, description: string): SchemaObject {
  return { name, in: "path", required: true, description, schema: { type: "string" } };
}
