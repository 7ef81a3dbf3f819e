// Broadcast channels and presence: declared in settings.realtime.channels with listen and publish
// rules, used over SSE (subscriptions "@name", POST /api/realtime/broadcast and /presence) and over
// WebSocket (publish/join/leave messages), and across two instances sharing a PostgreSQL bus.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { WebSocket } from "ws";
import type { Json } from "../support/json.ts";
import { freshPostgresSchema, postgresForTests } from "../support/postgres.ts";
import { connectSse } from "../support/sse-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const CHANNELS = [
  { name: "lobby", listenRule: "", publishRule: "@request.auth.id != ''", presence: false },
  { name: "staff", listenRule: "name = 'Alice'", publishRule: null, presence: false },
  { name: "rooms/*", listenRule: "", publishRule: "@request.query.param1 = id", presence: false },
  { name: "doc/*", listenRule: "", publishRule: "@request.auth.id != ''", presence: true },
];

/** A WebSocket client that collects messages and can send with acks. */
async function socket(server: TestServer, token?: string) {
  const ws = new WebSocket(`${server.url.replace("http", "ws")}/api/ws`, {
    headers: token ? { authorization: token } : {},
  });
  const messages: Record<string, Json>[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data)) as Record<string, Json>));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let next = 0;
  const waitFor = async (match: (m: Record<string, Json>) => boolean, what: string) => {
    for (let i = 0; i < 500; i++) {
      const found = messages.find(match);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail(`no ${what} in ${JSON.stringify(messages)}`);
  };
  return {
    ws,
    messages,
    waitFor,
    /** Sends a message and resolves with its reply (ack or error). */
    async call(message: Record<string, unknown>) {
      const id = ++next;
      ws.send(JSON.stringify({ ...message, id }));
      return waitFor((m) => m["id"] === id, `reply to ${JSON.stringify(message)}`);
    },
    events(topic: string) {
      return messages
        .filter((m) => m["type"] === "event" && m["topic"] === topic)
        .map((m) => m["data"] as Record<string, Json>);
    },
    close: () => ws.close(),
  };
}

async function user(server: TestServer, email: string, name: string): Promise<{ id: string; token: string }> {
  const made = await server.request("POST", "/api/collections/users/records", {
    body: { email, name, password: "password123", passwordConfirm: "password123" },
  });
  assert.equal(made.status, 200, JSON.stringify(made.body));
  const login = await server.request("POST", "/api/collections/users/auth-with-password", {
    body: { identity: email, password: "password123" },
  });
  return {
    id: String((made.body as Record<string, Json>)["id"]),
    token: String((login.body as Record<string, Json>)["token"]),
  };
}

async function declareChannels(server: TestServer): Promise<void> {
  const saved = await server.request("PATCH", "/api/settings", {
    token: await server.superuserToken(),
    body: { realtime: { channels: CHANNELS } },
  });
  assert.equal(saved.status, 200, JSON.stringify(saved.body));
}

async function waitUntil(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), what);
}

describe("realtime channels", () => {
  let server: TestServer;
  let alice: { id: string; token: string };
  let bob: { id: string; token: string };
  const open: { close(): void }[] = [];

  before(async () => {
    server = await startTestServer();
    await declareChannels(server);
    alice = await user(server, "alice@example.com", "Alice");
    bob = await user(server, "bob@example.com", "Bob");
  });
  after(async () => {
    for (const c of open) c.close();
    await server?.close();
  });

  test("settings validate channel names, rules and duplicates", async () => {
    const token = await server.superuserToken();
    const bad = await server.request("PATCH", "/api/settings", {
      token,
      body: {
        realtime: {
          channels: [
            { name: "bad name", listenRule: "", publishRule: null, presence: false },
            { name: "ok", listenRule: "name = ", publishRule: null, presence: false },
            { name: "twice", listenRule: "", publishRule: null, presence: false },
            { name: "twice", listenRule: "", publishRule: null, presence: false },
          ],
        },
      },
    });
    assert.equal(bad.status, 400, JSON.stringify(bad.body));
    const channels = ((bad.body as Record<string, Json>)["data"] as Record<string, Json>)[
      "realtime"
    ] as Record<string, Json>;
    const errors = channels["channels"] as Record<string, Record<string, Json>>;
    assert.ok(errors["0"]?.["name"], JSON.stringify(errors));
    assert.ok(errors["1"]?.["listenRule"], JSON.stringify(errors));
    assert.ok(errors["3"]?.["name"], JSON.stringify(errors));
    const kept = await server.request("GET", "/api/settings", { token });
    assert.deepEqual(
      ((kept.body as Record<string, Json>)["realtime"] as Record<string, Json>)["channels"],
      CHANNELS,
    );
  });

  test("a broadcast reaches SSE and WebSocket listeners, with who sent it", async () => {
    const sse = await connectSse(server.url, { topics: ["@lobby"] });
    open.push(sse);
    const ws = await socket(server);
    open.push(ws);
    assert.equal((await ws.call({ type: "subscribe", topics: ["@lobby"] }))["type"], "ack");
    const sender = await socket(server, alice.token);
    open.push(sender);
    const sent = await sender.call({
      type: "publish",
      channel: "lobby",
      event: "typing",
      data: { on: true },
    });
    assert.equal(sent["type"], "ack", JSON.stringify(sent));
    const [viaSse] = await sse.next(1);
    assert.equal(viaSse!.name, "@lobby");
    assert.equal(
      viaSse!.id,
      sse.clientId(),
      "a broadcast carries no event id (EventSource keeps the last one)",
    );
    const expected = {
      type: "broadcast",
      event: "typing",
      data: { on: true },
      from: {
        id: String(sender.messages[0]!["presenceId"]),
        auth: { collectionName: "users", id: alice.id },
      },
    };
    assert.deepEqual(viaSse!.data, expected);
    await waitUntil("the WebSocket listener gets it", () => ws.events("@lobby").length === 1);
    assert.deepEqual(ws.events("@lobby")[0], expected);
    // over REST, for SSE clients
    const viaRest = await server.request("POST", "/api/realtime/broadcast", {
      token: bob.token,
      body: { channel: "lobby", event: "wave", data: "hi" },
    });
    assert.equal(viaRest.status, 204, JSON.stringify(viaRest.body));
    const [, second] = await sse.next(2);
    assert.deepEqual(second!.data["from"], { id: null, auth: { collectionName: "users", id: bob.id } });
    assert.ok(
      !JSON.stringify(viaSse!.data).includes(String(sender.messages[0]!["clientId"])),
      "no client id",
    );
  });

  test("listen and publish rules: evaluated on the caller's auth record, with the channel's * segments", async () => {
    const guest = await socket(server);
    open.push(guest);
    const denied = await guest.call({ type: "subscribe", topics: ["@staff"] });
    assert.deepEqual(denied["error"], {
      status: 403,
      message: 'Not allowed to listen to channel "staff".',
      data: {},
    });
    const bobWs = await socket(server, bob.token);
    open.push(bobWs);
    assert.equal(
      ((await bobWs.call({ type: "subscribe", topics: ["@staff"] }))["error"] as Record<string, Json>)[
        "status"
      ],
      403,
    );
    const aliceWs = await socket(server, alice.token);
    open.push(aliceWs);
    assert.equal((await aliceWs.call({ type: "subscribe", topics: ["@staff"] }))["type"], "ack");
    // publish rule null: superusers only (and server code)
    const noOne = await aliceWs.call({ type: "publish", channel: "staff", event: "x" });
    assert.equal((noOne["error"] as Record<string, Json>)["status"], 403);
    await server.app.services.realtime.publish("staff", "notice", { text: "from the server" });
    await waitUntil("a server broadcast arrives", () => aliceWs.events("@staff").length === 1);
    assert.equal(aliceWs.events("@staff")[0]!["event"], "notice");
    // rooms/*: only the user whose id is the room's segment may publish there
    const own = await aliceWs.call({ type: "publish", channel: `rooms/${alice.id}`, event: "x" });
    assert.equal(own["type"], "ack", JSON.stringify(own));
    const other = await aliceWs.call({ type: "publish", channel: `rooms/${bob.id}`, event: "x" });
    assert.equal((other["error"] as Record<string, Json>)["status"], 403);
    // unknown channels, bad input, oversized data
    const unknown = await aliceWs.call({ type: "subscribe", topics: ["@nowhere"] });
    assert.equal((unknown["error"] as Record<string, Json>)["status"], 404);
    const noEvent = await aliceWs.call({ type: "publish", channel: `rooms/${alice.id}` });
    assert.equal((noEvent["error"] as Record<string, Json>)["status"], 400);
    const big = await aliceWs.call({
      type: "publish",
      channel: `rooms/${alice.id}`,
      event: "x",
      data: "y".repeat(5000),
    });
    assert.equal((big["error"] as Record<string, Json>)["status"], 413);
    // over SSE a denied channel refuses the whole subscription request, changing nothing
    const sse = await connectSse(server.url);
    open.push(sse);
    const res = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: bob.token },
      body: JSON.stringify({ clientId: sse.clientId(), subscriptions: ["@lobby", "@staff"] }),
    });
    assert.equal(res.status, 403);
  });

  test("presence: members with state, join, update and leave, for SSE and WebSocket listeners", async () => {
    const watcher = await connectSse(server.url, { topics: ["@doc/1"] });
    open.push(watcher);
    const [sync] = await watcher.next(1);
    assert.deepEqual(sync!.data, { type: "presence", action: "sync", members: [] });
    const guest = await socket(server);
    open.push(guest);
    const refused = await guest.call({ type: "join", channel: "doc/1", state: {} });
    assert.equal((refused["error"] as Record<string, Json>)["status"], 403);
    const a = await socket(server, alice.token);
    const aliceClient = String(a.messages[0]!["presenceId"]);
    const joined = await a.call({ type: "join", channel: "doc/1", state: { cursor: 1 } });
    const aliceMember = {
      id: aliceClient,
      auth: { collectionName: "users", id: alice.id },
      state: { cursor: 1 },
    };
    assert.deepEqual(joined["members"], [aliceMember]);
    await a.call({ type: "join", channel: "doc/1", state: { cursor: 2 } });
    // an SSE client joins through REST
    const b = await connectSse(server.url, { topics: ["@doc/1"], token: bob.token });
    open.push(b);
    const viaRest = await server.request("POST", "/api/realtime/presence", {
      token: bob.token,
      body: { clientId: b.clientId(), channel: "doc/1", state: { cursor: 9 } },
    });
    assert.equal(viaRest.status, 200, JSON.stringify(viaRest.body));
    assert.equal(((viaRest.body as Record<string, Json>)["members"] as Json[]).length, 2);
    assert.deepEqual(
      server.app.services.realtime
        .members("doc/1")
        .map((m) => m.id)
        .sort(),
      [aliceClient, b.presenceId()].sort(),
    );
    a.close(); // leaving by disconnecting
    const got = await watcher.next(5);
    assert.deepEqual(
      got
        .slice(1)
        .map((m) => [
          m.data["action"],
          (m.data["member"] as Record<string, Json>)["id"],
          (m.data["member"] as Record<string, Json>)["state"],
        ]),
      [
        ["join", aliceClient, { cursor: 1 }],
        ["update", aliceClient, { cursor: 2 }],
        ["join", b.presenceId(), { cursor: 9 }],
        ["leave", aliceClient, { cursor: 2 }],
      ],
    );
    const left = await server.request("POST", "/api/realtime/presence", {
      token: bob.token,
      body: { clientId: b.clientId(), channel: "doc/1", leave: true },
    });
    assert.equal(left.status, 204);
    assert.deepEqual(server.app.services.realtime.members("doc/1"), []);
    const noPresence = await server.request("POST", "/api/realtime/presence", {
      token: bob.token,
      body: { clientId: b.clientId(), channel: "lobby", state: {} },
    });
    assert.equal(noPresence.status, 400);
  });
});

const pgUrl = await postgresForTests("realtime channels across instances");

describe("realtime channels across two instances on one PostgreSQL", { skip: pgUrl === undefined }, () => {
  let schema: Awaited<ReturnType<typeof freshPostgresSchema>>;
  let a: TestServer;
  let b: TestServer;
  const open: { close(): void }[] = [];

  before(async () => {
    schema = await freshPostgresSchema(pgUrl!);
    a = await startTestServer({ db: schema.url });
    b = await startTestServer({ db: schema.url });
    await declareChannels(a);
  });
  after(async () => {
    for (const c of open) c.close();
    await a?.close();
    await b?.close();
    await schema?.drop();
  });

  test("a broadcast and presence made on A reach a listener on B", async () => {
    const alice = await user(a, "alice@example.com", "Alice");
    const listener = await socket(b);
    open.push(listener);
    assert.equal((await listener.call({ type: "subscribe", topics: ["@lobby", "@doc/7"] }))["type"], "ack");
    const onA = await socket(a, alice.token);
    open.push(onA);
    assert.equal(
      (await onA.call({ type: "publish", channel: "lobby", event: "hello", data: 1 }))["type"],
      "ack",
    );
    await onA.call({ type: "join", channel: "doc/7", state: { x: 1 } });
    await waitUntil(
      "B's listener hears both",
      () => listener.events("@lobby").length === 1 && listener.events("@doc/7").length === 2,
    );
    assert.equal(listener.events("@lobby")[0]!["event"], "hello");
    assert.equal(listener.events("@doc/7")[1]!["action"], "join");
    await waitUntil("B knows the member", () => b.app.services.realtime.members("doc/7").length === 1);
    onA.close();
    await waitUntil("the leave reaches B", () => listener.events("@doc/7").length === 3);
    assert.equal(listener.events("@doc/7")[2]!["action"], "leave");
  });

  test("an SSE client on A joins, broadcasts and leaves through requests that reach B", async () => {
    const bob = await user(a, "bob@example.com", "Bob");
    await waitUntil(
      "A and B know each other",
      () => a.app.services.cluster.peers() > 0 && b.app.services.cluster.peers() > 0,
    );
    const stream = await connectSse(a.url, { topics: ["@doc/8", "@lobby"], token: bob.token });
    open.push(stream);
    const onB = (path: string, body: Record<string, unknown>) =>
      b.request("POST", path, { token: bob.token, body: { clientId: stream.clientId(), ...body } });
    const joined = await onB("/api/realtime/presence", { channel: "doc/8", state: { y: 2 } });
    assert.equal(joined.status, 200, JSON.stringify(joined.body));
    assert.deepEqual(
      ((joined.body as Record<string, Json>)["members"] as Record<string, Json>[]).map((m) => m["id"]),
      [stream.presenceId()],
    );
    const sent = await onB("/api/realtime/broadcast", { channel: "lobby", event: "wave", data: 1 });
    assert.equal(sent.status, 204, JSON.stringify(sent.body));
    const left = await onB("/api/realtime/presence", { channel: "doc/8", leave: true });
    assert.equal(left.status, 204, JSON.stringify(left.body));
    const got = await stream.next(4); // sync, join, broadcast, leave
    assert.deepEqual(
      got.map((m) => [m.name, m.data["type"], m.data["action"] ?? m.data["event"]]),
      [
        ["@doc/8", "presence", "sync"],
        ["@doc/8", "presence", "join"],
        ["@lobby", "broadcast", "wave"],
        ["@doc/8", "presence", "leave"],
      ],
    );
    const huge = await onB("/api/realtime", {
      subscriptions: Array.from({ length: 300 }, (_, i) => `items/${String(i).padStart(90, "x")}`),
    });
    assert.equal(huge.status, 413, "too large to forward over the bus: said so, not 404");
    const stranger = await b.request("POST", "/api/realtime/presence", {
      body: { clientId: "no-such-client", channel: "doc/8", state: {} },
    });
    assert.equal(stranger.status, 404);
  });
});
