// Realtime event ids and missed-event replay over SSE: numbered events in commit order, a reconnect
// with Last-Event-ID (given, or sent by EventSource itself) gets what it missed, checked against the
// rules as live events are, and PB_RESYNC when that can no longer be replayed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connectSse, type SseClient, type SseMessage } from "../support/sse-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

let server: TestServer;
let su: string;
const open: SseClient[] = [];

async function create(collection: string, body: Record<string, unknown>): Promise<string> {
  const res = await server.request("POST", `/api/collections/${collection}/records`, { body, token: su });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return String((res.body as Record<string, unknown>)["id"]);
}

async function sse(options: Parameters<typeof connectSse>[1], on = server): Promise<SseClient> {
  const client = await connectSse(on.url, options);
  open.push(client);
  return client;
}

function summary(messages: readonly SseMessage[]) {
  return messages.map((m) => {
    const record = m.data["record"] as Record<string, unknown> | undefined;
    return [m.name, m.data["action"], record?.["title"]];
  });
}

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
  const made = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name: "feed",
      type: "base",
      listRule: "public = true",
      viewRule: "public = true",
      fields: [
        { name: "title", type: "text" },
        { name: "public", type: "bool" },
      ],
    },
  });
  assert.equal(made.status, 200, JSON.stringify(made.body));
});

after(async () => {
  for (const c of open) c.close();
  await server?.close();
});

describe("realtime event ids and replay", () => {
  test("events are numbered in commit order, one number per change", async () => {
    const client = await sse({ topics: ["feed/*"] });
    const id = await create("feed", { title: "a", public: true });
    await server.request("PATCH", `/api/collections/feed/records/${id}`, { token: su, body: { title: "b" } });
    await server.request("DELETE", `/api/collections/feed/records/${id}`, { token: su });
    const got = await client.next(3);
    const ids = got.map((m) => Number(m.id));
    assert.ok(ids.every(Number.isSafeInteger), JSON.stringify(got));
    assert.deepEqual(ids, [ids[0], ids[0]! + 1, ids[0]! + 2]);
    assert.deepEqual(summary(got), [
      ["feed/*", "create", "a"],
      ["feed/*", "update", "b"],
      ["feed/*", "delete", "b"],
    ]);
    client.close();
  });

  test("a client that reconnects with Last-Event-ID gets what it missed, in order, filtered by the rules", async () => {
    const first = await sse({ topics: ["feed/*"] });
    const kept = await create("feed", { title: "seen", public: true });
    const [seen] = await first.next(1);
    first.close();
    // while away: a visible create, one that is never visible, one that stops matching, a delete
    await create("feed", { title: "missed", public: true });
    await create("feed", { title: "private", public: false });
    const hidden = await create("feed", { title: "was public", public: true });
    await server.request("PATCH", `/api/collections/feed/records/${hidden}`, {
      token: su,
      body: { public: false },
    });
    await server.request("DELETE", `/api/collections/feed/records/${kept}`, { token: su });
    const back = await sse({ lastEventId: seen!.id, topics: ["feed/*"] });
    const got = await back.next(2);
    assert.deepEqual(summary(got), [
      ["feed/*", "create", "missed"],
      ["feed/*", "delete", "seen"],
    ]);
    assert.ok(Number(got[0]!.id) > Number(seen!.id) && Number(got[1]!.id) > Number(got[0]!.id));
    // and it is live again afterwards, numbering on
    await create("feed", { title: "live", public: true });
    const [, , live] = await back.next(3);
    assert.deepEqual(summary([live!]), [["feed/*", "create", "live"]]);
    assert.ok(Number(live!.id) > Number(got[1]!.id));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(back.messages.length, 3, JSON.stringify(back.messages)); // nothing twice
  });

  test("EventSource's own reconnect sends Last-Event-ID and gets what happened meanwhile", async () => {
    const client = await sse({ topics: ["feed/*"] });
    await create("feed", { title: "before drop", public: true });
    await client.next(1);
    server.app.services.realtime.disconnect(client.clientId());
    await create("feed", { title: "during drop", public: true });
    await client.reconnected(1);
    const got = await client.next(2);
    assert.deepEqual(summary(got), [
      ["feed/*", "create", "before drop"],
      ["feed/*", "create", "during drop"],
    ]);
  });

  test("a client that saw no event resumes by its old client id", async () => {
    const client = await sse({ topics: ["feed/*"] });
    const oldId = client.clientId();
    client.close();
    server.app.services.realtime.disconnect(oldId);
    await create("feed", { title: "after connect", public: true });
    const back = await sse({ lastEventId: oldId, topics: ["feed/*"] });
    const got = await back.next(1);
    assert.deepEqual(summary(got), [["feed/*", "create", "after connect"]]);
  });

  test("an id that is not known here gets PB_RESYNC with the last event id", async () => {
    const last = server.app.services.realtime.lastEventId;
    for (const lastEventId of [String(last + 1000), "no-such-client"]) {
      const client = await sse({ lastEventId, topics: ["feed/*"] });
      const [message] = await client.next(1);
      assert.equal(message!.name, "PB_RESYNC");
      assert.equal(message!.data["lastEventId"], String(last));
      assert.equal(typeof message!.data["reason"], "string");
      client.close();
    }
  });
});

describe("realtime replay limits", () => {
  let small: TestServer;
  before(async () => {
    small = await startTestServer({ realtimeReplayMaxEvents: 3 });
    const token = await small.superuserToken();
    const made = await small.request("POST", "/api/collections", {
      token,
      body: {
        name: "feed",
        type: "base",
        listRule: "",
        viewRule: "",
        fields: [{ name: "title", type: "text" }],
      },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
  });
  after(() => small?.close());

  test("more missed events than are replayed gets PB_RESYNC; the stream then goes on live", async () => {
    const token = await small.superuserToken();
    const write = async (title: string) => {
      const res = await small.request("POST", "/api/collections/feed/records", { token, body: { title } });
      assert.equal(res.status, 200);
    };
    const first = await sse({ topics: ["feed/*"] }, small);
    await write("seen");
    const [seen] = await first.next(1);
    first.close();
    for (let i = 0; i < 5; i++) await write(`missed ${i}`);
    const back = await sse({ lastEventId: seen!.id, topics: ["feed/*"] }, small);
    const [resync] = await back.next(1);
    assert.equal(resync!.name, "PB_RESYNC");
    assert.equal(resync!.data["lastEventId"], String(Number(seen!.id) + 5));
    await write("live");
    const [, live] = await back.next(2);
    assert.deepEqual(summary([live!]), [["feed/*", "create", "live"]]);
  });
});
