import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import { ClientResponseError } from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import {
  assertErrorShape,
  fieldCode,
  newClient,
  rejection,
  superuserClient,
  userClient,
} from "./sdk-fixture.ts";

let server: TestServer;
let su: PocketBase;
let alice: PocketBase;
let guest: PocketBase;

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  alice = await userClient(server, "alice@example.com");
  guest = newClient(server);
  await su.collections.create({
    name: "things",
    type: "base",
    listRule: "",
    viewRule: "",
    createRule: "",
    updateRule: null,
    deleteRule: null,
    fields: [
      { name: "title", type: "text", required: true, max: 10 },
      { name: "count", type: "number", min: 0, onlyInt: true },
      { name: "contact", type: "email" },
      { name: "site", type: "url" },
      { name: "tags", type: "select", values: ["a", "b", "c"], maxSelect: 2 },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
});

after(() => server?.close());

describe("SDK: ClientResponseError", () => {
  test("is thrown with status, url and isAbort false", async () => {
    try {
      await guest.collection("things").create({});
      assert.fail("expected an error");
    } catch (err) {
      assert.ok(err instanceof ClientResponseError);
      assert.equal(err.status, 400);
      assert.equal(err.isAbort, false);
      assert.ok(err.url.endsWith("/api/collections/things/records"), err.url);
    }
  });

  test("its message is the server's message", async () => {
    const err = await rejection(guest.collection("things").create({}), 400);
    assert.equal(err.message, err.response["message"]);
    assert.ok(err.message.length > 0);
  });

  test("the body has exactly status, message and data", async () => {
    const err = await rejection(guest.collection("things").create({}), 400);
    assertErrorShape(err);
    assert.deepEqual(Object.keys(err.response).sort(), ["data", "message", "status"]);
  });
});

describe("SDK: validation error codes in response.data", () => {
  test("a missing required field is validation_required with a message", async () => {
    const err = await rejection(guest.collection("things").create({ count: 1 }), 400);
    assert.equal(fieldCode(err, "title"), "validation_required");
    const data = err.response["data"] as Record<string, { message?: unknown }>;
    assert.equal(typeof data["title"]?.message, "string");
  });

  test("only the failing fields are listed", async () => {
    const err = await rejection(guest.collection("things").create({ count: 1 }), 400);
    assert.deepEqual(Object.keys(err.response["data"] as object), ["title"]);
  });

  test("several failing fields are reported together", async () => {
    const err = await rejection(
      guest.collection("things").create({ title: "far too long a title", count: -1 }),
      400,
    );
    assert.equal(fieldCode(err, "title"), "validation_max_text_constraint");
    assert.equal(fieldCode(err, "count"), "validation_min_number_constraint");
  });

  test("a decimal in an onlyInt number is validation_only_int_constraint", async () => {
    const err = await rejection(guest.collection("things").create({ title: "t", count: 1.5 }), 400);
    assert.equal(fieldCode(err, "count"), "validation_only_int_constraint");
  });

  test("a malformed email is validation_is_email", async () => {
    const err = await rejection(
      guest.collection("things").create({ title: "t", contact: "not-an-email" }),
      400,
    );
    assert.equal(fieldCode(err, "contact"), "validation_is_email");
  });

  test("a malformed url is validation_invalid_url", async () => {
    const err = await rejection(guest.collection("things").create({ title: "t", site: "not a url" }), 400);
    assert.equal(fieldCode(err, "site"), "validation_invalid_url");
  });

  test("too many select values is validation_too_many_values", async () => {
    const err = await rejection(
      guest.collection("things").create({ title: "t", tags: ["a", "b", "c"] }),
      400,
    );
    assert.equal(fieldCode(err, "tags"), "validation_too_many_values");
  });

  test("a relation to a missing record is validation_missing_rel_records", async () => {
    const err = await rejection(
      guest.collection("things").create({ title: "t", owner: "nosuchuser0000" }),
      400,
    );
    assert.equal(fieldCode(err, "owner"), "validation_missing_rel_records");
  });
});

describe("SDK: status codes", () => {
  test("an unknown collection is a 404 on list", async () => {
    const err = await rejection(guest.collection("no_such_collection").getList(1, 10), 404);
    assertErrorShape(err);
  });

  test("an unknown collection is a 404 on create", async () => {
    const err = await rejection(alice.collection("no_such_collection").create({ a: 1 }), 404);
    assertErrorShape(err);
  });

  test("a null updateRule is a 403 for a user", async () => {
    const rec = await guest.collection("things").create({ title: "t" });
    const err = await rejection(alice.collection("things").update(rec.id, { title: "u" }), 403);
    assertErrorShape(err);
  });

  test("a null deleteRule is a 403 for a guest", async () => {
    const rec = await guest.collection("things").create({ title: "t" });
    await rejection(guest.collection("things").delete(rec.id), 403);
  });

  test("collection management without auth is a 401", async () => {
    const err = await rejection(guest.collections.getFullList(), 401);
    assertErrorShape(err);
  });

  test("an unknown API route is a 404 with the same body shape", async () => {
    const err = await rejection(guest.send("/api/no/such/route", {}), 404);
    assertErrorShape(err);
  });

  test("a malformed JSON body is a 400", async () => {
    const err = await rejection(
      guest.send("/api/collections/things/records", { method: "POST", body: "{not json" }),
      400,
    );
    assertErrorShape(err);
  });

  test("an invalid token is treated as a guest on a public list", async () => {
    const pb = newClient(server);
    pb.authStore.save("not.a.token", null);
    const list = await pb.collection("things").getList(1, 1);
    assert.ok(list.totalItems >= 0);
  });

  test("a filter error never leaks SQL", async () => {
    const err = await rejection(guest.collection("things").getList(1, 10, { filter: "nope = 1" }), 400);
    assert.doesNotMatch(JSON.stringify(err.response), /SELECT|sqlite|no such column/i);
  });
});
