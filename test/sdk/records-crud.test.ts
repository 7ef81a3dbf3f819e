import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import {
  assertErrorShape,
  authId,
  fieldCode,
  rejection,
  superuserClient,
  userClient,
} from "./sdk-fixture.ts";

let server: TestServer;
let su: PocketBase;
let alice: PocketBase;

/** PocketBase's datetime wire format: `2006-01-02 15:04:05.000Z`. */
const PB_DATE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}Z$/;

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  await su.collections.create({
    name: "posts",
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: '@request.auth.id != ""',
    updateRule: '@request.auth.id != ""',
    deleteRule: '@request.auth.id != ""',
    fields: [
      { name: "title", type: "text", required: true },
      { name: "views", type: "number" },
      { name: "published", type: "bool" },
      { name: "tags", type: "select", values: ["a", "b", "c", "x"], maxSelect: 4 },
      { name: "author", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
      { name: "meta", type: "json" },
      { name: "publishedAt", type: "date" },
      { name: "created", type: "autodate", onCreate: true },
      { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
    ],
  });
  alice = await userClient(server, "alice@example.com");
});

after(() => server?.close());

describe("SDK: record create", () => {
  test("returns the record with id, collectionId and collectionName", async () => {
    const rec = await alice.collection("posts").create({ title: "hello" });
    assert.match(rec.id, /^[a-z0-9]{15}$/);
    assert.equal(rec.collectionName, "posts");
    const posts = await su.collections.getOne("posts");
    assert.equal(rec.collectionId, posts.id);
  });

  test("returns the values as sent", async () => {
    const rec = await alice.collection("posts").create({
      title: "full",
      views: 3,
      published: true,
      tags: ["a", "b"],
      author: authId(alice),
      meta: { nested: [1, "two", null] },
      publishedAt: "2024-05-06 07:08:09.123Z",
    });
    assert.equal(rec["title"], "full");
    assert.equal(rec["views"], 3);
    assert.equal(rec["published"], true);
    assert.deepEqual(rec["tags"], ["a", "b"]);
    assert.equal(rec["author"], authId(alice));
    assert.deepEqual(rec["meta"], { nested: [1, "two", null] });
    assert.equal(rec["publishedAt"], "2024-05-06 07:08:09.123Z");
  });

  test("fills unset fields with PocketBase's zero values", async () => {
    const rec = await alice.collection("posts").create({ title: "zeros" });
    assert.equal(rec["views"], 0);
    assert.equal(rec["published"], false);
    assert.deepEqual(rec["tags"], []);
    assert.equal(rec["author"], "");
    assert.equal(rec["meta"], null);
    assert.equal(rec["publishedAt"], "");
  });

  test("sets created and updated in PocketBase's datetime format", async () => {
    const rec = await alice.collection("posts").create({ title: "dates" });
    assert.match(String(rec["created"]), PB_DATE);
    assert.match(String(rec["updated"]), PB_DATE);
  });

  test("accepts a client-chosen 15-character id", async () => {
    const rec = await alice.collection("posts").create({ id: "clientchosen001", title: "mine" });
    assert.equal(rec.id, "clientchosen001");
    const again = await alice.collection("posts").getOne("clientchosen001");
    assert.equal(again["title"], "mine");
  });

  test("rejects a client id of the wrong length", async () => {
    const err = await rejection(alice.collection("posts").create({ id: "short", title: "x" }), 400);
    assert.equal(fieldCode(err, "id"), "validation_min_text_constraint");
  });

  // PocketBase: the default id pattern skips the pk lookup; the unique-constraint error is normalized.
  test("rejects a client id that already exists with validation_not_unique", async () => {
    await alice.collection("posts").create({ id: "duplicateid0001", title: "first" });
    const err = await rejection(
      alice.collection("posts").create({ id: "duplicateid0001", title: "second" }),
      400,
    );
    assert.equal(fieldCode(err, "id"), "validation_not_unique");
  });

  test("a missing required field is validation_required", async () => {
    const err = await rejection(alice.collection("posts").create({ views: 1 }), 400);
    assertErrorShape(err);
    assert.equal(fieldCode(err, "title"), "validation_required");
  });

  test("a select value outside the list is validation_invalid_value", async () => {
    const err = await rejection(alice.collection("posts").create({ title: "t", tags: ["zzz"] }), 400);
    assert.equal(fieldCode(err, "tags"), "validation_invalid_value");
  });
});

describe("SDK: record getOne", () => {
  test("returns the same JSON as create", async () => {
    const created = await alice.collection("posts").create({ title: "same", views: 2, tags: ["c"] });
    const got = await alice.collection("posts").getOne(created.id);
    assert.deepEqual(got, created);
  });

  test("a missing id is a 404", async () => {
    const err = await rejection(alice.collection("posts").getOne("doesnotexist123"), 404);
    assertErrorShape(err);
  });
});

describe("SDK: record update", () => {
  test("changes only the sent fields", async () => {
    const rec = await alice.collection("posts").create({ title: "before", views: 5, tags: ["a"] });
    const updated = await alice.collection("posts").update(rec.id, { title: "after" });
    assert.equal(updated["title"], "after");
    assert.equal(updated["views"], 5);
    assert.deepEqual(updated["tags"], ["a"]);
    assert.equal(updated["created"], rec["created"]);
  });

  test('"views+": 1 increments the number', async () => {
    const rec = await alice.collection("posts").create({ title: "counter", views: 10 });
    const updated = await alice.collection("posts").update(rec.id, { "views+": 1 });
    assert.equal(updated["views"], 11);
  });

  test('"views-": 4 decrements the number', async () => {
    const rec = await alice.collection("posts").create({ title: "counter", views: 10 });
    const updated = await alice.collection("posts").update(rec.id, { "views-": 4 });
    assert.equal(updated["views"], 6);
  });

  test('"tags+": "x" appends to a multi select', async () => {
    const rec = await alice.collection("posts").create({ title: "tagged", tags: ["a"] });
    const updated = await alice.collection("posts").update(rec.id, { "tags+": "x" });
    assert.deepEqual(updated["tags"], ["a", "x"]);
  });

  test('"+tags": "b" prepends to a multi select', async () => {
    const rec = await alice.collection("posts").create({ title: "tagged", tags: ["a"] });
    const updated = await alice.collection("posts").update(rec.id, { "+tags": "b" });
    assert.deepEqual(updated["tags"], ["b", "a"]);
  });

  test('"tags-": ["a"] removes from a multi select', async () => {
    const rec = await alice.collection("posts").create({ title: "tagged", tags: ["a", "b", "c"] });
    const updated = await alice.collection("posts").update(rec.id, { "tags-": ["a"] });
    assert.deepEqual(updated["tags"], ["b", "c"]);
  });

  test("the modified value is persisted", async () => {
    const rec = await alice.collection("posts").create({ title: "persist", views: 1, tags: [] });
    await alice.collection("posts").update(rec.id, { "views+": 2, "tags+": ["a", "b"] });
    const got = await alice.collection("posts").getOne(rec.id);
    assert.equal(got["views"], 3);
    assert.deepEqual(got["tags"], ["a", "b"]);
  });

  test("the id cannot be changed", async () => {
    const rec = await alice.collection("posts").create({ title: "fixed" });
    const err = await rejection(alice.collection("posts").update(rec.id, { id: "anotheridvalue1" }), 400);
    assert.equal(fieldCode(err, "id"), "validation_pk_change");
  });

  test("updating a missing record is a 404", async () => {
    await rejection(alice.collection("posts").update("doesnotexist123", { title: "x" }), 404);
  });

  test("a guest is refused by the update rule", async () => {
    const rec = await alice.collection("posts").create({ title: "guarded" });
    alice.authStore.save("", null); // temporarily a guest
    try {
      await rejection(alice.collection("posts").update(rec.id, { title: "hacked" }), 404);
    } finally {
      await alice.collection("users").authWithPassword("alice@example.com", "password123");
    }
  });
});

describe("SDK: record delete", () => {
  test("returns true and the record is gone", async () => {
    const rec = await alice.collection("posts").create({ title: "doomed" });
    assert.equal(await alice.collection("posts").delete(rec.id), true);
    await rejection(alice.collection("posts").getOne(rec.id), 404);
  });

  test("deleting a missing record is a 404", async () => {
    const err = await rejection(alice.collection("posts").delete("doesnotexist123"), 404);
    assertErrorShape(err);
  });
});
