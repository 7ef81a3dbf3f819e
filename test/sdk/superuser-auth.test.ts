import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SUPERUSER, startTestServer, type TestServer } from "../support/test-server.ts";
import { assertErrorShape, newClient, rejection } from "./sdk-fixture.ts";

let server: TestServer;

before(async () => {
  server = await startTestServer();
  await server.superuserToken(); // creates root@example.com
});

after(() => server?.close());

describe("SDK: superuser auth", () => {
  test("authWithPassword returns a token and the superuser record", async () => {
    const pb = newClient(server);
    const auth = await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
    assert.equal(typeof auth.token, "string");
    assert.ok(auth.token.split(".").length === 3, "token is a JWT");
    assert.equal(auth.record.email, SUPERUSER.email);
    assert.equal(auth.record.collectionName, "_superusers");
    assert.equal(typeof auth.record.id, "string");
  });

  test("the auth store holds a valid superuser session after login", async () => {
    const pb = newClient(server);
    await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
    assert.equal(pb.authStore.isValid, true);
    assert.equal(pb.authStore.isSuperuser, true);
    assert.equal(pb.authStore.record?.email, SUPERUSER.email);
  });

  test("the superuser record never carries password or tokenKey", async () => {
    const pb = newClient(server);
    const auth = await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
    assert.equal("password" in auth.record, false);
    assert.equal("tokenKey" in auth.record, false);
  });

  test("authRefresh issues a new token for the same superuser", async () => {
    const pb = newClient(server);
    const first = await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
    const refreshed = await pb.collection("_superusers").authRefresh();
    assert.equal(typeof refreshed.token, "string");
    assert.equal(refreshed.record.id, first.record.id);
    assert.equal(pb.authStore.token, refreshed.token);
    assert.equal(pb.authStore.isValid, true);
  });

  test("authRefresh without a token is a 401", async () => {
    const pb = newClient(server);
    const err = await rejection(pb.collection("_superusers").authRefresh(), 401);
    assertErrorShape(err);
  });

  test("a wrong password is a 400 with the {status, message, data} body", async () => {
    const pb = newClient(server);
    const err = await rejection(
      pb.collection("_superusers").authWithPassword(SUPERUSER.email, "wrong-password"),
      400,
    );
    assertErrorShape(err);
    assert.equal(pb.authStore.isValid, false);
  });

  test("an unknown identity is the same 400 as a wrong password", async () => {
    const pb = newClient(server);
    const unknown = await rejection(
      pb.collection("_superusers").authWithPassword("nobody@example.com", "whatever123"),
      400,
    );
    const wrong = await rejection(
      pb.collection("_superusers").authWithPassword(SUPERUSER.email, "wrong-password"),
      400,
    );
    assert.equal(unknown.response["message"], wrong.response["message"]);
  });

  test("the superuser token authorizes collection management", async () => {
    const pb = newClient(server);
    await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
    const list = await pb.collections.getFullList();
    assert.ok(list.some((c) => c.name === "users"));
  });

  test("authStore.clear() drops the session so management is refused", async () => {
    const pb = newClient(server);
    await pb.collection("_superusers").authWithPassword(SUPERUSER.email, SUPERUSER.password);
    pb.authStore.clear();
    assert.equal(pb.authStore.isValid, false);
    const err = await rejection(pb.collections.getFullList(), 401);
    assertErrorShape(err);
  });
});
