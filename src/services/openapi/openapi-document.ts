/** Assembles the OpenAPI 3.1 document of a schema. */
import type { Collection } from "../../core/collections/collection.ts";
import { collectionPaths } from "./collection-paths.ts";
import type { SchemaObject } from "./json-schema.ts";
import { collectionContexts } from "./collection-context.ts";
import { collectionComponents } from "./record-components.ts";
import {
  SECURITY_SCHEMES,
  SHARED_PARAMETERS,
  SHARED_RESPONSES,
  SHARED_SCHEMAS,
} from "./shared-components.ts";
import { SYSTEM_TAGS, systemPaths } from "./system-paths.ts";

/** The document's `info`. */
export interface DocumentInfo {
  readonly title: string;
  readonly version: string;
  readonly description?: string;
}

/** The OpenAPI 3.1.0 document for these collections; the same schema always gives the same document. */
export function buildOpenApiDocument(collections: readonly Collection[], info: DocumentInfo): SchemaObject {
  const contexts = collectionContexts(collections);
  const schemas: Record<string, SchemaObject> = { ...SHARED_SCHEMAS };
  const paths: Record<string, SchemaObject> = systemPaths();
  for (const ctx of contexts) {
    Object.assign(schemas, collectionComponents(ctx));
    Object.assign(paths, collectionPaths(ctx));
  }
  // cloned so a caller editing the document cannot reach the shared constants
  return structuredClone({
    openapi: "3.1.0",
    info: {
      title: info.title,
      version: info.version,
      description:
        info.description ??
        "The PocketBase-compatible REST API of this Plinth server, generated from its live collections. " +
          "Errors share one shape (`Error`). Send the auth token in the `Authorization` header.",
    },
    tags: [
      ...Object.values(SYSTEM_TAGS).map((name) => ({ name })),
      ...contexts.map((ctx) => ({
        name: ctx.collection.name,
        description: `Records of the ${ctx.collection.type} collection \`${ctx.collection.name}\`.`,
      })),
    ],
    paths,
    components: {
      schemas,
      parameters: SHARED_PARAMETERS,
      responses: SHARED_RESPONSES,
      securitySchemes: SECURITY_SCHEMES,
    },
  });
}
