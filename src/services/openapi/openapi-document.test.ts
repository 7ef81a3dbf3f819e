import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import type { SchemaObject } from "./json-schema.ts";
import { COMPONENT_SUFFIXES } from "./names.ts";
import { buildOpenApiDocument } from "./openapi-document.ts";
import { byName, fullSchema, makeCollection } from "./openapi-fixtures.test-helper.ts";
import { SHARED_SCHEMAS } from "./shared-components.ts";

const INFO = { title: "Test", version: "1" };
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// any: the tests walk a JSON document of no fixed type
type Json = any;

const schema = fullSchema();
const doc: Json = buildOpenApiDocument(schema, INFO);

function operations(d: Json): { path: string; method: string; op: Json }[] {
  return Object.entries(d.paths as Record<string, Json>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((method) => ({ path, method, op: item[method] })),
  );
}

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refs(v, out);
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

function resolve(d: Json, pointer: string): unknown {
  assert.ok(pointer.startsWith("#/"), pointer);
  return pointer
    .slice(2)
    .split("/")
    .reduce(
      (node: Json, key) =>
        node === undefined ? undefined : node[key.replace(/~1/g, "/").replace(/~0/g, "~")],
      d,
    );
}

describe("buildOpenApiDocument", () => {
  it("is a valid OpenAPI 3.1 document for every field type and collection type", async () => {
    const result = await new Validator().validate(doc as SchemaObject);
    assert.deepEqual(result.errors, undefined);
    assert.equal(result.valid, true);
    assert.equal(doc.openapi, "3.1.0");
    assert.equal(doc.servers, undefined);
  });

  it("resolves every $ref inside the document", () => {
    for (const r of refs(doc)) assert.notEqual(resolve(doc, r), undefined, `dangling ${r}`);
  });

  it("gives every operation a unique operationId", () => {
    const ids = operations(doc).map((o) => o.op.operationId);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.every((id) => typeof id === "string" && /^[A-Za-z][A-Za-z0-9_]*$/.test(id)));
  });

  it("lists 400, 401, 403 and 404 Error responses on every operation", () => {
    for (const { path, method, op } of operations(doc)) {
      for (const status of ["400", "401", "403", "404"]) {
        const response: Json = resolve(doc, op.responses[status].$ref);
        assert.deepEqual(
          response.content["application/json"].schema,
          { $ref: "#/components/schemas/Error" },
          `${method} ${path} ${status}`,
        );
      }
    }
  });

  it("shapes Error as PocketBase does", () => {
    assert.deepEqual(doc.components.schemas.Error.required, ["status", "message", "data"]);
  });

  it("documents CRUD for base and auth collections and only reads for views", () => {
    const ops = (path: string) => METHODS.filter((m) => doc.paths[path]?.[m] !== undefined);
    assert.deepEqual(ops("/api/collections/posts/records"), ["get", "post"]);
    assert.deepEqual(ops("/api/collections/posts/records/{id}"), ["get", "delete", "patch"]);
    assert.deepEqual(ops("/api/collections/members/records/{id}"), ["get", "delete", "patch"]);
    assert.deepEqual(ops("/api/collections/post_titles/records"), ["get"]);
    assert.deepEqual(ops("/api/collections/post_titles/records/{id}"), ["get"]);
    assert.equal(doc.components.schemas.PostTitlesCreate, undefined);
  });

  it("documents the auth routes of auth collections only", () => {
    for (const route of ["auth-methods", "auth-with-password", "auth-refresh"]) {
      assert.ok(doc.paths[`/api/collections/members/${route}`], route);
      assert.ok(doc.paths[`/api/collections/_superusers/${route}`], route);
      assert.equal(doc.paths[`/api/collections/posts/${route}`], undefined);
    }
    const body =
      doc.paths["/api/collections/members/auth-with-password"].post.requestBody.content["application/json"]
        .schema;
    assert.deepEqual(body.required, ["identity", "password"]);
  });

  it("documents every system route", () => {
    const expected = [
      "get /api/collections",
      "post /api/collections",
      "put /api/collections/import",
      "get /api/collections/{collection}",
      "patch /api/collections/{collection}",
      "delete /api/collections/{collection}",
      "delete /api/collections/{collection}/truncate",
      "get /api/settings",
      "patch /api/settings",
      "post /api/batch",
      "get /api/health",
      "head /api/health",
      "get /api/openapi.json",
    ];
    const present = new Set(operations(doc).map((o) => `${o.method} ${o.path}`));
    for (const e of expected) assert.ok(present.has(e), e);
  });

  it("offers the list parameters with perPage capped at 1000", () => {
    const list = doc.paths["/api/collections/posts/records"].get;
    const names = list.parameters.map((p: Json) => (resolve(doc, p.$ref) as Json).name);
    assert.deepEqual(names, ["page", "perPage", "sort", "filter", "expand", "fields", "skipTotal"]);
    assert.equal(doc.components.parameters.perPage.schema.maximum, 1000);
  });

  it("describes a record with its visible fields, collectionId, collectionName and expand", () => {
    const record = doc.components.schemas.PostsRecord;
    const posts = byName(schema, "posts");
    assert.deepEqual(record.properties.collectionId, { type: "string", const: posts.id });
    assert.deepEqual(record.properties.collectionName, { type: "string", const: "posts" });
    assert.deepEqual(record.properties.expand.properties.author, {
      $ref: "#/components/schemas/MembersRecord",
    });
    assert.deepEqual(record.properties.expand.properties.reviewers.items, {
      $ref: "#/components/schemas/MembersRecord",
    });
    assert.equal(record.properties.internal, undefined);
    assert.equal(record.properties.pin, undefined);
    assert.ok(record.required.includes("collectionId") && !record.required.includes("expand"));
    assert.deepEqual(record.properties.status.enum, ["draft", "published", ""]);
    assert.deepEqual(record.properties.location.required, ["lon", "lat"]);
    assert.deepEqual(record.properties.meta, {});
    assert.equal(record.properties.views.type, "integer");
  });

  it("keeps password and tokenKey out of auth records and leaves email optional", () => {
    const record = doc.components.schemas.MembersRecord;
    assert.equal(record.properties.password, undefined);
    assert.equal(record.properties.tokenKey, undefined);
    assert.equal(record.properties.secretNote, undefined);
    assert.ok(record.properties.email && !record.required.includes("email"));
  });

  it("asks auth create bodies for password and passwordConfirm", () => {
    const create = doc.components.schemas.MembersCreate;
    assert.ok(create.required.includes("password") && create.required.includes("passwordConfirm"));
    assert.equal(create.properties.password.writeOnly, true);
    assert.ok(doc.components.schemas.MembersUpdate.properties.oldPassword);
    assert.equal(doc.components.schemas.MembersUpdate.required, undefined);
  });

  it("takes uploads as multipart and modifiers on update", () => {
    const body = doc.paths["/api/collections/posts/records"].post.requestBody.content;
    assert.deepEqual(body["multipart/form-data"].schema, {
      $ref: "#/components/schemas/PostsCreateMultipart",
    });
    const multipart = doc.components.schemas.PostsCreateMultipart;
    assert.equal(multipart.properties.cover.contentMediaType, "application/octet-stream");
    assert.equal(multipart.properties.gallery.items.contentMediaType, "application/octet-stream");
    assert.equal(doc.components.schemas.PostsCreate.properties.cover, undefined);
    const update = doc.components.schemas.PostsUpdate;
    assert.ok(update.properties["views+"] && update.properties["tags-"] && update.properties["+reviewers"]);
    assert.equal(update.properties.id, undefined);
  });

  it("documents the raw-token bearer scheme and marks locked rules as needing it", () => {
    assert.equal(doc.components.securitySchemes.bearer.scheme, "bearer");
    assert.match(doc.components.securitySchemes.bearer.description, /prefix is optional/);
    assert.deepEqual(doc.paths["/api/collections/posts/records/{id}"].delete.security, [{ bearer: [] }]);
    assert.deepEqual(doc.paths["/api/collections/posts/records"].get.security, [{}, { bearer: [] }]);
  });

  it("never reveals rule expressions", () => {
    assert.ok(!JSON.stringify(doc).includes("@request.auth.id != ''"));
  });

  it("is the same for the same schema, whatever the collections' order", () => {
    const again = buildOpenApiDocument([...schema].reverse(), INFO);
    assert.equal(JSON.stringify(again), JSON.stringify(doc));
  });

  it("reflects schema changes in the next document", () => {
    const extra = makeCollection({ name: "notes", fields: [{ name: "text", type: "text" }] }, schema);
    const next: Json = buildOpenApiDocument([...schema, extra], INFO);
    assert.ok(next.paths["/api/collections/notes/records"]);
    assert.ok(next.components.schemas.NotesRecord.properties.text);
  });

  it("keeps shared component names clear of per-collection suffixes", () => {
    for (const name of Object.keys(SHARED_SCHEMAS)) {
      assert.ok(!COMPONENT_SUFFIXES.some((s) => name.endsWith(s)), name);
    }
  });

  it("does not share objects between documents", () => {
    const a: Json = buildOpenApiDocument(schema, INFO);
    a.components.schemas.Error.required.push("x");
    const b: Json = buildOpenApiDocument(schema, INFO);
    assert.deepEqual(b.components.schemas.Error.required, ["status", "message", "data"]);
  });
});
