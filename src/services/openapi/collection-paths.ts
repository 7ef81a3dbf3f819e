/** The paths of one collection: record CRUD (read-only for views) and, for auth collections, the auth routes. */
import type { Rule } from "../../core/collections/collection.ts";
import { ref, type SchemaObject } from "./json-schema.ts";
import { jsonBody, jsonResponse, NO_CONTENT, operation, pathParameter } from "./operation.ts";
import type { CollectionContext } from "./collection-context.ts";
import { hasUploads } from "./record-components.ts";
import { OPTIONAL_AUTH, REQUIRED_AUTH } from "./shared-components.ts";

const SHAPE = ["expand", "fields"] as const;

/** Who may call an operation, without revealing the rule's expression (the document is public). */
function access(rule: Rule, what: string): string {
  if (rule === null) return `Superusers only (the ${what} rule is locked).`;
  if (rule === "") return `Anyone, guests included (the ${what} rule is empty).`;
  return `Allowed when the record matches the collection's ${what} rule; superusers always.`;
}

function security(rule: Rule): readonly object[] {
  return rule === null ? REQUIRED_AUTH : OPTIONAL_AUTH;
}

function writeBody(ctx: CollectionContext, op: "Create" | "Update"): SchemaObject {
  const json = ref(`${ctx.typeName}${op}`);
  const multipart = hasUploads(ctx.collection) ? ref(`${ctx.typeName}${op}Multipart`) : json;
  return {
    required: true,
    content: { "application/json": { schema: json }, "multipart/form-data": { schema: multipart } },
  };
}

function recordPaths(ctx: CollectionContext, base: string): Record<string, SchemaObject> {
  const { collection: c, typeName: n } = ctx;
  const tag = c.name;
  const record = jsonResponse(`A \`${c.name}\` record.`, `${n}Record`);
  const list: SchemaObject = {
    get: operation({
      operationId: `list${n}Records`,
      summary: `List ${c.name} records`,
      description: access(c.listRule, "list"),
      tag,
      security: security(c.listRule),
      query: ["page", "perPage", "sort", "filter", "expand", "fields", "skipTotal"],
      success: { "200": jsonResponse("One page of records.", `${n}List`) },
    }),
  };
  const one: SchemaObject = {
    parameters: [pathParameter("id", "The record id.")],
    get: operation({
      operationId: `view${n}Record`,
      summary: `View a ${c.name} record`,
      description: access(c.viewRule, "view"),
      tag,
      security: security(c.viewRule),
      query: SHAPE,
      success: { "200": record },
    }),
  };
  if (c.type !== "view") {
    list["post"] = operation({
      operationId: `create${n}Record`,
      summary: `Create a ${c.name} record`,
      description: `${access(c.createRule, "create")} Send files as multipart/form-data.`,
      tag,
      security: security(c.createRule),
      query: SHAPE,
      requestBody: writeBody(ctx, "Create"),
      success: { "200": record },
    });
    one["patch"] = operation({
      operationId: `update${n}Record`,
      summary: `Update a ${c.name} record`,
      description: `${access(c.updateRule, "update")} Only the fields sent change.`,
      tag,
      security: security(c.updateRule),
      query: SHAPE,
      requestBody: writeBody(ctx, "Update"),
      success: { "200": record },
    });
    one["delete"] = operation({
      operationId: `delete${n}Record`,
      summary: `Delete a ${c.name} record`,
      description: access(c.deleteRule, "delete"),
      tag,
      security: security(c.deleteRule),
      success: { "204": NO_CONTENT },
    });
  }
  return { [`${base}/records`]: list, [`${base}/records/{id}`]: one };
}

function authPaths(ctx: CollectionContext, base: string): Record<string, SchemaObject> {
  const { collection: c, typeName: n } = ctx;
  if (c.type !== "auth") return {};
  const tag = c.name;
  const authResponse = jsonResponse("The auth token and the authenticated record.", `${n}AuthResponse`);
  const identityFields = [...new Set(c.passwordAuth.identityFields)];
  return {
    [`${base}/auth-methods`]: {
      get: operation({
        operationId: `authMethods${n}`,
        summary: `Auth methods of ${c.name}`,
        description: "The sign-in methods the collection allows. Public.",
        tag,
        security: OPTIONAL_AUTH,
        success: { "200": jsonResponse("The enabled auth methods.", "AuthMethods") },
      }),
    },
    [`${base}/auth-with-password`]: {
      post: operation({
        operationId: `authWithPassword${n}`,
        summary: `Sign in to ${c.name} with a password`,
        description: `Identity fields: ${identityFields.join(", ") || "none"}. Returns a new auth token.`,
        tag,
        security: OPTIONAL_AUTH,
        requestBody: jsonBody({
          type: "object",
          properties: {
            identity: { type: "string", maxLength: 255, description: `The value of one identity field.` },
            password: { type: "string", format: "password", writeOnly: true },
            identityField: {
              type: "string",
              ...(identityFields.length > 0 ? { enum: identityFields } : {}),
              description: "Match only this identity field.",
            },
          },
          required: ["identity", "password"],
        }),
        success: { "200": authResponse },
      }),
    },
    [`${base}/auth-refresh`]: {
      post: operation({
        operationId: `authRefresh${n}`,
        summary: `Refresh a ${c.name} auth token`,
        description: "A new token for the record the current token belongs to.",
        tag,
        security: REQUIRED_AUTH,
        success: { "200": authResponse },
      }),
    },
  };
}

/** Every path of one collection, keyed by path. */
export function collectionPaths(ctx: CollectionContext): Record<string, SchemaObject> {
  const base = `/api/collections/${encodeURIComponent(ctx.collection.name)}`;
  return { ...recordPaths(ctx, base), ...authPaths(ctx, base) };
}
