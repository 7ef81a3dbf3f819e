import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import type { JsonObject as Json } from "../support/json.ts";

let server: TestServer;
let su: string;

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
});
after(() => server.close());

async function all(): Promise<Json[]> {
  const res = await server.request("GET", "/api/collections?perPage=500", { token: su });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

async function importCollections(collections: unknown, deleteMissing = false) {
  return server.request("PUT", "/api/collections/import", {
    token: su,
    body: { collections, deleteMissing },
  });
}

function withoutUpdated(c: Json): Json {
  const { updated: _updated, ...rest } = c;
  return rest;
}

test("import creates new collections, relations and views in one go", async () => {
  const res = await importCollections([
    {
      id: "pbc_imp_authors1",
      name: "imp_authors",
      type: "base",
      fields: [{ name: "name", type: "text", required: true }],
      listRule: "",
    },
    {
      id: "pbc_imp_books001",
      name: "imp_books",
      type: "base",
      fields: [
        { name: "title", type: "text" },
        { name: "pages", type: "number" },
        { name: "author", type: "relation", collectionId: "pbc_imp_authors1", maxSelect: 1 },
      ],
      indexes: ["CREATE INDEX idx_imp_books_title ON imp_books (title)"],
    },
    {
      name: "imp_long_books",
      type: "view",
      viewQuery: "SELECT id, title, author FROM imp_books WHERE pages > 300",
    },
  ]);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const byName = new Map((await all()).map((c) => [c.name, c]));
  assert.equal(byName.get("imp_authors")?.id, "pbc_imp_authors1");
  assert.equal(
    byName.get("imp_books")?.fields.find((f: Json) => f.name === "author")?.collectionId,
    "pbc_imp_authors1",
  );
  assert.deepEqual(
    byName.get("imp_long_books")?.fields.map((f: Json) => [f.name, f.type]),
    [
      ["id", "text"],
      ["title", "text"],
      ["author", "relation"],
    ],
  );
  const a = await server.request("POST", "/api/collections/imp_authors/records", {
    token: su,
    body: { name: "Ann" },
  });
  await server.request("POST", "/api/collections/imp_books/records", {
    token: su,
    body: { title: "Big", pages: 500, author: a.body.id },
  });
  const view = await server.request("GET", "/api/collections/imp_long_books/records?expand=author", {
    token: su,
  });
  assert.equal(view.status, 200, JSON.stringify(view.body));
  assert.equal(view.body.items[0].expand.author.name, "Ann");
});

test("import updates existing collections and keeps their data", async () => {
  const res = await importCollections([
    { name: "imp_upd", type: "base", fields: [{ name: "a", type: "text" }] },
  ]);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const c = (await all()).find((x) => x.name === "imp_upd")!;
  await server.request("POST", "/api/collections/imp_upd/records", { token: su, body: { a: "kept" } });
  const updated = await importCollections([
    { ...c, fields: [...c.fields, { name: "b", type: "number" }], listRule: "" },
  ]);
  assert.equal(updated.status, 204, JSON.stringify(updated.body));
  const after = (await all()).find((x) => x.name === "imp_upd")!;
  assert.equal(after.id, c.id);
  assert.equal(after.listRule, "");
  assert.deepEqual(
    after.fields.map((f: Json) => f.name),
    ["id", "a", "b"],
  );
  const rows = await server.request("GET", "/api/collections/imp_upd/records", { token: su });
  assert.deepEqual(
    rows.body.items.map((r: Json) => [r.a, r.b]),
    [["kept", 0]],
  );
});

test("exporting every collection and importing it back changes nothing", async () => {
  const before = await all();
  const res = await importCollections(before);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const after = await all();
  assert.deepEqual(after.map(withoutUpdated), before.map(withoutUpdated));
});

test("deleteMissing deletes the non-system collections left out, keeps system ones", async () => {
  const current = await all();
  const keep = current.filter((c) => c.system || c.name === "users" || c.name === "imp_upd");
  const res = await importCollections(keep, true);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const names = (await all()).map((c) => c.name).sort();
  assert.deepEqual(names, [
    "_authOrigins",
    "_externalAuths",
    "_mfas",
    "_otps",
    "_superusers",
    "imp_upd",
    "users",
  ]);
  const gone = await server.request("GET", "/api/collections/imp_books/records", { token: su });
  assert.equal(gone.status, 404);
  const kept = await server.request("GET", "/api/collections/imp_upd/records", { token: su });
  assert.equal(kept.body.totalItems, 1);
});

test("deleteMissing never deletes system collections even when they are left out", async () => {
  const res = await importCollections([{ name: "imp_only", type: "base" }], true);
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const names = (await all()).map((c) => c.name);
  for (const system of ["_superusers", "_externalAuths", "_mfas", "_otps", "_authOrigins"])
    assert.ok(names.includes(system), system);
  assert.ok(names.includes("imp_only"));
  // superusers can still log in: the _superusers table and its rows are intact
  const login = await server.request("POST", "/api/collections/_superusers/auth-with-password", {
    body: { identity: "root@example.com", password: "rootpassword123" },
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
});

test("an invalid entry is rejected with 400 and nothing of the import is applied", async () => {
  const before = await all();
  const res = await importCollections(
    [
      { name: "imp_good", type: "base", fields: [{ name: "x", type: "text" }] },
      { name: "imp_bad", type: "base", fields: [{ name: "x", type: "nosuchtype" }] },
    ],
    true,
  );
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.ok(res.body.data?.collections, JSON.stringify(res.body));
  assert.deepEqual(await all(), before);
});

test("an entry that fails only in the database rolls the whole import back", async () => {
  const created = await importCollections([
    { name: "imp_dups", type: "base", fields: [{ name: "code", type: "text" }] },
  ]);
  assert.equal(created.status, 204, JSON.stringify(created.body));
  for (let i = 0; i < 2; i++)
    await server.request("POST", "/api/collections/imp_dups/records", { token: su, body: { code: "same" } });
  const before = await all();
  const dups = before.find((c) => c.name === "imp_dups")!;
  const res = await importCollections([
    { name: "imp_new_table", type: "base" },
    { ...dups, indexes: ["CREATE UNIQUE INDEX idx_imp_dups_code ON imp_dups (code)"] },
  ]);
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.doesNotMatch(JSON.stringify(res.body), /SQLITE|constraint failed/i);
  assert.deepEqual(await all(), before);
  const rows = await server.request("GET", "/api/collections/imp_dups/records", { token: su });
  assert.equal(rows.body.totalItems, 2);
});

test("an import whose relation points at a collection it deletes is rejected", async () => {
  const target = await importCollections([{ id: "pbc_imp_target1", name: "imp_target", type: "base" }]);
  assert.equal(target.status, 204, JSON.stringify(target.body));
  const before = await all();
  const dangling = {
    name: "imp_dangling",
    type: "base",
    fields: [{ name: "r", type: "relation", collectionId: "pbc_imp_target1", maxSelect: 1 }],
  };
  const res = await importCollections([...before.filter((c) => c.name !== "imp_target"), dangling], true);
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.deepEqual(await all(), before);
});

test("an empty or missing collections list is a 400", async () => {
  for (const body of [{ collections: [] }, {}, { collections: "nope" }]) {
    const res = await server.request("PUT", "/api/collections/import", { token: su, body });
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.ok(res.body.data?.collections, JSON.stringify(res.body));
  }
});
