import assert from "node:assert/strict";
import { describe, it } from "node:test";
import Fastify from "fastify";
import type { Collection } from "../../core/collections/collection.ts";
import { createOpenApiService } from "../../services/openapi/index.ts";
import { fullSchema, makeCollection } from "../../services/openapi/openapi-fixtures.test-helper.ts";
import { registerOpenApiRoutes } from "./openapi-routes.ts";

async function serve(collections: Collection[]) {
  const app = Fastify();
  registerOpenApiRoutes(app, createOpenApiService({ schema: { all: () => collections } }));
  await app.ready();
  return app;
}

describe("GET /api/openapi.json", () => {
  it("serves the OpenAPI document to guests, uncached", async () => {
    const app = await serve(fullSchema());
    const res = await app.inject({ method: "GET", url: "/api/openapi.json" });
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    assert.equal(res.headers["cache-control"], "no-store");
    const doc = res.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.paths["/api/collections/posts/records"]);
    await app.close();
  });

  it("shows a schema change on the next request", async () => {
    const collections = fullSchema();
    const app = await serve(collections);
    const before = (await app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    assert.equal(before.paths["/api/collections/notes/records"], undefined);
    collections.push(
      makeCollection({ name: "notes", fields: [{ name: "text", type: "text" }] }, collections),
    );
    const after = (await app.inject({ method: "GET", url: "/api/openapi.json" })).json();
    assert.ok(after.paths["/api/collections/notes/records"]);
    await app.close();
  });
});
