import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import type { JsonObject as Json } from "../support/json.ts";

let server: TestServer;
let su: string;
let userToken: string;
let userId: string;
const VIEW_QUERY = "SELECT id, title, views FROM posts WHERE views > 1";

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
  const signup = await server.request("POST", "/api/collections/users/records", {
    body: { email: "u@example.com", password: "password123", passwordConfirm: "password123" },
  });
  userId = signup.body.id;
  const login = await server.request("POST", "/api/collections/users/auth-with-password", {
    body: { identity: "u@example.com", password: "password123" },
  });
  userToken = login.body.token;
  const posts = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name: "posts",
      type: "base",
      fields: [
        { name: "title", type: "text", max: 50 },
        { name: "views", type: "number", onlyInt: true },
        { name: "author", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
      ],
    },
  });
  assert.equal(posts.status, 200, JSON.stringify(posts.body));
  for (const [title, views] of [
    ["low", 1],
    ["mid", 5],
    ["high", 10],
  ] as const) {
    const res = await server.request("POST", "/api/collections/posts/records", {
      token: su,
      body: { title, views, author: userId },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
});
after(() => server.close());

async function createView(name: string, viewQuery: string, rules: Json = {}) {
  return server.request("POST", "/api/collections", {
    token: su,
    body: { name, type: "view", viewQuery, ...rules },
  });
}

test("a view collection infers its fields from the query, keeping the source options", async () => {
  const res = await createView("popular", VIEW_QUERY);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.type, "view");
  assert.equal(res.body.viewQuery, VIEW_QUERY);
  const fields: Json[] = res.body.fields;
  assert.deepEqual(
    fields.map((f) => [f.name, f.type]),
    [
      ["id", "text"],
      ["title", "text"],
      ["views", "number"],
    ],
  );
  assert.equal(fields.find((f) => f.name === "title")?.max, 50);
  assert.equal(fields.find((f) => f.name === "views")?.onlyInt, true);
  const viewed = await server.request("GET", "/api/collections/popular", { token: su });
  assert.deepEqual(viewed.body, res.body);
});

test("records of a view list and view under its rules", async () => {
  const res = await createView("popular_public", VIEW_QUERY, {
    listRule: "views > 5",
    viewRule: '@request.auth.id != ""',
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const su_list = await server.request("GET", "/api/collections/popular_public/records?sort=views", {
    token: su,
  });
  assert.equal(su_list.status, 200, JSON.stringify(su_list.body));
  assert.deepEqual(
    su_list.body.items.map((r: Json) => [r.title, r.views]),
    [
      ["mid", 5],
      ["high", 10],
    ],
  );
  assert.equal(su_list.body.items[0].collectionName, "popular_public");
  const guest = await server.request("GET", "/api/collections/popular_public/records");
  assert.equal(guest.status, 200, JSON.stringify(guest.body));
  assert.deepEqual(
    guest.body.items.map((r: Json) => r.title),
    ["high"],
  );
  const filtered = await server.request(
    "GET",
    `/api/collections/popular_public/records?filter=${encodeURIComponent('title = "mid"')}`,
    {
      token: su,
    },
  );
  assert.equal(filtered.body.totalItems, 1);
  const id = su_list.body.items[0].id;
  const guestView = await server.request("GET", `/api/collections/popular_public/records/${id}`);
  assert.equal(guestView.status, 404, JSON.stringify(guestView.body));
  const userView = await server.request("GET", `/api/collections/popular_public/records/${id}`, {
    token: userToken,
  });
  assert.equal(userView.status, 200, JSON.stringify(userView.body));
  assert.equal(userView.body.title, "mid");
});

test("a view with no rule is superusers-only", async () => {
  const res = await createView("locked", VIEW_QUERY);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const guest = await server.request("GET", "/api/collections/locked/records");
  assert.equal(guest.status, 403, JSON.stringify(guest.body));
});

test("records can't be created, updated or deleted through a view", async () => {
  const res = await createView("readonly", VIEW_QUERY, { listRule: "", viewRule: "" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const list = await server.request("GET", "/api/collections/readonly/records", { token: su });
  const id = list.body.items[0].id;
  const create = await server.request("POST", "/api/collections/readonly/records", {
    token: su,
    body: { title: "x", views: 9 },
  });
  assert.equal(create.status, 400, JSON.stringify(create.body));
  const update = await server.request("PATCH", `/api/collections/readonly/records/${id}`, {
    token: su,
    body: { title: "x" },
  });
  assert.equal(update.status, 400, JSON.stringify(update.body));
  const del = await server.request("DELETE", `/api/collections/readonly/records/${id}`, { token: su });
  assert.equal(del.status, 400, JSON.stringify(del.body));
  const posts = await server.request("GET", "/api/collections/posts/records", { token: su });
  assert.equal(posts.body.totalItems, 3);
  assert.deepEqual(posts.body.items.map((r: Json) => r.title).sort(), ["high", "low", "mid"]);
});

test("a view with write rules is rejected like PocketBase does (validation_nil)", async () => {
  const res = await createView("rules_view", VIEW_QUERY, { createRule: "", updateRule: "", deleteRule: "" });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  for (const key of ["createRule", "updateRule", "deleteRule"])
    assert.equal(res.body.data?.[key]?.code, "validation_nil", key);
});

test("a view can't be truncated", async () => {
  const res = await createView("truncate_view", VIEW_QUERY);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const truncate = await server.request("DELETE", "/api/collections/truncate_view/truncate", { token: su });
  assert.equal(truncate.status, 400, JSON.stringify(truncate.body));
});

test("changing a view's query re-infers its fields", async () => {
  const res = await createView("changing", VIEW_QUERY);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const updated = await server.request("PATCH", "/api/collections/changing", {
    token: su,
    body: { viewQuery: "SELECT id, author, (views * 2) AS doubled FROM posts" },
  });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  assert.deepEqual(
    updated.body.fields.map((f: Json) => [f.name, f.type]),
    [
      ["id", "text"],
      ["author", "relation"],
      ["doubled", "json"],
    ],
  );
  const list = await server.request("GET", "/api/collections/changing/records?expand=author&sort=doubled", {
    token: su,
  });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  assert.deepEqual(
    list.body.items.map((r: Json) => r.doubled),
    [2, 10, 20],
  );
  assert.equal(list.body.items[0].expand?.author?.id, userId);
});

test("a view round-trips through PATCH unchanged", async () => {
  const res = await createView("roundtrip_view", VIEW_QUERY, { listRule: "" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const patched = await server.request("PATCH", "/api/collections/roundtrip_view", {
    token: su,
    body: res.body,
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const { updated: _a, ...a } = patched.body;
  const { updated: _b, ...b } = res.body;
  assert.deepEqual(a, b);
});

for (const [label, query] of [
  ["a syntax error", "SELEC id FROM posts"],
  ["an unknown table", "SELECT id, title FROM nowhere"],
  ["an unknown column", "SELECT id, nosuchcolumn FROM posts"],
  ["a missing id column", "SELECT title FROM posts"],
  ["a DELETE", "DELETE FROM posts"],
  ["an UPDATE", "UPDATE posts SET title = 'x'"],
  ["a DROP", "DROP TABLE posts"],
  ["an INSERT", "INSERT INTO posts (id, title) VALUES ('aaaaaaaaaaaaaaa', 'x')"],
  ["two statements", "SELECT id FROM posts; DELETE FROM posts"],
  ["a statement after a comment", "SELECT id FROM posts -- x\n; DROP TABLE posts"],
  ["an empty query", ""],
  ["an unknown column in WHERE", "SELECT id, title FROM posts WHERE nosuchcolumn = 1"],
  ["an unknown function", "SELECT id, (nosuchfn(title)) AS x FROM posts"],
  ["a write inside a CTE", "WITH x AS (DELETE FROM posts RETURNING id) SELECT id FROM x"],
  ["a pragma", "PRAGMA table_info(posts)"],
  ["an ATTACH", "ATTACH DATABASE '/tmp/x.db' AS x"],
] as const) {
  test(`a view query with ${label} is rejected with 400, a clear message and no SQL error text`, async () => {
    const res = await createView(`bad_${label.replace(/\W+/g, "_")}`, query);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.ok(res.body.data?.viewQuery, JSON.stringify(res.body));
    assert.match(res.body.data.viewQuery.message, /^(Invalid query - .+|Cannot be blank\.)$/);
    assert.doesNotMatch(JSON.stringify(res.body), /SQLITE_|sqlite|\bat \//i);
    const posts = await server.request("GET", "/api/collections/posts/records", { token: su });
    assert.equal(posts.body.totalItems, 3);
    const list = await server.request("GET", "/api/collections?perPage=500", { token: su });
    assert.equal(
      list.body.items.some((c: Json) => c.name.startsWith("bad_")),
      false,
    );
  });
}

async function source(name: string): Promise<Json> {
  const res = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name,
      type: "base",
      fields: [
        { name: "label", type: "text", max: 10 },
        { name: "extra", type: "number" },
      ],
    },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const row = await server.request("POST", `/api/collections/${name}/records`, {
    token: su,
    body: { label: "one", extra: 1 },
  });
  assert.equal(row.status, 200, JSON.stringify(row.body));
  return res.body;
}

test("a source field change a view inherits is re-inferred into the view", async () => {
  const src = await source("dep_opts");
  const view = await createView("dep_opts_view", "SELECT id, label FROM dep_opts");
  assert.equal(view.status, 200, JSON.stringify(view.body));
  const fields = src.fields.map((f: Json) => (f.name === "label" ? { ...f, max: 99 } : f));
  const patched = await server.request("PATCH", "/api/collections/dep_opts", {
    token: su,
    body: { fields: [...fields, { name: "more", type: "bool" }] },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  const after = await server.request("GET", "/api/collections/dep_opts_view", { token: su });
  assert.equal(after.body.fields.find((f: Json) => f.name === "label")?.max, 99);
  const rows = await server.request("GET", "/api/collections/dep_opts_view/records", { token: su });
  assert.deepEqual(
    rows.body.items.map((r: Json) => r.label),
    ["one"],
  );
});

test("removing a source field a view reads is a 400 and leaves table, view and data as before", async () => {
  const src = await source("dep_rm");
  const view = await createView("dep_rm_view", "SELECT id, label FROM dep_rm");
  assert.equal(view.status, 200, JSON.stringify(view.body));
  const res = await server.request("PATCH", "/api/collections/dep_rm", {
    token: su,
    body: { fields: src.fields.filter((f: Json) => f.name !== "label") },
  });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.match(res.body.message, /dep_rm_view/);
  assert.deepEqual((await server.request("GET", "/api/collections/dep_rm", { token: su })).body, src);
  assert.deepEqual(
    (await server.request("GET", "/api/collections/dep_rm_view", { token: su })).body,
    view.body,
  );
  const rows = await server.request("GET", "/api/collections/dep_rm_view/records", { token: su });
  assert.equal(rows.status, 200, JSON.stringify(rows.body));
  assert.deepEqual(
    rows.body.items.map((r: Json) => r.label),
    ["one"],
  );
});

test("removing a source field no view reads keeps the view working", async () => {
  const src = await source("dep_other");
  const view = await createView("dep_other_view", "SELECT id, label FROM dep_other");
  assert.equal(view.status, 200, JSON.stringify(view.body));
  const res = await server.request("PATCH", "/api/collections/dep_other", {
    token: su,
    body: { fields: src.fields.filter((f: Json) => f.name !== "extra") },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const rows = await server.request("GET", "/api/collections/dep_other_view/records", { token: su });
  assert.deepEqual(
    rows.body.items.map((r: Json) => r.label),
    ["one"],
  );
});

test("renaming a source collection and its view's query together through import works", async () => {
  await source("dep_ren");
  const view = await createView("dep_ren_view", "SELECT id, label FROM dep_ren");
  assert.equal(view.status, 200, JSON.stringify(view.body));
  const alone = await server.request("PATCH", "/api/collections/dep_ren", {
    token: su,
    body: { name: "dep_ren2" },
  });
  assert.equal(alone.status, 400, JSON.stringify(alone.body));
  assert.match(alone.body.message, /dep_ren_view/);
  const src = (await server.request("GET", "/api/collections/dep_ren", { token: su })).body;
  const res = await server.request("PUT", "/api/collections/import", {
    token: su,
    body: {
      collections: [
        { ...src, name: "dep_ren2" },
        { ...view.body, viewQuery: "SELECT id, label FROM dep_ren2" },
      ],
    },
  });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const rows = await server.request("GET", "/api/collections/dep_ren_view/records", { token: su });
  assert.equal(rows.status, 200, JSON.stringify(rows.body));
  assert.deepEqual(
    rows.body.items.map((r: Json) => r.label),
    ["one"],
  );
});
