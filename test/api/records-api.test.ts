import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startTestServer, type TestServer } from "../support/test-server.ts";

/** One API scenario: request → expected status, body fragments present and absent. */
interface Scenario {
  readonly name: string;
  readonly method: string;
  readonly url: string | (() => string);
  readonly auth?: "superuser" | "user" | "other";
  readonly body?: unknown;
  readonly status: number;
  readonly contains?: readonly string[];
  readonly notContains?: readonly string[];
}

let server: TestServer;
let su: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

async function signUpAndLogin(email: string): Promise<{ id: string; token: string }> {
  const created = await server.request("POST", "/api/collections/users/records", {
    body: { email, password: "password123", passwordConfirm: "password123" },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const login = await server.request("POST", "/api/collections/users/auth-with-password", {
    body: { identity: email, password: "password123" },
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  return { id: created.body.id, token: login.body.token };
}

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
  const a = await signUpAndLogin("alice@example.com");
  const b = await signUpAndLogin("bob@example.com");
  tokens["user"] = a.token;
  tokens["other"] = b.token;
  ids["alice"] = a.id;
  ids["bob"] = b.id;
  const posts = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name: "posts",
      type: "base",
      fields: [
        { name: "title", type: "text", required: true, max: 100 },
        { name: "views", type: "number" },
        { name: "tags", type: "select", values: ["a", "b", "c"], maxSelect: 3 },
        { name: "author", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
        { name: "secret", type: "text", hidden: true },
        { name: "created", type: "autodate", onCreate: true },
        { name: "updated", type: "autodate", onCreate: true, onUpdate: true },
      ],
      listRule: "",
      viewRule: "",
      createRule: '@request.auth.id != ""',
      updateRule: "author = @request.auth.id",
      deleteRule: "author = @request.auth.id",
    },
  });
  assert.equal(posts.status, 200, JSON.stringify(posts.body));
  const comments = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name: "comments",
      type: "base",
      fields: [
        { name: "text", type: "text" },
        { name: "post", type: "relation", collectionId: posts.body.id, maxSelect: 1, cascadeDelete: true },
      ],
      listRule: "",
      viewRule: "",
    },
  });
  assert.equal(comments.status, 200, JSON.stringify(comments.body));
  for (const [i, title] of ["first", "second", "third"].entries()) {
    const res = await server.request("POST", "/api/collections/posts/records", {
      token: tokens["user"],
      body: { title, views: i * 10, tags: ["a"], author: ids["alice"] },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    ids[title] = res.body.id;
    // only superusers may write hidden fields
    const hidden = await server.request("PATCH", `/api/collections/posts/records/${res.body.id}`, {
      token: su,
      body: { secret: "s3cr3t" },
    });
    assert.equal(hidden.status, 200, JSON.stringify(hidden.body));
  }
  const c = await server.request("POST", "/api/collections/comments/records", {
    token: su,
    body: { text: "nice", post: ids["first"] },
  });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  ids["comment"] = c.body.id;
});

after(() => server?.close());

const scenarios = (): Scenario[] => [
  {
    name: "lists public records",
    method: "GET",
    url: "/api/collections/posts/records",
    status: 200,
    contains: ['"totalItems":3', '"perPage":30'],
  },
  {
    name: "hidden fields are never listed to guests",
    method: "GET",
    url: "/api/collections/posts/records",
    status: 200,
    notContains: ["s3cr3t"],
  },
  {
    name: "superusers see hidden fields",
    method: "GET",
    url: "/api/collections/posts/records",
    auth: "superuser",
    status: 200,
    contains: ["s3cr3t"],
  },
  {
    name: "filters and sorts",
    method: "GET",
    url: "/api/collections/posts/records?filter=(views%3E5)&sort=-views",
    status: 200,
    contains: ['"totalItems":2'],
  },
  {
    name: "skipTotal returns -1 counts",
    method: "GET",
    url: "/api/collections/posts/records?skipTotal=1",
    status: 200,
    contains: ['"totalItems":-1', '"totalPages":-1'],
  },
  {
    name: "an invalid filter is a 400",
    method: "GET",
    url: "/api/collections/posts/records?filter=(views%3E",
    status: 400,
  },
  {
    name: "an unknown field in a filter is a 400",
    method: "GET",
    url: "/api/collections/posts/records?filter=nope%3D1",
    status: 400,
    notContains: ["SELECT", "sqlite"],
  },
  {
    name: "hidden fields can't be filtered by guests",
    method: "GET",
    url: "/api/collections/posts/records?filter=secret%3D%22s3cr3t%22",
    status: 400,
  },
  {
    name: "guests can't filter by @request",
    method: "GET",
    url: "/api/collections/posts/records?filter=@request.auth.id%3D%22%22",
    status: 403,
  },
  {
    name: "expand a relation the requester may view",
    method: "GET",
    url: () => `/api/collections/posts/records/${ids["first"]}?expand=author`,
    auth: "user",
    status: 200,
    contains: ['"expand":{"author":'],
  },
  {
    name: "expand skips relations the requester may not view",
    method: "GET",
    url: () => `/api/collections/posts/records/${ids["first"]}?expand=author`,
    auth: "other",
    status: 200,
    notContains: ['"expand"'],
  },
  {
    name: "expand a back-relation",
    method: "GET",
    url: () => `/api/collections/posts/records/${ids["first"]}?expand=comments_via_post`,
    status: 200,
    contains: ['"comments_via_post":[', "nice"],
  },
  {
    name: "fields picks keys",
    method: "GET",
    url: () => `/api/collections/posts/records/${ids["first"]}?fields=id,title`,
    status: 200,
    notContains: ['"views"', '"collectionId"'],
  },
  {
    name: "view a missing record is 404",
    method: "GET",
    url: "/api/collections/posts/records/missingmissing1",
    status: 404,
  },
  { name: "an unknown collection is 404", method: "GET", url: "/api/collections/nope/records", status: 404 },
  {
    name: "guests can't create when the rule needs auth",
    method: "POST",
    url: "/api/collections/posts/records",
    body: { title: "x" },
    status: 400,
  },
  {
    name: "required fields are validated",
    method: "POST",
    url: "/api/collections/posts/records",
    auth: "user",
    body: { views: 1 },
    status: 400,
    contains: ["validation_required"],
  },
  {
    name: "others can't update (rule mismatch is 404)",
    method: "PATCH",
    url: () => `/api/collections/posts/records/${ids["second"]}`,
    auth: "other",
    body: { title: "hacked" },
    status: 404,
  },
  {
    name: "the owner updates with a modifier",
    method: "PATCH",
    url: () => `/api/collections/posts/records/${ids["second"]}`,
    auth: "user",
    body: { "views+": 5 },
    status: 200,
    contains: ['"views":15'],
  },
  {
    name: "a client-chosen id works",
    method: "POST",
    url: "/api/collections/posts/records",
    auth: "user",
    body: { id: "abcdefghijklmno", title: "custom" },
    status: 200,
    contains: ['"id":"abcdefghijklmno"'],
  },
  {
    name: "a duplicate id is not unique",
    method: "POST",
    url: "/api/collections/posts/records",
    auth: "user",
    body: { id: "abcdefghijklmno", title: "again" },
    status: 400,
    contains: ["validation_not_unique"],
  },
  {
    name: "users' passwords and token keys are never returned",
    method: "GET",
    url: "/api/collections/users/records",
    auth: "superuser",
    status: 200,
    notContains: ['"password"', '"tokenKey"', "argon2"],
  },
  {
    name: "malformed JSON is a 400",
    method: "POST",
    url: "/api/collections/posts/records",
    auth: "user",
    body: "{nope",
    status: 400,
  },
  {
    name: "unknown routes are 404 in the error shape",
    method: "GET",
    url: "/api/nothing-here",
    status: 404,
    contains: ['"status":404', '"data":{}'],
  },
  { name: "collections need a superuser", method: "GET", url: "/api/collections", status: 401 },
  {
    name: "collections are listed to superusers",
    method: "GET",
    url: "/api/collections",
    auth: "superuser",
    status: 200,
    contains: ["_pb_users_auth_", "_superusers"],
  },
];

describe("records API scenarios", () => {
  before(async () => {
    // scenarios reference ids created in the top-level before hook
  });
  for (const s of scenarios()) {
    test(s.name, async () => {
      const url = typeof s.url === "function" ? (s.url as () => string)() : s.url;
      const res = await server.request(s.method, url, {
        ...(s.body !== undefined ? { body: s.body } : {}),
        ...(s.auth ? { token: s.auth === "superuser" ? su : tokens[s.auth] } : {}),
      });
      const text = JSON.stringify(res.body);
      assert.equal(res.status, s.status, text);
      for (const c of s.contains ?? []) assert.ok(text.includes(c), `expected ${c} in ${text}`);
      for (const c of s.notContains ?? []) assert.ok(!text.includes(c), `did not expect ${c} in ${text}`);
      assert.ok(res.headers.get("x-request-id"), "every response has an X-Request-Id");
    });
  }
});

test("deleting a post cascades to its comments", async () => {
  const res = await server.request("DELETE", `/api/collections/posts/records/${ids["first"]}`, {
    token: tokens["user"],
  });
  assert.equal(res.status, 204);
  const c = await server.request("GET", `/api/collections/comments/records/${ids["comment"]}`);
  assert.equal(c.status, 404);
});
