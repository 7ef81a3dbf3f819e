import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import type { CollectionModel } from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { assertErrorShape, fieldCode, rejection, superuserClient } from "./sdk-fixture.ts";

let server: TestServer;
let pb: PocketBase;
let authors: CollectionModel;
let articles: CollectionModel;

/** Fields with explicit ids, so the round trip can be compared field by field. */
const articleFields = (authorsId: string) => [
  { id: "text_title01", name: "title", type: "text", required: true, min: 1, max: 120, pattern: "" },
  { id: "number_views1", name: "views", type: "number", min: 0, max: 1000000, onlyInt: true },
  { id: "bool_featured", name: "featured", type: "bool" },
  { id: "select_tags01", name: "tags", type: "select", values: ["news", "tech", "life"], maxSelect: 3 },
  {
    id: "relation_auth",
    name: "author",
    type: "relation",
    collectionId: authorsId,
    maxSelect: 1,
    cascadeDelete: false,
  },
  { id: "json_meta0001", name: "meta", type: "json", maxSize: 2000 },
  { id: "date_publish1", name: "publishedAt", type: "date" },
  { id: "email_contact", name: "contact", type: "email", onlyDomains: ["example.com"] },
  { id: "url_homepage1", name: "homepage", type: "url", exceptDomains: ["bad.example"] },
  { id: "autodate_crea", name: "created", type: "autodate", onCreate: true, onUpdate: false },
  { id: "autodate_upda", name: "updated", type: "autodate", onCreate: true, onUpdate: true },
];

/** The returned field with this name (fails when missing). */
function field(c: CollectionModel, name: string): Record<string, unknown> {
  const f = c.fields.find((x) => x.name === name);
  assert.ok(f, `field ${name} missing from ${JSON.stringify(c.fields.map((x) => x.name))}`);
  return f as Record<string, unknown>;
}

before(async () => {
  server = await startTestServer();
  pb = await superuserClient(server);
  authors = await pb.collections.create({
    name: "authors",
    type: "base",
    fields: [{ name: "name", type: "text" }],
  });
  articles = await pb.collections.create({
    name: "articles",
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: null,
    updateRule: null,
    deleteRule: null,
    fields: articleFields(authors.id),
    indexes: ["CREATE INDEX idx_articles_views ON articles (views)"],
  });
});

after(() => server?.close());

describe("SDK: collections.create", () => {
  test("returns the collection with an id, name and type", () => {
    assert.equal(typeof articles.id, "string");
    assert.ok(articles.id.length > 0);
    assert.equal(articles.name, "articles");
    assert.equal(articles.type, "base");
    assert.equal(articles.system, false);
  });

  test("returns the rules as sent (empty string public, null superuser-only)", () => {
    assert.equal(articles.listRule, "");
    assert.equal(articles.viewRule, "");
    assert.equal(articles.createRule, null);
    assert.equal(articles.updateRule, null);
    assert.equal(articles.deleteRule, null);
  });

  test("prepends the system id field", () => {
    const id = articles.fields[0] as Record<string, unknown>;
    assert.equal(id["name"], "id");
    assert.equal(id["type"], "text");
    assert.equal(id["primaryKey"], true);
    assert.equal(id["system"], true);
    assert.equal(id["min"], 15);
    assert.equal(id["max"], 15);
  });

  test("keeps the field order and the client-chosen field ids", () => {
    const sent = articleFields(authors.id);
    const got = articles.fields.filter((f) => f.name !== "id");
    assert.deepEqual(
      got.map((f) => [f.id, f.name, f.type]),
      sent.map((f) => [f.id, f.name, f.type]),
    );
  });

  test("returns every field option as sent", () => {
    for (const sent of articleFields(authors.id)) {
      const got = field(articles, sent.name);
      for (const [key, value] of Object.entries(sent)) {
        assert.deepEqual(got[key], value, `${sent.name}.${key}`);
      }
    }
  });

  test("fills unspecified field options with their defaults", () => {
    const title = field(articles, "title");
    assert.equal(title["hidden"], false);
    assert.equal(title["presentable"], false);
    assert.equal(title["system"], false);
    const featured = field(articles, "featured");
    assert.equal(featured["required"], false);
  });

  test("generates a field id when none is sent", () => {
    const name = field(authors, "name");
    assert.equal(typeof name["id"], "string");
    assert.ok(String(name["id"]).length > 0);
  });

  test("returns the indexes as sent", () => {
    assert.deepEqual(articles.indexes, ["CREATE INDEX idx_articles_views ON articles (views)"]);
  });

  test("getOne by name returns the same JSON as create", async () => {
    const got = await pb.collections.getOne("articles");
    assert.deepEqual(got, articles);
  });

  test("getOne by id returns the same collection", async () => {
    const got = await pb.collections.getOne(articles.id);
    assert.equal(got.name, "articles");
  });

  test("getFullList includes the system and the new collections", async () => {
    const all = await pb.collections.getFullList();
    const names = all.map((c) => c.name);
    for (const name of ["users", "_superusers", "authors", "articles"]) assert.ok(names.includes(name), name);
  });

  test("getFullList with a filter narrows the list", async () => {
    const all = await pb.collections.getFullList({ filter: 'name = "articles"' });
    assert.deepEqual(
      all.map((c) => c.name),
      ["articles"],
    );
  });

  test("a duplicate name is a 400 with validation_collection_name_exists on name", async () => {
    const err = await rejection(pb.collections.create({ name: "articles", type: "base", fields: [] }), 400);
    assertErrorShape(err);
    assert.equal(fieldCode(err, "name"), "validation_collection_name_exists");
  });

  test("an unknown collection is a 404", async () => {
    const err = await rejection(pb.collections.getOne("no_such_collection"), 404);
    assertErrorShape(err);
  });

  test("a relation to a missing collection is rejected with 400", async () => {
    const err = await rejection(
      pb.collections.create({
        name: "broken",
        type: "base",
        fields: [{ name: "r", type: "relation", collectionId: "missing_collection" }],
      }),
      400,
    );
    assertErrorShape(err);
    assert.ok("fields" in (err.response["data"] as object), JSON.stringify(err.response));
  });

  test("an auth collection gets the auth system fields", async () => {
    const members = await pb.collections.create({
      name: "members",
      type: "auth",
      fields: [{ name: "nickname", type: "text" }],
    });
    const names = members.fields.map((f) => f.name);
    for (const name of ["id", "password", "tokenKey", "email", "emailVisibility", "verified", "nickname"]) {
      assert.ok(names.includes(name), `${name} in ${JSON.stringify(names)}`);
    }
    assert.equal(members.type, "auth");
  });
});
