// Realtime with the official SDK: what an event reveals is what REST reveals to that subscriber
// (emailVisibility, expand through relations it cannot view, @request.context), and an email change
// ends the connection's authentication as a password change does.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { EventSource } from "eventsource";
import type PocketBase from "pocketbase";
import { collector, settle } from "./realtime-fixture.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { authId, newClient, rejection, superuserClient, userClient } from "./sdk-fixture.ts";

(globalThis as { EventSource?: unknown }).EventSource = EventSource;

let server: TestServer;
let su: PocketBase;
let alice: PocketBase;
let bob: PocketBase;
/** Every client a test made, so `after` closes their streams even when a test failed midway. */
const clients: PocketBase[] = [];

function tracked(pb: PocketBase): PocketBase {
  clients.push(pb);
  return pb;
}

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  alice = await userClient(server, "alice@example.com");
  bob = await userClient(server, "bob@example.com");
  // users are listable by anyone here, so email visibility is what decides whether an email is sent
  await su.collections.update("users", { listRule: "", viewRule: "" });
  await su.collections.create({ name: "markers", type: "base", listRule: "", viewRule: "", fields: [] });
  await su.collections.create({
    name: "vault",
    type: "base",
    listRule: "owner = @request.auth.id",
    viewRule: "owner = @request.auth.id",
    fields: [
      { name: "label", type: "text" },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
  const vault = await su.collections.getOne("vault");
  await su.collections.create({
    name: "posts",
    type: "base",
    listRule: "",
    viewRule: "",
    fields: [
      { name: "title", type: "text" },
      { name: "box", type: "relation", collectionId: vault.id, maxSelect: 1 },
    ],
  });
  await su.collections.create({
    name: "live_only",
    type: "base",
    listRule: '@request.context = "realtime"',
    viewRule: '@request.context = "realtime"',
    fields: [{ name: "title", type: "text" }],
  });
});

after(async () => {
  for (const pb of [su, alice, bob, ...clients]) pb?.realtime.unsubscribe();
  await server?.close();
});

describe("realtime events reveal what REST reveals", () => {
  test("an email is sent only to whom REST shows it: the owner, a superuser, or everyone when visible", async () => {
    const bobSeen = collector();
    const suSeen = collector();
    const aliceSeen = collector();
    const offs = [
      await bob.collection("users").subscribe(authId(alice), bobSeen.handler),
      await su.collection("users").subscribe(authId(alice), suSeen.handler),
      await alice.collection("users").subscribe(authId(alice), aliceSeen.handler),
    ];
    await su.collection("users").update(authId(alice), { name: "hidden email" });
    await su.collection("users").update(authId(alice), { name: "shown email", emailVisibility: true });
    const [bobHidden, bobShown] = await bobSeen.next(2);
    const [suHidden] = await suSeen.next(1);
    const [aliceHidden] = await aliceSeen.next(1);
    assert.equal(bobHidden!.record["email"], undefined, "another user does not get a hidden email");
    assert.equal(bobShown!.record["email"], "alice@example.com");
    assert.equal(suHidden!.record["email"], "alice@example.com");
    assert.equal(aliceHidden!.record["email"], "alice@example.com");
    for (const e of [bobHidden!, suHidden!, aliceHidden!]) {
      assert.equal(e.record["password"], undefined);
      assert.equal(e.record["tokenKey"], undefined);
    }
    // the same as REST gives bob
    const rest = await bob.collection("users").getOne(authId(alice));
    assert.deepEqual(bobShown!.record, { ...rest, collectionName: "users" });
    for (const off of offs) await off();
  });

  test("expand leaves out a related record the subscriber cannot view, as REST does", async () => {
    const box = await su.collection("vault").create({ label: "alice's box", owner: authId(alice) });
    const aliceSeen = collector();
    const bobSeen = collector();
    const offA = await alice.collection("posts").subscribe("*", aliceSeen.handler, { expand: "box" });
    const offB = await bob.collection("posts").subscribe("*", bobSeen.handler, { expand: "box" });
    const post = await su.collection("posts").create({ title: "public post", box: box.id });
    const [forAlice] = await aliceSeen.next(1);
    const [forBob] = await bobSeen.next(1);
    assert.equal((forAlice!.record["expand"] as { box: { label: string } }).box.label, "alice's box");
    assert.equal(forBob!.record["expand"], undefined, JSON.stringify(forBob!.record));
    assert.equal(forBob!.record["box"], box.id, "the id itself is a field of the visible record");
    const rest = await bob.collection("posts").getOne(post.id, { expand: "box" });
    assert.deepEqual(forBob!.record["expand"], rest.expand);
    await offA();
    await offB();
  });

  test('rules see @request.context = "realtime": a realtime-only collection is sent, REST refuses it', async () => {
    const seen = collector();
    const off = await bob.collection("live_only").subscribe("*", seen.handler);
    const record = await su.collection("live_only").create({ title: "pushed" });
    const [event] = await seen.next(1);
    assert.equal(event!.record.id, record.id);
    await rejection(bob.collection("live_only").getOne(record.id), 404);
    const list = await bob.collection("live_only").getList(1, 10);
    assert.equal(list.totalItems, 0);
    await off();
  });
});

describe("realtime auth follows the auth record", () => {
  test("an email change drops the connection's auth: it no longer receives the user's records", async () => {
    const dave = tracked(await userClient(server, "dave@example.com"));
    const seen = collector();
    const off = await dave.collection("vault").subscribe("*", seen.handler);
    await su.collection("vault").create({ label: "before", owner: authId(dave) });
    await seen.next(1);
    await su.collection("users").update(authId(dave), { email: "dave2@example.com" });
    await su.collection("vault").create({ label: "after", owner: authId(dave) });
    await settle(su, dave);
    assert.deepEqual(
      seen.events.map((e) => e.record["label"]),
      ["before"],
    );
    await off();
  });

  test("a change that keeps the token key keeps the auth, with the record's new fields in rules", async () => {
    const erin = tracked(await userClient(server, "erin@example.com"));
    await su.collections.create({
      name: "named",
      type: "base",
      listRule: '@request.auth.name = "insider"',
      viewRule: '@request.auth.name = "insider"',
      fields: [{ name: "title", type: "text" }],
    });
    const seen = collector();
    const off = await erin.collection("named").subscribe("*", seen.handler);
    await su.collection("named").create({ title: "not yet" });
    await su.collection("users").update(authId(erin), { name: "insider" });
    await su.collection("named").create({ title: "now" });
    await seen.next(1);
    await settle(su, erin);
    assert.deepEqual(
      seen.events.map((e) => e.record["title"]),
      ["now"],
    );
    await off();
  });

  test("a guest connection stays a guest for owner rules", async () => {
    const guest = tracked(newClient(server));
    const seen = collector();
    const off = await guest.collection("vault").subscribe("*", seen.handler);
    await su.collection("vault").create({ label: "owned", owner: authId(bob) });
    await settle(su, guest);
    assert.deepEqual(seen.events, []);
    await off();
  });
});
