export type { CollectionContext } from "./collection-context.ts";
export type { ValueShape } from "./field-shape.ts";
export type { SchemaObject } from "./json-schema.ts";
export type { DocumentInfo } from "./openapi-document.ts";
export { buildOpenApiDocument } from "./openapi-document.ts";
export { createOpenApiService, type OpenApiService, type OpenApiServiceDeps } from "./openapi-service.ts";
export { buildTypeScript, TYPEGEN_HEADER } from "./typescript-types.ts";
