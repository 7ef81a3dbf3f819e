// The typed WebSocket client shipped in the package (plinth/client), against a listening server with
// Node's own WebSocket: subscriptions with options, reconnect with resume, channels and errors.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  type ChannelEvent,
  RealtimeError,
  RealtimeSocket,
  type RecordEvent,
} from "../../src/client/index.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

let server: TestServer;
let su: string;
const clients: RealtimeSocket[] = [];

async function waitUntil(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 800 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), what);
}

async function create(title: string, n: number): Promise<string> {
  const res = await server.request("POST", "/api/collections/items/records", {
    token: su,
    body: { title, n },
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return String((res.body as Record<string, unknown>)["id"]);
}

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
  const made = await server.request("POST", "/api/collections", {
    token: su,
    body: {
      name: "items",
      type: "base",
      listRule: "",
      viewRule: "",
      fields: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    },
  });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const saved = await server.request("PATCH", "/api/settings", {
    token: su,
    body: {
      realtime: {
        channels: [
          { name: "chat", listenRule: "", publishRule: "", presence: true },
          { name: "news", listenRule: "", publishRule: null, presence: false },
        ],
      },
    },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
});

after(async () => {
  for (const c of clients) c.close();
  await server?.close();
});

describe("RealtimeSocket", () => {
  test("subscribes with a filter and fields, and resumes after the server drops it", async () => {
    const events: RecordEvent<{ title: string }>[] = [];
    let connects = 0;
    const rt = new RealtimeSocket(server.url, { onConnect: () => connects++, minReconnectMs: 20 });
    clients.push(rt);
    await rt.subscribe<{ title: string }>("items", "*", (e) => events.push(e), {
      filter: "n > 10",
      fields: "title",
    });
    await create("small", 1);
    await create("big", 20);
    await waitUntil("one event", () => events.length === 1);
    assert.deepEqual(events[0], { action: "create", record: { title: "big" } });
    server.app.services.realtime.disconnect(rt.clientId);
    await create("while away", 30);
    await waitUntil("reconnected and resumed", () => connects === 2 && events.length === 2);
    assert.deepEqual(events[1], { action: "create", record: { title: "while away" } });
    await create("live", 40);
    await waitUntil("live again", () => events.length === 3);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(
      events.map((e) => e.record.title),
      ["big", "while away", "live"],
    );
  });

  test("channels: presence and broadcasts; refusals are RealtimeErrors in the shared shape", async () => {
    const seen: ChannelEvent[] = [];
    const listener = new RealtimeSocket(server.url);
    clients.push(listener);
    await listener.channel("chat", (e) => seen.push(e));
    const member = new RealtimeSocket(server.url);
    clients.push(member);
    await member.ready();
    const members = await member.join("chat", { typing: false });
    assert.deepEqual(members, [{ id: member.presenceId, auth: null, state: { typing: false } }]);
    await server.app.services.realtime.publish("chat", "notice", { text: "hi" });
    await waitUntil("sync, join and the broadcast", () => seen.length === 3);
    assert.deepEqual(
      seen.map((e) => (e.type === "broadcast" ? e.event : e.action)),
      ["sync", "join", "notice"],
    );
    await assert.rejects(member.publish("news", "x"), (err: unknown) => {
      assert.ok(err instanceof RealtimeError);
      assert.equal(err.status, 403);
      return true;
    });
    await assert.rejects(
      member.subscribe("nope", "*", () => {}).then(() => member.channel("missing", () => {})),
      {
        name: "RealtimeError",
      },
    );
    assert.ok((await member.ping()) >= 0);
  });

  test("after a reconnect, a channel refused now is dropped and reported; the rest is restored", async () => {
    const events: RecordEvent[] = [];
    const refused: [number, string][] = [];
    const rt = new RealtimeSocket(server.url, {
      minReconnectMs: 20,
      onError: (err, what) => refused.push([err.status, what]),
    });
    clients.push(rt);
    await rt.channel("news", () => {});
    await rt.subscribe("items", "*", (e) => events.push(e));
    const saved = await server.request("PATCH", "/api/settings", {
      token: su,
      body: { realtime: { channels: [{ name: "chat", listenRule: "", publishRule: "", presence: true }] } },
    });
    assert.equal(saved.status, 200, JSON.stringify(saved.body));
    server.app.services.realtime.disconnect(rt.clientId);
    await waitUntil("the refusal is reported", () => refused.length === 1);
    assert.deepEqual(refused, [[404, "@news"]]);
    await rt.ready();
    await create("after the reconnect", 1);
    await waitUntil("record events go on", () => events.length === 1);
  });
});
