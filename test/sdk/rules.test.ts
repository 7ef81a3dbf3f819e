import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import type { RecordModel } from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import {
  assertErrorShape,
  authId,
  newClient,
  rejection,
  superuserClient,
  userClient,
} from "./sdk-fixture.ts";

let server: TestServer;
let su: PocketBase;
let alice: PocketBase;
let bob: PocketBase;
let guest: PocketBase;
let aliceNote: RecordModel;
let bobNote: RecordModel;

const OWNER = "owner = @request.auth.id";

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  alice = await userClient(server, "alice@example.com");
  bob = await userClient(server, "bob@example.com");
  guest = newClient(server);
  await su.collections.create({
    name: "notes",
    type: "base",
    listRule: OWNER,
    viewRule: OWNER,
    createRule: null,
    updateRule: OWNER,
    deleteRule: OWNER,
    fields: [
      { name: "text", type: "text" },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
  await su.collections.create({
    name: "drafts",
    type: "base",
    listRule: null,
    viewRule: null,
    createRule: `@request.auth.id != "" && ${OWNER}`,
    fields: [
      { name: "text", type: "text" },
      { name: "owner", type: "relation", collectionId: "_pb_users_auth_", maxSelect: 1 },
    ],
  });
  aliceNote = await su.collection("notes").create({ text: "alice 1", owner: authId(alice) });
  await su.collection("notes").create({ text: "alice 2", owner: authId(alice) });
  bobNote = await su.collection("notes").create({ text: "bob 1", owner: authId(bob) });
});

after(() => server?.close());

describe("SDK: listRule owner = @request.auth.id", () => {
  test("a user lists only their own records", async () => {
    const list = await alice.collection("notes").getFullList({ sort: "text" });
    assert.deepEqual(
      list.map((r) => r["text"]),
      ["alice 1", "alice 2"],
    );
  });

  test("another user lists only theirs", async () => {
    const list = await bob.collection("notes").getFullList();
    assert.deepEqual(
      list.map((r) => r["text"]),
      ["bob 1"],
    );
  });

  test("the rule still applies on top of a client filter", async () => {
    const list = await alice.collection("notes").getList(1, 10, { filter: 'text ~ "bob"' });
    assert.equal(list.totalItems, 0);
  });

  test("a guest gets an empty list, not an error", async () => {
    const list = await guest.collection("notes").getList(1, 10);
    assert.equal(list.totalItems, 0);
    assert.deepEqual(list.items, []);
  });

  test("a superuser lists every record", async () => {
    const list = await su.collection("notes").getFullList();
    assert.equal(list.length, 3);
  });
});

describe("SDK: viewRule, updateRule and deleteRule", () => {
  test("a user views their own record", async () => {
    const rec = await alice.collection("notes").getOne(aliceNote.id);
    assert.equal(rec["text"], "alice 1");
  });

  test("viewing someone else's record is a 404", async () => {
    const err = await rejection(alice.collection("notes").getOne(bobNote.id), 404);
    assertErrorShape(err);
  });

  test("updating someone else's record is a 404 and changes nothing", async () => {
    await rejection(alice.collection("notes").update(bobNote.id, { text: "hacked" }), 404);
    const rec = await su.collection("notes").getOne(bobNote.id);
    assert.equal(rec["text"], "bob 1");
  });

  test("a user updates their own record", async () => {
    const rec = await bob.collection("notes").update(bobNote.id, { text: "bob 1" });
    assert.equal(rec["text"], "bob 1");
  });

  test("deleting someone else's record is a 404", async () => {
    await rejection(bob.collection("notes").delete(aliceNote.id), 404);
    await su.collection("notes").getOne(aliceNote.id);
  });
});

describe("SDK: null rules are superuser-only", () => {
  test("createRule null refuses a user with 403", async () => {
    const err = await rejection(
      alice.collection("notes").create({ text: "nope", owner: authId(alice) }),
      403,
    );
    assertErrorShape(err);
  });

  test("createRule null refuses a guest with 403", async () => {
    await rejection(guest.collection("notes").create({ text: "nope" }), 403);
  });

  test("createRule null lets a superuser create", async () => {
    const rec = await su.collection("notes").create({ text: "by su", owner: authId(bob) });
    assert.equal(rec["text"], "by su");
    await su.collection("notes").delete(rec.id);
  });

  test("listRule null refuses a user with 403", async () => {
    const err = await rejection(alice.collection("drafts").getList(1, 10), 403);
    assertErrorShape(err);
  });

  test("viewRule null refuses a user with 403", async () => {
    const draft = await su.collection("drafts").create({ text: "d", owner: authId(alice) });
    await rejection(alice.collection("drafts").getOne(draft.id), 403);
  });
});

describe("SDK: createRule with the new record's fields", () => {
  test("a user creates a record they own", async () => {
    const rec = await alice.collection("drafts").create({ text: "mine", owner: authId(alice) });
    assert.equal(rec["owner"], authId(alice));
  });

  test("a user cannot create a record owned by someone else (400)", async () => {
    const err = await rejection(
      alice.collection("drafts").create({ text: "forged", owner: authId(bob) }),
      400,
    );
    assertErrorShape(err);
  });

  test("a guest cannot create (400)", async () => {
    await rejection(guest.collection("drafts").create({ text: "anon" }), 400);
  });
});
