/** The component schemas of one collection: its record, create/update bodies, list page and auth response. */
import type { Collection } from "../../core/collections/collection.ts";
import type { Field } from "../../core/collections/field.ts";
import { isMultiValue } from "../../core/collections/field.ts";
import type { CollectionContext } from "./collection-context.ts";
import {
  fieldNote,
  readShape,
  requiredOnCreate,
  responseFields,
  writableFields,
  writeShape,
} from "./field-shape.ts";
import { ref, type SchemaObject, shapeSchema, writeConstraints } from "./json-schema.ts";

type Body = "json" | "multipart";

const BINARY: SchemaObject = { type: "string", contentMediaType: "application/octet-stream" };

function describe(schema: SchemaObject, field: Field, ctx: CollectionContext): SchemaObject {
  const parts = [field.help, fieldNote(field, ctx.collectionNameById)].filter((p): p is string => !!p);
  return parts.length === 0 ? schema : { ...schema, description: parts.join(" ") };
}

function expandSchema(ctx: CollectionContext): SchemaObject {
  const properties: Record<string, SchemaObject> = {};
  for (const field of responseFields(ctx.collection)) {
    if (field.type !== "relation") continue;
    const target = ctx.typeNameById(field.collectionId);
    const one = target === undefined ? {} : ref(`${target}Record`);
    properties[field.name] = isMultiValue(field) ? { type: "array", items: one } : one;
  }
  return {
    type: "object",
    description:
      "Related records requested with `expand` (relation fields and back-relations such as `comments_via_post`).",
    properties,
    additionalProperties: {},
  };
}

/** `<Name>Record`: every visible field plus collectionId, collectionName and the optional expand. */
export function recordSchema(ctx: CollectionContext): SchemaObject {
  const { collection } = ctx;
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  for (const field of responseFields(collection)) {
    const shape = readShape(field);
    if (shape === null) continue;
    properties[field.name] = describe(shapeSchema(shape), field, ctx);
    // an auth record's email is left out unless emailVisibility is on or the requester owns/manages it
    if (!(collection.type === "auth" && field.name === "email")) required.push(field.name);
  }
  properties["collectionId"] = { type: "string", const: collection.id };
  properties["collectionName"] = { type: "string", const: collection.name };
  properties["expand"] = expandSchema(ctx);
  required.push("collectionId", "collectionName");
  return {
    type: "object",
    description: `A record of the \`${collection.name}\` ${collection.type} collection. The \`fields\` query parameter can trim it.`,
    properties,
    required,
  };
}

function fieldWriteSchema(field: Field, body: Body, ctx: CollectionContext): SchemaObject {
  if (field.type === "file") {
    if (body === "json")
      return describe({ ...shapeSchema(writeShape(field)), ...writeConstraints(field) }, field, ctx);
    return isMultiValue(field) ? { type: "array", items: BINARY, ...writeConstraints(field) } : BINARY;
  }
  const schema = { ...shapeSchema(writeShape(field)), ...writeConstraints(field) };
  if (field.type === "password") return { ...schema, format: "password", writeOnly: true };
  return describe(schema, field, ctx);
}

/** PocketBase's `field+` / `+field` / `field-` modifiers an update understands. */
function modifiers(field: Field, body: Body): Record<string, SchemaObject> {
  const item = (s: SchemaObject): SchemaObject => ({ anyOf: [s, { type: "array", items: s }] });
  switch (field.type) {
    case "number":
      return {
        [`${field.name}+`]: { type: "number", description: `Adds to \`${field.name}\`.` },
        [`${field.name}-`]: { type: "number", description: `Subtracts from \`${field.name}\`.` },
      };
    case "select":
    case "relation": {
      if (!isMultiValue(field)) return {};
      const shape = writeShape(field);
      const one = shape.kind === "array" ? shapeSchema(shape.items) : { type: "string" };
      return {
        [`${field.name}+`]: { ...item(one), description: `Appends to \`${field.name}\`.` },
        [`+${field.name}`]: { ...item(one), description: `Prepends to \`${field.name}\`.` },
        [`${field.name}-`]: { ...item(one), description: `Removes from \`${field.name}\`.` },
      };
    }
    case "file": {
      const out: Record<string, SchemaObject> = {
        [`${field.name}-`]: {
          ...item({ type: "string" }),
          description: `File names to delete from \`${field.name}\`.`,
        },
      };
      if (body === "multipart" && isMultiValue(field)) {
        out[`${field.name}+`] = {
          type: "array",
          items: BINARY,
          description: `Uploads appended to \`${field.name}\`.`,
        };
        out[`+${field.name}`] = {
          type: "array",
          items: BINARY,
          description: `Uploads prepended to \`${field.name}\`.`,
        };
      }
      return out;
    }
    default:
      return {};
  }
}

/** `<Name>Create` / `<Name>Update` (JSON) or their multipart variants (file fields as uploads). */
export function writeSchema(ctx: CollectionContext, op: "create" | "update", body: Body): SchemaObject {
  const { collection } = ctx;
  const properties: Record<string, SchemaObject> = {};
  const required: string[] = [];
  for (const field of writableFields(collection)) {
    if (op === "update" && field.type === "text" && field.primaryKey) continue;
    // a JSON create cannot upload, and there is nothing stored yet to keep
    if (op === "create" && body === "json" && field.type === "file") continue;
    properties[field.name] = fieldWriteSchema(field, body, ctx);
    if (op === "create" && requiredOnCreate(field)) required.push(field.name);
    if (op === "update") Object.assign(properties, modifiers(field, body));
  }
  if (collection.type === "auth") {
    properties["passwordConfirm"] = {
      type: "string",
      format: "password",
      writeOnly: true,
      description: "Must equal `password`.",
    };
    if (op === "create") required.push("passwordConfirm");
    else {
      properties["oldPassword"] = {
        type: "string",
        format: "password",
        writeOnly: true,
        description: "The current password; required when a non-superuser changes `password`.",
      };
    }
  }
  if (body === "multipart") {
    properties["@jsonPayload"] = {
      type: "string",
      contentMediaType: "application/json",
      description: "Extra body fields as JSON.",
    };
  }
  const verb = op === "create" ? "creates" : "updates";
  return {
    type: "object",
    description: `The body that ${verb} a \`${collection.name}\` record${body === "multipart" ? " with file uploads" : ""}.`,
    properties,
    ...(required.length > 0 ? { required } : {}),
  };
}

/** Whether the collection has a file field a body can upload to (so multipart bodies get their own schema). */
export function hasUploads(collection: Collection): boolean {
  return writableFields(collection).some((f) => f.type === "file");
}

/** `<Name>List`: one page of records. */
export function listSchema(ctx: CollectionContext): SchemaObject {
  return {
    type: "object",
    description: "One page of records. With `skipTotal`, totalItems and totalPages are -1.",
    properties: {
      page: { type: "integer", minimum: 1 },
      perPage: { type: "integer", minimum: 1 },
      totalItems: { type: "integer", minimum: -1 },
      totalPages: { type: "integer", minimum: -1 },
      items: { type: "array", items: ref(`${ctx.typeName}Record`) },
    },
    required: ["page", "perPage", "totalItems", "totalPages", "items"],
  };
}

/** `<Name>AuthResponse`: the token and the authenticated record. */
export function authResponseSchema(ctx: CollectionContext): SchemaObject {
  return {
    type: "object",
    properties: {
      token: { type: "string", description: "Send it back in the `Authorization` header." },
      record: ref(`${ctx.typeName}Record`),
      meta: { type: "object", additionalProperties: {} },
    },
    required: ["token", "record"],
  };
}

/** Every component schema of one collection, keyed by component name. */
export function collectionComponents(ctx: CollectionContext): Record<string, SchemaObject> {
  const n = ctx.typeName;
  const out: Record<string, SchemaObject> = {
    [`${n}Record`]: recordSchema(ctx),
    [`${n}List`]: listSchema(ctx),
  };
  if (ctx.collection.type === "view") return out;
  out[`${n}Create`] = writeSchema(ctx, "create", "json");
  out[`${n}Update`] = writeSchema(ctx, "update", "json");
  if (hasUploads(ctx.collection)) {
    out[`${n}CreateMultipart`] = writeSchema(ctx, "create", "multipart");
    out[`${n}UpdateMultipart`] = writeSchema(ctx, "update", "multipart");
  }
  if (ctx.collection.type === "auth") out[`${n}AuthResponse`] = authResponseSchema(ctx);
  return out;
}
