/** The paths that do not depend on the schema: collections management, settings, batch, health, this document. */
import { jsonBody, jsonResponse, NO_CONTENT, operation, pathParameter } from "./operation.ts";
import { OPTIONAL_AUTH, REQUIRED_AUTH } from "./shared-components.ts";
import type { SchemaObject } from "./json-schema.ts";

/** Tag names of the system paths; collection tags are collection names, which cannot contain a space. */
export const SYSTEM_TAGS = {
  collections: "Collections API",
  settings: "Settings API",
  batch: "Batch API",
  health: "Health API",
  openapi: "OpenAPI document",
} as const;

const SUPERUSERS = "Superusers only.";

/** Every schema-independent path, keyed by path. */
export function systemPaths(): Record<string, SchemaObject> {
  const tag = SYSTEM_TAGS.collections;
  const collection = jsonResponse("A collection definition.", "Collection");
  const collectionParam = pathParameter("collection", "The collection's name or id.");
  return {
    "/api/collections": {
      get: operation({
        operationId: "listCollections",
        summary: "List collections",
        description: SUPERUSERS,
        tag,
        security: REQUIRED_AUTH,
        query: ["page", "perPage", "sort", "filter"],
        success: { "200": jsonResponse("One page of collections.", "CollectionPage") },
      }),
      post: operation({
        operationId: "createCollection",
        summary: "Create a collection",
        description: SUPERUSERS,
        tag,
        security: REQUIRED_AUTH,
        requestBody: jsonBody("CollectionInput"),
        success: { "200": collection },
      }),
    },
    "/api/collections/import": {
      put: operation({
        operationId: "importCollections",
        summary: "Import collections",
        description: `${SUPERUSERS} Creates or replaces every listed collection in one transaction.`,
        tag,
        security: REQUIRED_AUTH,
        requestBody: jsonBody("CollectionsImport"),
        success: { "204": NO_CONTENT },
      }),
    },
    "/api/collections/{collection}": {
      parameters: [collectionParam],
      get: operation({
        operationId: "viewCollection",
        summary: "View a collection",
        description: SUPERUSERS,
        tag,
        security: REQUIRED_AUTH,
        success: { "200": collection },
      }),
      patch: operation({
        operationId: "updateCollection",
        summary: "Update a collection",
        description: `${SUPERUSERS} Changing fields migrates the table in one transaction.`,
        tag,
        security: REQUIRED_AUTH,
        requestBody: jsonBody("CollectionInput"),
        success: { "200": collection },
      }),
      delete: operation({
        operationId: "deleteCollection",
        summary: "Delete a collection",
        description: `${SUPERUSERS} Deletes its records too.`,
        tag,
        security: REQUIRED_AUTH,
        success: { "204": NO_CONTENT },
      }),
    },
    "/api/collections/{collection}/truncate": {
      parameters: [collectionParam],
      delete: operation({
        operationId: "truncateCollection",
        summary: "Delete every record of a collection",
        description: SUPERUSERS,
        tag,
        security: REQUIRED_AUTH,
        success: { "204": NO_CONTENT },
      }),
    },
    "/api/settings": {
      get: operation({
        operationId: "getSettings",
        summary: "View settings",
        description: SUPERUSERS,
        tag: SYSTEM_TAGS.settings,
        security: REQUIRED_AUTH,
        success: { "200": jsonResponse("The settings.", "Settings") },
      }),
      patch: operation({
        operationId: "updateSettings",
        summary: "Update settings",
        description: `${SUPERUSERS} Only the sections sent change.`,
        tag: SYSTEM_TAGS.settings,
        security: REQUIRED_AUTH,
        requestBody: jsonBody("Settings"),
        success: { "200": jsonResponse("The settings after the change.", "Settings") },
      }),
    },
    "/api/batch": {
      post: operation({
        operationId: "batch",
        summary: "Run several record writes in one transaction",
        description:
          "Each request is a create, update, upsert (PUT) or delete of a record, checked against the caller's rules; " +
          "all of them commit or none does. Must be enabled in the settings.",
        tag: SYSTEM_TAGS.batch,
        security: OPTIONAL_AUTH,
        requestBody: jsonBody("BatchRequest"),
        success: { "200": jsonResponse("Each request's status and body, in order.", "BatchResponse") },
      }),
    },
    "/api/health": {
      get: operation({
        operationId: "health",
        summary: "Health check",
        description: "200 when the server can reach its database.",
        tag: SYSTEM_TAGS.health,
        security: OPTIONAL_AUTH,
        success: { "200": jsonResponse("The server is healthy.", "HealthResponse") },
      }),
      head: operation({
        operationId: "healthHead",
        summary: "Health check (no body)",
        tag: SYSTEM_TAGS.health,
        security: OPTIONAL_AUTH,
        success: { "200": { description: "The server is healthy." } },
      }),
    },
    "/api/openapi.json": {
      get: operation({
        operationId: "openapiDocument",
        summary: "This OpenAPI document",
        description: "Generated from the live collections on every request.",
        tag: SYSTEM_TAGS.openapi,
        security: OPTIONAL_AUTH,
        success: { "200": jsonResponse("An OpenAPI 3.1 document.", { type: "object" }) },
      }),
    },
  };
}
