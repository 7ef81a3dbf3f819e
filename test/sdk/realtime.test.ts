// Realtime with the official SDK over SSE (PocketBase protocol), with an EventSource from npm.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { EventSource } from "eventsource";
import type PocketBase from "pocketbase";
import { collector, settle } from "./realtime-fixture.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { authId, newClient, superuserClient, userClient } from "./sdk-fixture.ts";

(globalThis as { EventSource?: unknown }).EventSource = EventSource;

let server: TestServer;
let su: PocketBase;
let alice: PocketBase;
let bob: PocketBase;
let guest: PocketBase;

const OWNER = "owner = @request.auth.id";

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  alice = await userClient(server, "alice@example.com", { name: "Alice" });
  bob = await userClient(server, "bob@example.com");
  guest = newClient(server);
  await su.collections.create({
    name: "notes",
    type: "base",
    listRule: OWNER,
    viewRule: OWNER,
    createRule: "",
    updateRule: OWNER,
    deleteRule: OWNER,
    fields: [
      { name: "text", type: "text" },
      { name: "secret", type: "text", hidden: true },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
  await su.collections.create({ name: "markers", type: "base", listRule: "", viewRule: "", fields: [] });
});

after(async () => {
  for (const pb of [su, alice, bob, guest]) pb?.realtime.unsubscribe();
  await server?.close();
});

describe("realtime over SSE with the SDK", () => {
  test("create, update and delete reach a subscriber as the REST API shapes them", async () => {
    const seen = collector();
    const off = await alice.collection("notes").subscribe("*", seen.handler, { expand: "owner" });
    const note = await alice.collection("notes").create({ text: "hi", secret: "s", owner: authId(alice) });
    await alice.collection("notes").update(note.id, { text: "changed" });
    await alice.collection("notes").delete(note.id);
    const [created, updated, deleted] = await seen.next(3);
    assert.equal(created!.action, "create");
    assert.equal(created!.record["text"], "hi");
    assert.equal(created!.record["secret"], undefined, "hidden field not sent");
    assert.equal((created!.record["expand"] as { owner: { id: string } }).owner.id, authId(alice));
    assert.equal(updated!.action, "update");
    assert.equal(updated!.record["text"], "changed");
    assert.equal(deleted!.action, "delete");
    assert.equal(deleted!.record["id"], note.id);
    const rest = await alice
      .collection("notes")
      .getList(1, 1, { expand: "owner" })
      .catch(() => null);
    assert.ok(rest !== null);
    await off();
  });

  test("a subscriber only learns of records its rules let it view", async () => {
    const bobSeen = collector();
    const guestSeen = collector();
    const offBob = await bob.collection("notes").subscribe("*", bobSeen.handler);
    const offGuest = await guest.collection("notes").subscribe("*", guestSeen.handler);
    const mine = await alice.collection("notes").create({ text: "alice only", owner: authId(alice) });
    const bobs = await bob.collection("notes").create({ text: "bob's", owner: authId(bob) });
    await alice.collection("notes").delete(mine.id);
    await settle(su, bob);
    await settle(su, guest);
    assert.deepEqual(
      bobSeen.events.map((e) => [e.action, e.record.id]),
      [["create", bobs.id]],
    );
    assert.deepEqual(guestSeen.events, []);
    await offBob();
    await offGuest();
  });

  test("a record that stops matching is no longer sent; a filter narrows further", async () => {
    const seen = collector();
    const off = await alice.collection("notes").subscribe("*", seen.handler, { filter: 'text ~ "keep"' });
    const note = await alice.collection("notes").create({ text: "keep me", owner: authId(alice) });
    await alice.collection("notes").update(note.id, { text: "drop me" });
    await su.collection("notes").update(note.id, { owner: authId(bob), text: "keep, but bob's" });
    await settle(su, alice);
    assert.deepEqual(
      seen.events.map((e) => [e.action, e.record["text"]]),
      [["create", "keep me"]],
    );
    await off();
  });

  test("a subscription to one record gets only that record's events", async () => {
    const a = await alice.collection("notes").create({ text: "one", owner: authId(alice) });
    const b = await alice.collection("notes").create({ text: "two", owner: authId(alice) });
    const seen = collector();
    const off = await alice.collection("notes").subscribe(a.id, seen.handler);
    await alice.collection("notes").update(b.id, { text: "two!" });
    await alice.collection("notes").update(a.id, { text: "one!" });
    const [only] = await seen.next(1);
    await settle(su, alice);
    assert.equal(seen.events.length, 1);
    assert.equal(only!.record.id, a.id);
    await off();
  });

  test("superusers see hidden fields; fields picks what is sent", async () => {
    const seen = collector();
    const picked = collector();
    const off = await su.collection("notes").subscribe("*", seen.handler);
    const offPicked = await su.collection("notes").subscribe("*", picked.handler, { fields: "id,text" });
    await su.collection("notes").create({ text: "x", secret: "classified", owner: authId(alice) });
    const [event] = await seen.next(1);
    const [narrow] = await picked.next(1);
    assert.equal(event!.record["secret"], "classified");
    assert.deepEqual(Object.keys(narrow!.record).sort(), ["id", "text"]);
    await off();
    await offPicked();
  });

  test("a guest connection may become a user, but a user cannot become another", async () => {
    const pb = newClient(server);
    const seen = collector();
    await pb.collection("notes").subscribe("*", seen.handler);
    const clientId = pb.realtime.clientId;
    const token = alice.authStore.token;
    const upgrade = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: token },
      body: JSON.stringify({ clientId, subscriptions: ["notes/*"] }),
    });
    assert.equal(upgrade.status, 204);
    const other = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: bob.authStore.token },
      body: JSON.stringify({ clientId, subscriptions: ["notes/*"] }),
    });
    assert.equal(other.status, 403);
    const body = (await other.json()) as { status: number; message: string; data: object };
    assert.deepEqual(Object.keys(body).sort(), ["data", "message", "status"]);
    const missing = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId: "nope", subscriptions: [] }),
    });
    assert.equal(missing.status, 404);
    const invalid = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ subscriptions: "notes/*" }),
    });
    assert.equal(invalid.status, 400);
    pb.realtime.unsubscribe();
  });

  test("a password change drops the connection's auth: it no longer receives the user's records", async () => {
    const carol = await userClient(server, "carol@example.com");
    const seen = collector();
    const off = await carol.collection("notes").subscribe("*", seen.handler);
    await carol.collection("notes").create({ text: "before", owner: authId(carol) });
    await seen.next(1);
    await su.collection("users").update(authId(carol), {
      password: "another-password",
      passwordConfirm: "another-password",
    });
    await su.collection("notes").create({ text: "after", owner: authId(carol) });
    await settle(su, carol);
    assert.deepEqual(
      seen.events.map((e) => e.record["text"]),
      ["before"],
    );
    await off();
  });

  test("a client that stops reading is disconnected once its backlog passes the bound; others keep receiving", async () => {
    await su.collections.create({
      name: "bulk",
      type: "base",
      listRule: "",
      viewRule: "",
      createRule: "",
      fields: [{ name: "blob", type: "text", max: 200000 }],
    });
    const port = Number(new URL(server.url).port);
    const socket = connect(port, "127.0.0.1");
    socket.write("GET /api/realtime HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let head = "";
    const clientId = await new Promise<string>((resolve, reject) => {
      socket.on("data", function onData(chunk: Buffer) {
        head += chunk.toString();
        const m = /id:([A-Za-z0-9]+)\n/.exec(head);
        if (m) {
          socket.off("data", onData);
          resolve(m[1]!);
        }
      });
      socket.once("error", reject);
    });
    socket.pause(); // from now on the client reads nothing
    let closed = false;
    socket.on("close", () => void (closed = true));
    socket.on("error", () => {});
    const subscribed = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId, subscriptions: ["bulk/*"] }),
    });
    assert.equal(subscribed.status, 204);
    const reader = collector();
    const off = await guest.collection("bulk").subscribe("*", reader.handler, { fields: "id" });
    const before = server.app.services.realtime.connections;
    const blob = "x".repeat(100_000);
    let sent = 0;
    for (; sent < 400 && server.app.services.realtime.connections === before; sent++) {
      await guest.collection("bulk").create({ blob });
    }
    assert.equal(server.app.services.realtime.connections, before - 1, "the stalled client was dropped");
    await guest.collection("bulk").create({ blob: "after" });
    await reader.next(sent + 1);
    for (let i = 0; i < 200 && !closed; i++) await new Promise((r) => setTimeout(r, 10));
    socket.destroy();
    await off();
  });
});
