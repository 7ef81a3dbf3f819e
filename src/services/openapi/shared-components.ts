/** Components every document has: errors, query parameters, error responses, security and the system API's bodies. */
import { FIELD_TYPES } from "../../core/collections/field.ts";
import { DEFAULT_PER_PAGE, MAX_PER_PAGE } from "../records/index.ts";
import { ref, type SchemaObject } from "./json-schema.ts";

const NULLABLE_STRING: SchemaObject = { type: ["string", "null"] };
const RULE: SchemaObject = {
  ...NULLABLE_STRING,
  description: 'null: superusers only; "": anyone; otherwise a filter the record must match.',
};

const COLLECTION_PROPERTIES: Record<string, SchemaObject> = {
  id: { type: "string" },
  name: { type: "string", pattern: "^\\w+$" },
  type: { type: "string", enum: ["base", "auth", "view"] },
  system: { type: "boolean" },
  fields: { type: "array", items: ref("CollectionField") },
  indexes: { type: "array", items: { type: "string" } },
  listRule: RULE,
  viewRule: RULE,
  createRule: RULE,
  updateRule: RULE,
  deleteRule: RULE,
  viewQuery: { type: "string", description: "View collections: the SELECT that defines them." },
  created: { type: "string" },
  updated: { type: "string" },
};

/** Shared component schemas (none ends with a per-collection suffix, see COMPONENT_SUFFIXES). */
export const SHARED_SCHEMAS: Record<string, SchemaObject> = {
  Error: {
    type: "object",
    description: "Every error response. `data` holds per-field errors for validation failures, else {}.",
    properties: {
      status: { type: "integer" },
      message: { type: "string" },
      data: { type: "object", additionalProperties: { anyOf: [ref("FieldError"), { type: "object" }] } },
    },
    required: ["status", "message", "data"],
    examples: [
      {
        status: 400,
        message: "Failed to create record.",
        data: { title: { code: "validation_required", message: "Cannot be blank." } },
      },
    ],
  },
  FieldError: {
    type: "object",
    properties: { code: { type: "string", examples: ["validation_required"] }, message: { type: "string" } },
    required: ["code", "message"],
  },
  CollectionField: {
    type: "object",
    description: "A field definition; each type adds its own options.",
    properties: {
      id: { type: "string" },
      name: { type: "string" },
      type: { type: "string", enum: [...FIELD_TYPES] },
      system: { type: "boolean" },
      hidden: { type: "boolean" },
      presentable: { type: "boolean" },
    },
    required: ["name", "type"],
    additionalProperties: {},
  },
  Collection: {
    type: "object",
    description:
      "A collection definition. Auth collections add their auth options (passwordAuth, oauth2, mfa, otp, tokens, templates).",
    properties: COLLECTION_PROPERTIES,
    required: [
      "id",
      "name",
      "type",
      "system",
      "fields",
      "indexes",
      "listRule",
      "viewRule",
      "createRule",
      "updateRule",
      "deleteRule",
    ],
    additionalProperties: {},
  },
  CollectionInput: {
    type: "object",
    description:
      "A collection to create or the changes to one; omitted properties keep their value or default.",
    properties: COLLECTION_PROPERTIES,
    additionalProperties: {},
  },
  CollectionPage: {
    type: "object",
    properties: {
      page: { type: "integer" },
      perPage: { type: "integer" },
      totalItems: { type: "integer" },
      totalPages: { type: "integer" },
      items: { type: "array", items: ref("Collection") },
    },
    required: ["page", "perPage", "totalItems", "totalPages", "items"],
  },
  CollectionsImport: {
    type: "object",
    properties: {
      collections: { type: "array", items: ref("CollectionInput") },
      deleteMissing: {
        type: "boolean",
        description: "Also delete collections (and their records) not in the list.",
      },
    },
    required: ["collections"],
  },
  Settings: {
    type: "object",
    description: "Application settings; secrets are never returned.",
    properties: Object.fromEntries(
      ["meta", "logs", "smtp", "s3", "backups", "batch", "rateLimits", "trustedProxy"].map((k) => [
        k,
        { type: "object" },
      ]),
    ),
    additionalProperties: {},
  },
  BatchRequest: {
    type: "object",
    properties: {
      requests: {
        type: "array",
        items: {
          type: "object",
          properties: {
            method: { type: "string", enum: ["GET", "POST", "PUT", "PATCH", "DELETE"] },
            url: { type: "string", examples: ["/api/collections/posts/records"] },
            headers: { type: "object", additionalProperties: { type: "string" } },
            body: { type: "object", additionalProperties: {} },
          },
          required: ["method", "url"],
        },
      },
    },
    required: ["requests"],
  },
  BatchResponse: {
    type: "array",
    items: {
      type: "object",
      properties: { status: { type: "integer" }, body: {} },
      required: ["status", "body"],
    },
  },
  HealthResponse: {
    type: "object",
    properties: { code: { type: "integer" }, message: { type: "string" }, data: { type: "object" } },
    required: ["code", "message", "data"],
  },
  AuthMethods: {
    type: "object",
    properties: {
      password: {
        type: "object",
        properties: {
          enabled: { type: "boolean" },
          identityFields: { type: "array", items: { type: "string" } },
        },
        required: ["enabled", "identityFields"],
      },
      oauth2: {
        type: "object",
        properties: { enabled: { type: "boolean" }, providers: { type: "array", items: { type: "object" } } },
        required: ["enabled", "providers"],
      },
      mfa: {
        type: "object",
        properties: { enabled: { type: "boolean" }, duration: { type: "integer" } },
        required: ["enabled", "duration"],
      },
      otp: {
        type: "object",
        properties: { enabled: { type: "boolean" }, duration: { type: "integer" } },
        required: ["enabled", "duration"],
      },
    },
    required: ["password", "oauth2", "mfa", "otp"],
  },
};

const query = (name: string, schema: SchemaObject, description: string): SchemaObject => ({
  name,
  in: "query",
  required: false,
  description,
  schema,
});

/** Shared parameters, referenced as `#/components/parameters/<name>`. */
export const SHARED_PARAMETERS: Record<string, SchemaObject> = {
  page: query("page", { type: "integer", minimum: 1, default: 1 }, "The page (1-based)."),
  perPage: query(
    "perPage",
    { type: "integer", minimum: 1, maximum: MAX_PER_PAGE, default: DEFAULT_PER_PAGE },
    `Records per page (at most ${MAX_PER_PAGE}; larger values are clamped).`,
  ),
  sort: query(
    "sort",
    { type: "string" },
    "Comma-separated fields, `-` for descending, `@random`: `-created,title`.",
  ),
  filter: query(
    "filter",
    { type: "string" },
    'A filter expression: `title ~ "abc" && created > "2024-01-01"`.',
  ),
  expand: query(
    "expand",
    { type: "string" },
    "Relations to expand, comma-separated, dotted for nesting: `author,comments_via_post.user`.",
  ),
  fields: query(
    "fields",
    { type: "string" },
    "Only these fields in the response, comma-separated: `id,title,expand.author.name`.",
  ),
  skipTotal: query(
    "skipTotal",
    { type: "boolean" },
    "Skip counting (faster); totalItems and totalPages are then -1.",
  ),
};

/** Shared error responses, referenced as `#/components/responses/<name>`. */
export const SHARED_RESPONSES: Record<string, SchemaObject> = Object.fromEntries(
  (
    [
      ["BadRequest", "Invalid input or failed validation."],
      ["Unauthorized", "A valid auth token is required."],
      ["Forbidden", "The auth token is not allowed to do this."],
      ["NotFound", "The collection or record was not found (or is hidden by the rules)."],
    ] as const
  ).map(([name, description]) => [
    name,
    { description, content: { "application/json": { schema: ref("Error") } } },
  ]),
);

/** The error responses every operation lists. */
export const ERROR_RESPONSES: Record<string, SchemaObject> = {
  "400": { $ref: "#/components/responses/BadRequest" },
  "401": { $ref: "#/components/responses/Unauthorized" },
  "403": { $ref: "#/components/responses/Forbidden" },
  "404": { $ref: "#/components/responses/NotFound" },
};

/** The one security scheme: a PocketBase auth token. */
export const SECURITY_SCHEMES: Record<string, SchemaObject> = {
  bearer: {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description:
      "A PocketBase auth token from an auth-with-password or auth-refresh response, in the `Authorization` header. " +
      "The `Bearer ` prefix is optional: the official SDK sends the raw token (`Authorization: eyJ...`).",
  },
};

/** `security` for operations guests may call too (the collection's rules decide). */
export const OPTIONAL_AUTH = [{}, { bearer: [] }];
/** `security` for operations that need a token (superusers only, or the token is the input). */
export const REQUIRED_AUTH = [{ bearer: [] }];
