import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import type { JsonObject } from "../support/json.ts";

let server: TestServer;
let su: string;
let userToken: string;

const OWNER_RULE =
  "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
  await server.request("POST", "/api/collections/users/records", {
    body: { email: "u@example.com", password: "password123", passwordConfirm: "password123" },
  });
  const login = await server.request("POST", "/api/collections/users/auth-with-password", {
    body: { identity: "u@example.com", password: "password123" },
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  userToken = login.body.token;
});
after(() => server.close());

async function listAll(): Promise<JsonObject[]> {
  const res = await server.request("GET", "/api/collections?perPage=500", { token: su });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return res.body.items;
}

test("a new data dir lists exactly PocketBase's system collections", async () => {
  const items = await listAll();
  assert.deepEqual(items.map((c) => c.name).sort(), [
    "_authOrigins",
    "_externalAuths",
    "_mfas",
    "_otps",
    "_superusers",
    "users",
  ]);
  const res = await server.request("GET", "/api/collections", { token: su });
  assert.equal(res.body.page, 1);
  assert.equal(res.body.perPage, 30);
  assert.equal(res.body.totalItems, 6);
  assert.equal(res.body.totalPages, 1);
});

test("system collections carry PocketBase's ids, types and system flags", async () => {
  const byName = new Map((await listAll()).map((c) => [c.name, c]));
  assert.equal(byName.get("users")?.id, "_pb_users_auth_");
  assert.equal(byName.get("users")?.type, "auth");
  assert.equal(byName.get("users")?.system, false);
  assert.equal(byName.get("_superusers")?.id, "pbc_3142635823");
  assert.equal(byName.get("_superusers")?.type, "auth");
  assert.equal(byName.get("_externalAuths")?.id, "pbc_2281828961");
  assert.equal(byName.get("_mfas")?.id, "pbc_2279338944");
  assert.equal(byName.get("_otps")?.id, "pbc_1638494021");
  assert.equal(byName.get("_authOrigins")?.id, "pbc_4275539003");
  for (const name of ["_superusers", "_externalAuths", "_mfas", "_otps", "_authOrigins"]) {
    assert.equal(byName.get(name)?.system, true, name);
  }
  for (const name of ["_externalAuths", "_mfas", "_otps", "_authOrigins"])
    assert.equal(byName.get(name)?.type, "base", name);
});

test("system collections carry PocketBase's rules", async () => {
  const byName = new Map((await listAll()).map((c) => [c.name, c]));
  const rules = (name: string) => {
    const c = byName.get(name)!;
    return [c.listRule, c.viewRule, c.createRule, c.updateRule, c.deleteRule];
  };
  assert.deepEqual(rules("users"), [
    "id = @request.auth.id",
    "id = @request.auth.id",
    "",
    "id = @request.auth.id",
    "id = @request.auth.id",
  ]);
  assert.deepEqual(rules("_superusers"), [null, null, null, null, null]);
  assert.deepEqual(rules("_externalAuths"), [OWNER_RULE, OWNER_RULE, null, null, OWNER_RULE]);
  assert.deepEqual(rules("_authOrigins"), [OWNER_RULE, OWNER_RULE, null, null, OWNER_RULE]);
  assert.deepEqual(rules("_mfas"), [OWNER_RULE, OWNER_RULE, null, null, null]);
  assert.deepEqual(rules("_otps"), [OWNER_RULE, OWNER_RULE, null, null, null]);
});

test("secrets never appear in list or view responses", async () => {
  const list = await server.request("GET", "/api/collections?perPage=500", { token: su });
  const texts = [JSON.stringify(list.body)];
  for (const c of list.body.items)
    texts.push(JSON.stringify((await server.request("GET", `/api/collections/${c.id}`, { token: su })).body));
  for (const text of texts) assert.doesNotMatch(text, /"secret"/);
  for (const c of list.body.items.filter((c: JsonObject) => c.type === "auth")) {
    for (const key of [
      "authToken",
      "passwordResetToken",
      "emailChangeToken",
      "verificationToken",
      "fileToken",
    ]) {
      assert.deepEqual(Object.keys(c[key]), ["duration"], `${c.name}.${key}`);
    }
  }
});

test("secrets stay out of create and update responses and survive a round-trip", async () => {
  const created = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name: "clients",
      type: "auth",
      authToken: { secret: "x".repeat(50), duration: 100 },
      oauth2: {
        enabled: true,
        providers: [{ name: "github", clientId: "cid", clientSecret: "topsecretvalue" }],
      },
    },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const text = JSON.stringify(created.body);
  assert.doesNotMatch(text, /secret/i);
  assert.doesNotMatch(text, /x{50}/);
  assert.doesNotMatch(text, /topsecretvalue/);
  const patched = await server.request("PATCH", "/api/collections/clients", {
    token: su,
    body: created.body,
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.doesNotMatch(JSON.stringify(patched.body), /secret/i);
  // the token secret set on create still signs tokens: a user signs up and logs in
  const signup = await server.request("POST", "/api/collections/clients/records", {
    token: su,
    body: { email: "c@example.com", password: "password123", passwordConfirm: "password123" },
  });
  assert.equal(signup.status, 200, JSON.stringify(signup.body));
  const login = await server.request("POST", "/api/collections/clients/auth-with-password", {
    body: { identity: "c@example.com", password: "password123" },
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const refreshed = await server.request("POST", "/api/collections/clients/auth-refresh", {
    token: login.body.token,
  });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
});

test("guests get 401 from every collections endpoint", async () => {
  const calls: [string, string, unknown?][] = [
    ["GET", "/api/collections"],
    ["GET", "/api/collections/users"],
    ["POST", "/api/collections", { name: "nope", type: "base" }],
    ["PATCH", "/api/collections/users", { name: "users" }],
    ["DELETE", "/api/collections/users"],
    ["DELETE", "/api/collections/users/truncate"],
    ["PUT", "/api/collections/import", { collections: [{ name: "nope", type: "base" }] }],
  ];
  for (const [method, path, body] of calls) {
    const res = await server.request(method, path, { body });
    assert.equal(res.status, 401, `${method} ${path}: ${JSON.stringify(res.body)}`);
  }
  assert.equal(
    (await listAll()).some((c) => c.name === "nope"),
    false,
  );
});

test("regular users get 403 from every collections endpoint", async () => {
  const calls: [string, string, unknown?][] = [
    ["GET", "/api/collections"],
    ["GET", "/api/collections/users"],
    ["POST", "/api/collections", { name: "nope", type: "base" }],
    ["PATCH", "/api/collections/users", { name: "users" }],
    ["DELETE", "/api/collections/users"],
    ["DELETE", "/api/collections/users/truncate"],
    ["PUT", "/api/collections/import", { collections: [{ name: "nope", type: "base" }] }],
  ];
  for (const [method, path, body] of calls) {
    const res = await server.request(method, path, { body, token: userToken });
    assert.equal(res.status, 403, `${method} ${path}: ${JSON.stringify(res.body)}`);
  }
  const users = await server.request("GET", "/api/collections/users/records", { token: su });
  assert.equal(users.body.totalItems, 1);
});

test("an unknown collection is 404", async () => {
  for (const method of ["GET", "PATCH", "DELETE"]) {
    const res = await server.request(method, "/api/collections/missing", {
      token: su,
      body: method === "PATCH" ? {} : undefined,
    });
    assert.equal(res.status, 404, `${method}: ${JSON.stringify(res.body)}`);
  }
  const truncate = await server.request("DELETE", "/api/collections/missing/truncate", { token: su });
  assert.equal(truncate.status, 404);
});
