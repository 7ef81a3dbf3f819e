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

async function send(method: string, path: string, body: FormData | URLSearchParams) {
  const res = await fetch(server.url + path, { method, headers: { authorization: su }, body });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

test("a urlencoded body creates a collection", async () => {
  const body = new URLSearchParams({ name: "form_plain", type: "base", listRule: "", viewRule: "id != ''" });
  const res = await send("POST", "/api/collections", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.name, "form_plain");
  assert.equal(res.body.type, "base");
  assert.equal(res.body.listRule, "");
  assert.equal(res.body.viewRule, "id != ''");
  assert.equal(res.body.createRule, null);
});

test("a multipart body creates a collection", async () => {
  const body = new FormData();
  body.set("name", "form_multi");
  body.set("type", "auth");
  body.set("listRule", "");
  const res = await send("POST", "/api/collections", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.name, "form_multi");
  assert.equal(res.body.type, "auth");
  assert.equal(res.body.listRule, "");
  assert.ok(res.body.fields.some((f: { name: string }) => f.name === "email"));
});

test("a multipart body with @jsonPayload carries fields and indexes", async () => {
  const body = new FormData();
  body.set("name", "form_payload");
  body.set(
    "@jsonPayload",
    JSON.stringify({
      type: "base",
      fields: [
        { name: "title", type: "text", max: 20 },
        { name: "tags", type: "select", values: ["a", "b"], maxSelect: 2 },
      ],
      indexes: ["CREATE INDEX idx_form_payload_title ON form_payload (title)"],
    }),
  );
  const res = await send("POST", "/api/collections", body);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(
    res.body.fields.map((f: { name: string }) => f.name),
    ["id", "title", "tags"],
  );
  assert.equal(res.body.fields[1].max, 20);
  assert.equal(res.body.indexes.length, 1);
  const rec = await server.request("POST", "/api/collections/form_payload/records", {
    token: su,
    body: { title: "x", tags: ["a"] },
  });
  assert.equal(rec.status, 200, JSON.stringify(rec.body));
});

test("a urlencoded body updates a collection", async () => {
  const created = await server.request("POST", "/api/collections", {
    token: su,
    body: { name: "form_upd", type: "base" },
  });
  assert.equal(created.status, 200, JSON.stringify(created.body));
  const res = await send(
    "PATCH",
    "/api/collections/form_upd",
    new URLSearchParams({ name: "form_upd2", listRule: "" }),
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.id, created.body.id);
  assert.equal(res.body.name, "form_upd2");
  assert.equal(res.body.listRule, "");
});

test("an invalid form body gets the same validation errors as JSON", async () => {
  const res = await send(
    "POST",
    "/api/collections",
    new URLSearchParams({ name: "bad name!", type: "base" }),
  );
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.ok(res.body.data?.name, JSON.stringify(res.body));
});
