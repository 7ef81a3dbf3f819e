import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { fieldCode, rejection, superuserClient } from "./sdk-fixture.ts";

let server: TestServer;
let su: PocketBase;

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  await su.collections.create({
    name: "forms",
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: "",
    updateRule: "",
    fields: [
      { name: "title", type: "text", required: true },
      { name: "code", type: "text" },
      { name: "count", type: "number" },
      { name: "active", type: "bool" },
      { name: "tags", type: "select", values: ["a", "b", "c"], maxSelect: 3 },
      { name: "meta", type: "json" },
    ],
  });
});

after(() => server?.close());

describe("SDK: multipart/form-data bodies", () => {
  test("plain string fields are cast to the field types", async () => {
    const form = new FormData();
    form.append("title", "from a form");
    form.append("count", "5");
    form.append("active", "true");
    const rec = await su.collection("forms").create(form);
    assert.equal(rec["title"], "from a form");
    assert.equal(rec["count"], 5);
    assert.equal(rec["active"], true);
  });

  test("a numeric-looking value stays a string in a text field", async () => {
    const form = new FormData();
    form.append("title", "t");
    form.append("code", "007");
    const rec = await su.collection("forms").create(form);
    assert.equal(rec["code"], "007");
  });

  test("a repeated key becomes a multi-select array", async () => {
    const form = new FormData();
    form.append("title", "t");
    form.append("tags", "a");
    form.append("tags", "c");
    const rec = await su.collection("forms").create(form);
    assert.deepEqual(rec["tags"], ["a", "c"]);
  });

  test("@jsonPayload fields are merged into the body", async () => {
    const form = new FormData();
    form.append("title", "with payload");
    form.append("@jsonPayload", JSON.stringify({ meta: { nested: { ok: true } }, tags: ["b"] }));
    const rec = await su.collection("forms").create(form);
    assert.equal(rec["title"], "with payload");
    assert.deepEqual(rec["meta"], { nested: { ok: true } });
    assert.deepEqual(rec["tags"], ["b"]);
  });

  test("several @jsonPayload parts are all merged (the SDK sends one per object field)", async () => {
    const form = new FormData();
    form.append("@jsonPayload", JSON.stringify({ title: "split" }));
    form.append("@jsonPayload", JSON.stringify({ meta: [1, 2, 3] }));
    const rec = await su.collection("forms").create(form);
    assert.equal(rec["title"], "split");
    assert.deepEqual(rec["meta"], [1, 2, 3]);
  });

  test("a body holding a Blob is sent by the SDK as FormData and its other values are kept", async () => {
    // The SDK switches to FormData when any value is a Blob and wraps object values in @jsonPayload.
    const rec = await su.collection("forms").create({
      title: "auto form",
      count: 3,
      meta: { from: "sdk" },
      unrelated: new Blob(["not stored"], { type: "text/plain" }),
    });
    assert.equal(rec["title"], "auto form");
    assert.equal(rec["count"], 3);
    assert.deepEqual(rec["meta"], { from: "sdk" });
  });

  test("an update with a FormData body applies modifiers", async () => {
    const rec = await su.collection("forms").create({ title: "counter", count: 10, tags: ["a"] });
    const form = new FormData();
    form.append("count+", "2");
    form.append("tags+", "b");
    const updated = await su.collection("forms").update(rec.id, form);
    assert.equal(updated["count"], 12);
    assert.deepEqual(updated["tags"], ["a", "b"]);
  });

  test("validation errors have the same shape as for JSON bodies", async () => {
    const form = new FormData();
    form.append("count", "1");
    const err = await rejection(su.collection("forms").create(form), 400);
    assert.equal(fieldCode(err, "title"), "validation_required");
  });

  test("a malformed @jsonPayload is a 400", async () => {
    const form = new FormData();
    form.append("@jsonPayload", "{broken");
    await rejection(su.collection("forms").create(form), 400);
  });
});
