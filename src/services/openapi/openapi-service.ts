/** The OpenAPI document and TypeScript types of the live schema, rebuilt on every call so schema changes show. */
import type { Collection } from "../../core/collections/collection.ts";
import type { SchemaObject } from "./json-schema.ts";
import { buildOpenApiDocument, type DocumentInfo } from "./openapi-document.ts";
import { buildTypeScript } from "./typescript-types.ts";

/** What the service reads: the live collections (the schema cache satisfies it). */
export interface OpenApiServiceDeps {
  readonly schema: { all(): readonly Collection[] };
  /** Overrides the document's `info` (default title "Plinth API", version "1.0.0"). */
  readonly info?: Partial<DocumentInfo>;
}

/** The OpenAPI service. */
export interface OpenApiService {
  /** The OpenAPI 3.1.0 document of the current schema (a fresh object each call). */
  document(): SchemaObject;
  /** The `.ts` source declaring one record interface per collection, `Collections` and `CollectionName`. */
  typescript(): string;
}

/** Creates the OpenAPI service over the live schema. */
export function createOpenApiService(deps: OpenApiServiceDeps): OpenApiService {
  const info: DocumentInfo = { title: "Plinth API", version: "1.0.0", ...deps.info };
  return {
    document: () => buildOpenApiDocument(deps.schema.all(), info),
    typescript: () => buildTypeScript(deps.schema.all()),
  };
}
