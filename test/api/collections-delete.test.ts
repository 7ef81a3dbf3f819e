import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import type { JsonObject as Json } from "../support/json.ts";

let server: TestServer;
let su: string;
let userToken: string;

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
  await server.request("POST", "/api/collections/users/records", {
    body: { email: "u@example.com", password: "password123", passwordConfirm: "password123" },
  });
  const login = await server.request("POST", "/api/collections/users/auth-with-password", {
    body: { identity: "u@example.com", password: "password123" },
  });
  userToken = login.body.token;
});
after(() => server.close());

async function createCollection(body: Json): Promise<Json> {
  const res = await server.request("POST", "/api/collections", {
    token: su,
    body: { type: "base", ...body },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function fill(name: string, rows: Json[]): Promise<void> {
  for (const body of rows) {
    const res = await server.request("POST", `/api/collections/${name}/records`, { token: su, body });
    assert.equal(res.status, 200, JSON.stringify(res.body));
  }
}

async function count(name: string): Promise<number> {
  const res = await server.request("GET", `/api/collections/${name}/records`, { token: su });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.totalItems;
}

test("truncate empties the records and keeps the collection", async () => {
  const c = await createCollection({ name: "tr", fields: [{ name: "a", type: "text" }] });
  await fill("tr", [{ a: "1" }, { a: "2" }]);
  const res = await server.request("DELETE", "/api/collections/tr/truncate", { token: su });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  assert.equal(await count("tr"), 0);
  const view = await server.request("GET", "/api/collections/tr", { token: su });
  assert.deepEqual(view.body, c);
  await fill("tr", [{ a: "3" }]);
  assert.equal(await count("tr"), 1);
});

test("deleting a collection removes it and its records", async () => {
  await createCollection({ name: "del", fields: [{ name: "a", type: "text" }] });
  await fill("del", [{ a: "1" }]);
  const res = await server.request("DELETE", "/api/collections/del", { token: su });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  assert.equal((await server.request("GET", "/api/collections/del", { token: su })).status, 404);
  assert.equal((await server.request("GET", "/api/collections/del/records", { token: su })).status, 404);
  // the name is free again, and the new collection starts empty
  await createCollection({ name: "del", fields: [{ name: "a", type: "text" }] });
  assert.equal(await count("del"), 0);
});

test("deleting a collection referenced by a relation is a 400 and changes nothing", async () => {
  const target = await createCollection({ name: "ref_target", fields: [{ name: "a", type: "text" }] });
  await fill("ref_target", [{ a: "x" }]);
  await createCollection({
    name: "ref_source",
    fields: [{ name: "r", type: "relation", collectionId: target.id, maxSelect: 1 }],
  });
  const res = await server.request("DELETE", "/api/collections/ref_target", { token: su });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.match(res.body.message, /ref_source/);
  const view = await server.request("GET", "/api/collections/ref_target", { token: su });
  assert.deepEqual(view.body, target);
  assert.equal(await count("ref_target"), 1);
});

test("a collection whose only reference is its own relation field can be deleted", async () => {
  const c = await createCollection({ name: "self_ref", fields: [{ name: "a", type: "text" }] });
  const withSelf = await server.request("PATCH", "/api/collections/self_ref", {
    token: su,
    body: { fields: [...c.fields, { name: "parent", type: "relation", collectionId: c.id, maxSelect: 1 }] },
  });
  assert.equal(withSelf.status, 200, JSON.stringify(withSelf.body));
  const res = await server.request("DELETE", "/api/collections/self_ref", { token: su });
  assert.equal(res.status, 204, JSON.stringify(res.body));
});

test("deleting a collection a view reads from is a 400 and changes nothing", async () => {
  await createCollection({ name: "view_src", fields: [{ name: "a", type: "text" }] });
  await fill("view_src", [{ a: "x" }]);
  const view = await server.request("POST", "/api/collections", {
    token: su,
    body: { name: "view_of_src", type: "view", viewQuery: "SELECT id, a FROM view_src" },
  });
  assert.equal(view.status, 200, JSON.stringify(view.body));
  const res = await server.request("DELETE", "/api/collections/view_src", { token: su });
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(await count("view_src"), 1);
  assert.equal(await count("view_of_src"), 1);
});

test("deleting a view collection leaves its source table alone", async () => {
  await createCollection({ name: "vsrc2", fields: [{ name: "a", type: "text" }] });
  await fill("vsrc2", [{ a: "x" }]);
  const view = await server.request("POST", "/api/collections", {
    token: su,
    body: { name: "v_of_vsrc2", type: "view", viewQuery: "SELECT id, a FROM vsrc2" },
  });
  assert.equal(view.status, 200, JSON.stringify(view.body));
  const res = await server.request("DELETE", "/api/collections/v_of_vsrc2", { token: su });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  assert.equal(await count("vsrc2"), 1);
});

test("system collections can't be deleted", async () => {
  for (const name of ["_superusers", "_externalAuths", "_mfas", "_otps", "_authOrigins"]) {
    const res = await server.request("DELETE", `/api/collections/${name}`, { token: su });
    assert.equal(res.status, 400, `${name}: ${JSON.stringify(res.body)}`);
    assert.equal((await server.request("GET", `/api/collections/${name}`, { token: su })).status, 200, name);
  }
  const login = await server.request("POST", "/api/collections/_superusers/auth-with-password", {
    body: { identity: "root@example.com", password: "rootpassword123" },
  });
  assert.equal(login.status, 200);
});

test("non-superusers can't delete or truncate", async () => {
  await createCollection({ name: "guarded", fields: [{ name: "a", type: "text" }] });
  await fill("guarded", [{ a: "x" }]);
  for (const [method, path] of [
    ["DELETE", "/api/collections/guarded"],
    ["DELETE", "/api/collections/guarded/truncate"],
  ] as const) {
    assert.equal((await server.request(method, path)).status, 401, `guest ${path}`);
    assert.equal((await server.request(method, path, { token: userToken })).status, 403, `user ${path}`);
  }
  assert.equal(await count("guarded"), 1);
});

// PocketBase truncates by deleting each record (cascades, cleared references, realtime events).
test("truncate cascades like a record delete", async () => {
  const target = await createCollection({ name: "tr_target", fields: [{ name: "a", type: "text" }] });
  await fill("tr_target", [{ a: "x" }]);
  const [row] = (await server.request("GET", "/api/collections/tr_target/records", { token: su })).body.items;
  await createCollection({
    name: "tr_refs",
    fields: [{ name: "r", type: "relation", collectionId: target.id, maxSelect: 1, cascadeDelete: true }],
  });
  await fill("tr_refs", [{ r: row.id }]);
  const res = await server.request("DELETE", "/api/collections/tr_target/truncate", { token: su });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  assert.equal(await count("tr_refs"), 0);
});
