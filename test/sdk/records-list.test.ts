import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import type { RecordModel } from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { assertErrorShape, authId, rejection, superuserClient, userClient } from "./sdk-fixture.ts";

let server: TestServer;
let su: PocketBase;
let alice: PocketBase;
const posts: Record<string, RecordModel> = {};
let comment: RecordModel;

const BULK = 120;

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  alice = await userClient(server, "alice@example.com");
  const postsCollection = await su.collections.create({
    name: "posts",
    type: "base",
    listRule: "",
    viewRule: "",
    fields: [
      { name: "title", type: "text" },
      { name: "views", type: "number" },
      { name: "author", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
      { name: "created", type: "autodate", onCreate: true },
    ],
  });
  await su.collections.create({
    name: "comments",
    type: "base",
    listRule: "",
    viewRule: "",
    fields: [
      { name: "text", type: "text" },
      { name: "post", type: "relation", collectionId: postsCollection.id, maxSelect: 1 },
    ],
  });
  await su.collections.create({
    name: "items",
    type: "base",
    listRule: "",
    viewRule: "",
    fields: [{ name: "n", type: "number" }],
  });

  const rows: Array<[string, number]> = [
    ["first", 1],
    ["second", 5],
    ["third", 9],
    ['it"s', 5],
    ["it's", 7],
  ];
  for (const [title, views] of rows) {
    posts[title] = await su.collection("posts").create({ title, views, author: authId(alice) });
  }
  comment = await su.collection("comments").create({ text: "nice", post: posts["first"]?.id });
  await su.collection("comments").create({ text: "great", post: posts["first"]?.id });
  for (let n = 0; n < BULK; n++) await su.collection("items").create({ n });
});

after(() => server?.close());

/** A post fixture by title (fails when missing). */
function post(title: string): RecordModel {
  const p = posts[title];
  assert.ok(p, title);
  return p;
}

describe("SDK: getList", () => {
  test("returns the PocketBase list envelope", async () => {
    const list = await su.collection("posts").getList(1, 2, { sort: "views" });
    assert.equal(list.page, 1);
    assert.equal(list.perPage, 2);
    assert.equal(list.totalItems, 5);
    assert.equal(list.totalPages, 3);
    assert.equal(list.items.length, 2);
  });

  test("sorts by the sort option, - for descending", async () => {
    const list = await su.collection("posts").getList(1, 10, { sort: "-views,title" });
    assert.deepEqual(
      list.items.map((r) => r["title"]),
      ["third", "it's", 'it"s', "second", "first"],
    );
  });

  test("returns the requested page", async () => {
    const list = await su.collection("posts").getList(2, 2, { sort: "views,title" });
    assert.equal(list.page, 2);
    assert.deepEqual(
      list.items.map((r) => r["title"]),
      ["second", "it's"],
    );
  });

  test("filters with the filter option", async () => {
    const list = await su.collection("posts").getList(1, 10, { filter: "views >= 7", sort: "views" });
    assert.equal(list.totalItems, 2);
    assert.deepEqual(
      list.items.map((r) => r["title"]),
      ["it's", "third"],
    );
  });

  test("skipTotal returns -1 totals", async () => {
    const list = await su.collection("posts").getList(1, 2, { skipTotal: true });
    assert.equal(list.totalItems, -1);
    assert.equal(list.totalPages, -1);
    assert.equal(list.items.length, 2);
  });

  test("an invalid filter is a 400", async () => {
    const err = await rejection(su.collection("posts").getList(1, 10, { filter: "views >" }), 400);
    assertErrorShape(err);
  });
});

describe("SDK: getFullList", () => {
  test("pages through every record with batch 50", async () => {
    const all = await su.collection("items").getFullList({ batch: 50 });
    assert.equal(all.length, BULK);
    assert.equal(new Set(all.map((r) => r.id)).size, BULK);
  });

  test("keeps the sort across pages", async () => {
    const all = await su.collection("items").getFullList({ batch: 50, sort: "-n" });
    assert.deepEqual(
      all.map((r) => r["n"]),
      Array.from({ length: BULK }, (_, i) => BULK - 1 - i),
    );
  });

  test("applies the filter across pages", async () => {
    const all = await su.collection("items").getFullList({ batch: 7, sort: "n", filter: "n >= 100" });
    assert.deepEqual(
      all.map((r) => r["n"]),
      Array.from({ length: BULK - 100 }, (_, i) => 100 + i),
    );
  });

  test("uses the default batch of 500 for small collections", async () => {
    const all = await su.collection("posts").getFullList({ sort: "title" });
    assert.equal(all.length, 5);
  });
});

describe("SDK: getFirstListItem", () => {
  test("returns the first record matching the filter", async () => {
    const rec = await su.collection("posts").getFirstListItem('title = "second"');
    assert.equal(rec.id, post("second").id);
  });

  test("honours sort when several match", async () => {
    const rec = await su.collection("posts").getFirstListItem("views = 5", { sort: "-title" });
    assert.equal(rec["title"], "second");
  });

  // The SDK builds this 404 itself from an empty getList page.
  test("no match is a 404 ClientResponseError", async () => {
    const err = await rejection(su.collection("posts").getFirstListItem('title = "nothing like this"'), 404);
    assert.equal(err.isAbort, false);
  });
});

describe("SDK: pb.filter parameter binding", () => {
  test("binds a string containing a double quote and a number", async () => {
    const filter = su.filter("title = {:t} && views > {:v}", { t: 'it"s', v: 3 });
    const list = await su.collection("posts").getFullList({ filter });
    assert.deepEqual(
      list.map((r) => r.id),
      [post('it"s').id],
    );
  });

  test("binds a string containing a single quote", async () => {
    const rec = await su.collection("posts").getFirstListItem(su.filter("title = {:t}", { t: "it's" }));
    assert.equal(rec.id, post("it's").id);
  });

  test("a bound value cannot inject filter syntax", async () => {
    const filter = su.filter("title = {:t}", { t: '" || id != "' });
    const list = await su.collection("posts").getFullList({ filter });
    assert.equal(list.length, 0);
  });

  test("binds a boolean and null", async () => {
    const list = await su
      .collection("posts")
      .getFullList({ filter: su.filter("{:b} = true && title != {:n}", { b: true, n: null }) });
    assert.equal(list.length, 5);
  });

  test("binds a Date as a PocketBase datetime string", async () => {
    const list = await su
      .collection("posts")
      .getFullList({ filter: su.filter("created <= {:d}", { d: new Date(Date.now() + 60_000) }) });
    assert.equal(list.length, 5);
  });
});

describe("SDK: expand", () => {
  test("expands a relation the requester may view", async () => {
    const rec = await alice.collection("posts").getOne(post("first").id, { expand: "author" });
    const author = rec.expand?.["author"] as RecordModel | undefined;
    assert.equal(author?.id, authId(alice));
    assert.equal(author?.collectionName, "users");
  });

  test("expands a back-relation as a list", async () => {
    const rec = await alice.collection("posts").getOne(post("first").id, { expand: "comments_via_post" });
    const comments = rec.expand?.["comments_via_post"] as RecordModel[] | undefined;
    assert.ok(Array.isArray(comments), JSON.stringify(rec));
    assert.deepEqual(comments.map((c) => c["text"]).sort(), ["great", "nice"]);
  });

  test("expands a nested relation path", async () => {
    const rec = await alice.collection("comments").getOne(comment.id, { expand: "post.author" });
    const p = rec.expand?.["post"] as RecordModel | undefined;
    assert.equal(p?.id, post("first").id);
    assert.equal((p?.expand?.["author"] as RecordModel | undefined)?.id, authId(alice));
  });

  test("expands in list responses too", async () => {
    const list = await alice
      .collection("posts")
      .getList(1, 10, { filter: 'title = "first"', expand: "author,comments_via_post" });
    const rec = list.items[0];
    assert.ok(rec?.expand?.["author"]);
    assert.equal((rec.expand["comments_via_post"] as unknown[]).length, 2);
  });

  test("omits expand for a record with no back-relations", async () => {
    const rec = await alice.collection("posts").getOne(post("third").id, { expand: "comments_via_post" });
    assert.equal(rec.expand?.["comments_via_post"], undefined);
  });
});

describe("SDK: fields", () => {
  test("picks top-level keys", async () => {
    const rec = await su.collection("posts").getOne(post("first").id, { fields: "id,title" });
    assert.deepEqual(Object.keys(rec).sort(), ["id", "title"]);
  });

  test("picks a key inside an expanded relation: expand.author.email", async () => {
    const rec = await alice
      .collection("posts")
      .getOne(post("first").id, { expand: "author", fields: "id,expand.author.email" });
    assert.deepEqual(Object.keys(rec).sort(), ["expand", "id"]);
    assert.deepEqual(rec.expand?.["author"], { email: "alice@example.com" });
  });

  test("applies to every item of a list", async () => {
    const list = await su.collection("posts").getList(1, 10, { fields: "title" });
    for (const item of list.items) assert.deepEqual(Object.keys(item), ["title"]);
  });

  test("title:excerpt(3) truncates a text value", async () => {
    const rec = await su.collection("posts").getOne(post("second").id, { fields: "title:excerpt(3)" });
    assert.deepEqual(rec, { title: "sec" });
  });
});
