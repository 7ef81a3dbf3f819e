import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.ts";

let server: TestServer;
let su: string;

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
});
after(() => server.close());

/** Every field type with options set away from their defaults, in a deliberate non-alphabetical order. */
const FIELDS = [
  {
    name: "title",
    type: "text",
    required: true,
    min: 2,
    max: 120,
    pattern: "^[A-Za-z ]+$",
    presentable: true,
    help: "The title",
  },
  { name: "score", type: "number", min: -5, max: 500, onlyInt: true, required: false, hidden: true },
  { name: "flag", type: "bool", required: true },
  { name: "contact", type: "email", onlyDomains: ["example.com", "example.org"], required: true },
  { name: "site", type: "url", exceptDomains: ["evil.test"] },
  { name: "body", type: "editor", maxSize: 12345, convertURLs: true },
  { name: "due", type: "date", min: "2020-01-01 00:00:00.000Z", max: "2030-12-31 00:00:00.000Z" },
  { name: "stamp", type: "autodate", onCreate: false, onUpdate: true },
  { name: "status", type: "select", values: ["draft", "live", "gone"], maxSelect: 1, required: true },
  { name: "tags", type: "select", values: ["z", "a", "m"], maxSelect: 2 },
  { name: "meta", type: "json", maxSize: 2048 },
  {
    name: "docs",
    type: "file",
    maxSelect: 3,
    maxSize: 1048576,
    mimeTypes: ["application/pdf"],
    thumbs: ["100x100"],
    protected: true,
  },
  {
    name: "owner",
    type: "relation",
    collectionId: "_pb_users_auth_",
    maxSelect: 1,
    cascadeDelete: true,
    required: true,
  },
  { name: "readers", type: "relation", collectionId: "_pb_users_auth_", minSelect: 1, maxSelect: 5 },
  { name: "pin", type: "password", min: 10, max: 40, pattern: "^\\d+$", cost: 11 },
  { name: "place", type: "geoPoint", required: true },
  { name: "created", type: "autodate", onCreate: true, onUpdate: false },
] as const;

function withoutUpdated(c: Record<string, unknown>): Record<string, unknown> {
  const { updated: _updated, ...rest } = c;
  return rest;
}

async function create(name: string, extra: Record<string, unknown> = {}) {
  const res = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name,
      type: "base",
      fields: FIELDS,
      indexes: [`CREATE INDEX idx_${name}_title ON ${name} (title)`],
      listRule: "",
      viewRule: "owner = @request.auth.id",
      createRule: '@request.auth.id != ""',
      updateRule: null,
      deleteRule: null,
      ...extra,
    },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body as Record<string, unknown> & { fields: Record<string, unknown>[] };
}

test("every field type keeps its non-default options and its order", async () => {
  const created = await create("everything");
  const names = created.fields.map((f) => f.name);
  assert.deepEqual(names, ["id", ...FIELDS.map((f) => f.name)]);
  for (const input of FIELDS) {
    const got = created.fields.find((f) => f.name === input.name);
    assert.ok(got, input.name);
    for (const [key, value] of Object.entries(input))
      assert.deepEqual(got[key], value, `${input.name}.${key}`);
    assert.equal(typeof got.id, "string");
    assert.ok(String(got.id).length > 0);
  }
});

test("view returns exactly what create returned", async () => {
  const created = await create("viewed");
  const viewed = await server.request("GET", `/api/collections/${created.id}`, { token: su });
  assert.equal(viewed.status, 200);
  assert.deepEqual(viewed.body, created);
  const byName = await server.request("GET", "/api/collections/viewed", { token: su });
  assert.deepEqual(byName.body, created);
});

test("PATCHing the returned JSON back unchanged returns identical JSON (except updated)", async () => {
  const created = await create("patched");
  const patched = await server.request("PATCH", `/api/collections/${created.id}`, {
    token: su,
    body: created,
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(withoutUpdated(patched.body), withoutUpdated(created));
  const again = await server.request("GET", `/api/collections/${created.id}`, { token: su });
  assert.deepEqual(withoutUpdated(again.body), withoutUpdated(created));
});

test("importing the returned JSON back unchanged returns identical JSON (except updated)", async () => {
  const created = await create("imported");
  const res = await server.request("PUT", "/api/collections/import", {
    token: su,
    body: { collections: [created] },
  });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  const again = await server.request("GET", `/api/collections/${created.id}`, { token: su });
  assert.deepEqual(withoutUpdated(again.body), withoutUpdated(created));
});

test("an auth collection round-trips through PATCH, including its auth options", async () => {
  const created = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name: "members",
      type: "auth",
      fields: [{ name: "nick", type: "text", max: 30 }],
      authRule: "verified = true",
      manageRule: null,
      passwordAuth: { enabled: true, identityFields: ["email"] },
      mfa: { enabled: false, duration: 900, rule: "" },
      otp: { enabled: true, duration: 120, length: 6 },
      authToken: { duration: 3600 },
    },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  assert.equal(created.body.otp.duration, 120);
  assert.equal(created.body.authToken.duration, 3600);
  assert.equal(created.body.authRule, "verified = true");
  const patched = await server.request("PATCH", "/api/collections/members", {
    token: su,
    body: created.body,
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.deepEqual(withoutUpdated(patched.body), withoutUpdated(created.body));
});

test("system collections round-trip through PATCH and import unchanged", async () => {
  const list = await server.request("GET", "/api/collections?perPage=100", { token: su });
  const system = (list.body.items as Record<string, unknown>[]).filter(
    (c) => c.system === true || c.name === "users",
  );
  for (const c of system) {
    const patched = await server.request("PATCH", `/api/collections/${c.id}`, { token: su, body: c });
    assert.equal(patched.status, 200, `${c.name}: ${JSON.stringify(patched.body)}`);
    assert.deepEqual(withoutUpdated(patched.body), withoutUpdated(c), String(c.name));
  }
  const res = await server.request("PUT", "/api/collections/import", {
    token: su,
    body: { collections: system },
  });
  assert.equal(res.status, 204, JSON.stringify(res.body));
  for (const c of system) {
    const again = await server.request("GET", `/api/collections/${c.id}`, { token: su });
    assert.deepEqual(withoutUpdated(again.body), withoutUpdated(c), String(c.name));
  }
});
