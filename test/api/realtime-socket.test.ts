// The realtime WebSocket (/api/ws) with a plain `ws` client: its messages, record events checked
// against each subscriber's rules, auth, errors, resume and resync, and the realtime limits it shares
// with SSE (slow consumers, connections per address, trusted proxies, shutdown).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connectSse, type SseClient } from "../support/sse-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import {
  connectWs,
  rawWs,
  refusedUpgrade,
  waitUntil,
  type WsClient,
  type WsMessage,
} from "../support/ws-client.ts";

let server: TestServer;
let su: string;
const alice = { email: "alice@example.com", id: "", token: "" };
const bob = { email: "bob@example.com", id: "", token: "" };
const open: { close(): void }[] = [];
const REPLAY_MAX = 20;

type Row = Record<string, unknown>;

async function call(method: string, path: string, body?: unknown, token = su, on = server): Promise<Row> {
  const res = await on.request(method, path, { body, token });
  assert.ok(res.status === 200 || res.status === 204, `${method} ${path}: ${JSON.stringify(res.body)}`);
  return res.body as Row;
}

const create = (c: string, body: Row) => call("POST", `/api/collections/${c}/records`, body);
const update = (c: string, id: unknown, body: Row) =>
  call("PATCH", `/api/collections/${c}/records/${id}`, body);
const remove = (c: string, id: unknown) => call("DELETE", `/api/collections/${c}/records/${id}`);

async function ws(options: Parameters<typeof connectWs>[1] = {}, on = server): Promise<WsClient> {
  const client = await connectWs(on.url, options);
  open.push(client);
  return client;
}

async function sse(on: TestServer): Promise<SseClient> {
  const client = await connectSse(on.url);
  open.push(client);
  return client;
}

/** A connection subscribed to `topics` (acknowledged). */
async function subscribed(topics: string[], options: Parameters<typeof connectWs>[1] = {}) {
  const client = await ws(options);
  const reply = await client.request({ type: "subscribe", topics });
  assert.deepEqual(reply, { type: "ack", id: reply["id"] });
  return client;
}

function summary(events: readonly WsMessage[]) {
  return events.map((e) => {
    const data = e["data"] as { action: string; record: Row };
    return [e["topic"], data.action, data.record["text"] ?? data.record["title"]];
  });
}

function errorOf(reply: WsMessage, status: number): { status: number; message: string; data: Row } {
  assert.equal(reply.type, "error", JSON.stringify(reply));
  const error = reply["error"] as { status: number; message: string; data: Row };
  assert.equal(error.status, status, JSON.stringify(reply));
  assert.equal(typeof error.message, "string");
  assert.ok(error.message.length > 0);
  assert.equal(typeof error.data, "object");
  assert.ok(error.data !== null && !Array.isArray(error.data));
  return error;
}

async function signUp(user: { email: string; id: string; token: string }) {
  const password = "password123";
  await call("POST", "/api/collections/users/records", {
    email: user.email,
    password,
    passwordConfirm: password,
  });
  const login = await call("POST", "/api/collections/users/auth-with-password", {
    identity: user.email,
    password,
  });
  user.token = String(login["token"]);
  user.id = String((login["record"] as Row)["id"]);
}

before(async () => {
  server = await startTestServer({ realtimeReplayMaxEvents: REPLAY_MAX });
  su = await server.superuserToken();
  const mine = "owner = @request.auth.id";
  const text = (name: string, max?: number) => ({ name, type: "text", ...(max ? { max } : {}) });
  for (const body of [
    { name: "notes", listRule: mine, viewRule: mine, fields: [text("text"), text("owner")] },
    { name: "feed", listRule: "", viewRule: "", fields: [text("title"), { name: "n", type: "number" }] },
    { name: "bulk", listRule: "", viewRule: "", fields: [text("blob", 200_000)] },
  ])
    await call("POST", "/api/collections", { type: "base", ...body });
  await signUp(alice);
  await signUp(bob);
});

after(async () => {
  for (const c of open) c.close();
  await server?.close();
});

describe("WebSocket /api/ws: messages and record events", () => {
  test("the first message is connected, with a client id, a presence id and the last event id", async () => {
    const client = await ws();
    const { connected } = client;
    assert.deepEqual(Object.keys(connected).sort(), ["clientId", "lastEventId", "presenceId", "type"]);
    assert.match(String(connected["clientId"]), /^[A-Za-z0-9]{40}$/);
    assert.match(String(connected["presenceId"]), /^[A-Za-z0-9]{20}$/);
    assert.equal(connected["lastEventId"], String(server.app.services.realtime.lastEventId));
    const other = await ws();
    assert.notEqual(other.connected["clientId"], connected["clientId"]);
  });

  test("ping gets pong with the message's id echoed, a number or a string", async () => {
    const client = await ws();
    client.send({ type: "ping", id: 7 });
    client.send({ type: "ping", id: "p" });
    client.send({ type: "ping" });
    await client.until("three pongs", () => client.messages.length === 4);
    assert.deepEqual(client.messages.slice(1), [
      { type: "pong", id: 7 },
      { type: "pong", id: "p" },
      { type: "pong" },
    ]);
  });

  test("create, update and delete arrive as the REST API returns the record, with increasing ids", async () => {
    const client = await subscribed(["feed/*"]);
    const made = await create("feed", { title: "first", n: 1 });
    const asCreated = await call("GET", `/api/collections/feed/records/${made["id"]}`, undefined, "");
    await update("feed", made["id"], { title: "second" });
    const asUpdated = await call("GET", `/api/collections/feed/records/${made["id"]}`, undefined, "");
    await remove("feed", made["id"]);
    const events = await client.nextEvents(3);
    assert.deepEqual(
      events.map((e) => [e["topic"], e["data"]]),
      [
        ["feed/*", { action: "create", record: asCreated }],
        ["feed/*", { action: "update", record: asUpdated }],
        ["feed/*", { action: "delete", record: asUpdated }],
      ],
    );
    const ids = events.map((e) => Number(e["id"]));
    assert.ok(
      ids.every((id) => typeof id === "number" && Number.isSafeInteger(id)),
      JSON.stringify(events),
    );
    assert.ok(ids[0]! > Number(client.connected["lastEventId"]));
    assert.ok(ids[0]! < ids[1]! && ids[1]! < ids[2]!, JSON.stringify(ids));
  });

  test("subscription options: a filter narrows what is sent and fields picks the keys", async () => {
    const options = encodeURIComponent(JSON.stringify({ query: { filter: "n > 10", fields: "id,title" } }));
    const topic = `feed/*?options=${options}`;
    const client = await subscribed([topic]);
    await create("feed", { title: "small", n: 1 });
    const big = await create("feed", { title: "big", n: 20 });
    const [event] = await client.nextEvents(1);
    assert.equal(event!["topic"], topic);
    assert.deepEqual(event!["data"], { action: "create", record: { id: big["id"], title: "big" } });
  });

  test("each subscriber sees only the records its rules let it view", async () => {
    const a = await subscribed(["notes/*"], { token: alice.token });
    const b = await ws();
    assert.deepEqual((await b.request({ type: "auth", token: bob.token }))["auth"], {
      collectionName: "users",
      id: bob.id,
    });
    await b.request({ type: "subscribe", topics: ["notes/*"] });
    const guest = await subscribed(["notes/*", "feed/*"]);
    await create("notes", { text: "a1", owner: alice.id });
    await create("notes", { text: "b1", owner: bob.id });
    await create("notes", { text: "a2", owner: alice.id });
    await create("notes", { text: "b2", owner: bob.id });
    await create("feed", { title: "marker" });
    // events come in commit order: a record a client could see would be among its first ones
    assert.deepEqual(summary(await a.nextEvents(2)), [
      ["notes/*", "create", "a1"],
      ["notes/*", "create", "a2"],
    ]);
    assert.deepEqual(summary(await b.nextEvents(2)), [
      ["notes/*", "create", "b1"],
      ["notes/*", "create", "b2"],
    ]);
    assert.deepEqual(summary(await guest.nextEvents(1)), [["feed/*", "create", "marker"]]);
  });

  test("a record that stops matching is no longer sent; one that starts matching is", async () => {
    const a = await subscribed(["notes/*"], { token: alice.token });
    const b = await subscribed(["notes/*"], { token: bob.token });
    const note = await create("notes", { text: "mine", owner: alice.id });
    await update("notes", note["id"], { text: "given away", owner: bob.id });
    await update("notes", note["id"], { text: "still bob's" });
    await create("notes", { text: "later", owner: alice.id });
    assert.deepEqual(summary(await a.nextEvents(2)), [
      ["notes/*", "create", "mine"],
      ["notes/*", "create", "later"],
    ]);
    assert.deepEqual(summary(await b.nextEvents(2)), [
      ["notes/*", "update", "given away"],
      ["notes/*", "update", "still bob's"],
    ]);
  });

  test("a subscription to one record follows the view rule", async () => {
    const own = await create("notes", { text: "own", owner: alice.id });
    const other = await create("notes", { text: "other", owner: bob.id });
    const a = await subscribed([`notes/${own["id"]}`, `notes/${other["id"]}`], { token: alice.token });
    await update("notes", other["id"], { text: "other edited" });
    await update("notes", own["id"], { text: "own edited" });
    assert.deepEqual(summary(await a.nextEvents(1)), [[`notes/${own["id"]}`, "update", "own edited"]]);
  });

  test("unsubscribe stops a topic's events; the others go on", async () => {
    const a = await subscribed(["feed/*", "notes/*"], { token: alice.token });
    assert.equal((await a.request({ type: "unsubscribe", topics: ["feed/*"] })).type, "ack");
    await create("feed", { title: "unheard" });
    await create("notes", { text: "heard", owner: alice.id });
    assert.deepEqual(summary(await a.nextEvents(1)), [["notes/*", "create", "heard"]]);
  });
});

describe("WebSocket /api/ws: auth", () => {
  test("the upgrade's Authorization header authenticates the connection", async () => {
    const a = await subscribed(["notes/*"], { token: alice.token });
    assert.deepEqual((await a.request({ type: "auth", token: alice.token }))["auth"], {
      collectionName: "users",
      id: alice.id,
    });
    await create("notes", { text: "for alice", owner: alice.id });
    assert.deepEqual(summary(await a.nextEvents(1)), [["notes/*", "create", "for alice"]]);
  });

  test("a guest connection may become a user by message; a guest may stay a guest", async () => {
    const client = await ws();
    const guest = await client.request({ type: "auth", token: null });
    assert.deepEqual(guest, { type: "ack", auth: null, id: guest["id"] });
    const reply = await client.request({ type: "auth", token: alice.token });
    assert.deepEqual(reply, {
      type: "ack",
      id: reply["id"],
      auth: { collectionName: "users", id: alice.id },
    });
  });

  test("a user connection cannot become another user (403) nor a guest, and stays the user", async () => {
    const a = await ws({ token: alice.token });
    errorOf(await a.request({ type: "auth", token: bob.token }), 403);
    errorOf(await a.request({ type: "auth", token: null }), 403);
    await a.request({ type: "subscribe", topics: ["notes/*"] });
    await create("notes", { text: "bob's", owner: bob.id });
    await create("notes", { text: "still alice", owner: alice.id });
    assert.deepEqual(summary(await a.nextEvents(1)), [["notes/*", "create", "still alice"]]);
  });

  test("an invalid token is refused with 401 and the id echoed; the connection stays a usable guest", async () => {
    const client = await ws();
    const reply = await client.request({ type: "auth", token: `${alice.token}x` });
    errorOf(reply, 401);
    assert.equal(typeof reply["id"], "string");
    assert.equal((await client.request({ type: "ping" })).type, "pong");
    // still a guest: becoming bob is allowed
    assert.deepEqual((await client.request({ type: "auth", token: bob.token }))["auth"], {
      collectionName: "users",
      id: bob.id,
    });
  });
});

describe("WebSocket /api/ws: bad input", () => {
  test("bad messages get a 400 error reply (with their id when they had one); the connection stays open", async () => {
    const client = await ws();
    const cases: [string, Buffer | string, unknown][] = [
      ["not JSON", "hello", undefined],
      ["a JSON array", "[1,2]", undefined],
      ["a JSON string", '"ping"', undefined],
      ["no type", JSON.stringify({ topics: [] }), undefined],
      ["an id that is an object", JSON.stringify({ type: "ping", id: {} }), undefined],
      ["an unknown type", JSON.stringify({ type: "shout", id: "m1" }), "m1"],
      ["topics not a list", JSON.stringify({ type: "subscribe", id: 2, topics: "feed/*" }), 2],
      ["a malformed topic", JSON.stringify({ type: "subscribe", id: 3, topics: ["feed/a/b"] }), 3],
      ["resume without an id", JSON.stringify({ type: "resume", id: 4 }), 4],
      ["a token that is a number", JSON.stringify({ type: "auth", id: 5, token: 5 }), 5],
      ["a binary frame", Buffer.from('{"type":"ping","id":6}'), undefined],
    ];
    for (const [what, frame, id] of cases) {
      const before = client.messages.length;
      client.socket.send(frame);
      await client.until(`a reply to ${what}`, () => client.messages.length > before);
      const reply = client.messages[before]!;
      errorOf(reply, 400);
      assert.equal(reply["id"], id, `${what}: ${JSON.stringify(reply)}`);
    }
    assert.equal((await client.request({ type: "ping" })).type, "pong");
    assert.equal(client.socket.readyState, client.socket.OPEN);
  });

  test("at most 1000 topics per connection, each at most 2500 characters", async () => {
    const client = await ws();
    const many = Array.from({ length: 1000 }, (_, i) => `feed/${String(i).padStart(15, "0")}`);
    assert.equal((await client.request({ type: "subscribe", topics: many })).type, "ack");
    assert.equal((await client.request({ type: "subscribe", topics: many.slice(0, 10) })).type, "ack");
    const extra = errorOf(await client.request({ type: "subscribe", topics: ["feed/*"] }), 400);
    assert.equal((extra.data["subscriptions"] as Row)["code"], "validation_length_too_long");
    const fresh = await ws();
    const tooMany = errorOf(await fresh.request({ type: "subscribe", topics: [...many, "feed/*"] }), 400);
    assert.ok(tooMany.data["subscriptions"], JSON.stringify(tooMany));
    const long = `feed/*?options=${"x".repeat(2500 - 15)}`;
    assert.equal(long.length, 2500);
    assert.equal((await fresh.request({ type: "subscribe", topics: [long] })).type, "ack");
    const tooLong = errorOf(await fresh.request({ type: "subscribe", topics: [`${long}x`] }), 400);
    assert.ok(tooLong.data["subscriptions"], JSON.stringify(tooLong));
    // the refused subscribe changed nothing: the accepted one still delivers
    await create("feed", { title: "after limits" });
    assert.deepEqual(summary(await fresh.nextEvents(1)), [[long, "create", "after limits"]]);
  });

  test("a message over 64 KiB closes the connection with 1009", async () => {
    const client = await ws();
    const before = server.app.services.realtime.connections;
    client.send({ type: "ping", pad: "x".repeat(65 * 1024) });
    assert.equal((await client.closed()).code, 1009);
    await waitUntil("the server to drop it", () => server.app.services.realtime.connections === before - 1);
  });
});

describe("WebSocket /api/ws: resume and resync", () => {
  test("resume after a reconnect replays the missed events in order, by the rules, then acks", async () => {
    const first = await subscribed(["notes/*"], { token: alice.token });
    const watcher = await subscribed(["notes/*"], { token: alice.token });
    await create("notes", { text: "seen", owner: alice.id });
    const [seen] = await first.nextEvents(1);
    first.close();
    await first.closed();
    const m1 = await create("notes", { text: "m1", owner: alice.id });
    await create("notes", { text: "private", owner: bob.id });
    await update("notes", m1["id"], { text: "m1 edited" });
    const m2 = await create("notes", { text: "m2", owner: alice.id });
    await remove("notes", m2["id"]);
    // once the watcher has the last one, every missed event is in the server's past
    const missed = (await watcher.nextEvents(5)).slice(1);

    const second = await subscribed(["notes/*"], { token: alice.token });
    const from = second.messages.length;
    const ack = await second.request({ type: "resume", lastEventId: seen!["id"] });
    const replayed = second.messages.slice(from, second.messages.indexOf(ack));
    assert.equal(ack.type, "ack");
    const numbers = (events: WsMessage[]) => events.map((e) => e["id"]);
    assert.deepEqual(numbers(replayed), numbers(missed)); // the same events, the private one left out
    // checked (and shaped) as the records are now, as live events are
    assert.deepEqual(summary(replayed), [
      ["notes/*", "create", "m1 edited"],
      ["notes/*", "update", "m1 edited"],
      ["notes/*", "create", "m2"],
      ["notes/*", "delete", "m2"],
    ]);
    const ids = replayed.map((e) => Number(e["id"]));
    assert.ok(
      ids.every((id, i) => id > (i === 0 ? Number(seen!["id"]) : ids[i - 1]!)),
      JSON.stringify(ids),
    );
    // then live again
    await create("notes", { text: "live", owner: alice.id });
    await second.until("the live event", () => second.events().length === 5);
    assert.deepEqual(summary(second.events().slice(4)), [["notes/*", "create", "live"]]);
  });

  test("an unknown event id gets resync with the current last id, then ack; events go on live", async () => {
    const client = await subscribed(["feed/*"]);
    for (const lastEventId of ["999999999999", "notAClientIdThisServerKnows"]) {
      const from = client.messages.length;
      const ack = await client.request({ type: "resume", lastEventId });
      assert.deepEqual(client.messages.slice(from), [
        {
          type: "resync",
          lastEventId: String(server.app.services.realtime.lastEventId),
          reason: "unknown event id",
        },
        ack,
      ]);
      assert.equal(ack.type, "ack");
    }
    await create("feed", { title: "live" });
    assert.deepEqual(summary(await client.nextEvents(1)), [["feed/*", "create", "live"]]);
  });

  test("more missed events than realtimeReplayMaxEvents gets resync instead of a replay", async () => {
    const first = await subscribed(["feed/*"]);
    const watcher = await subscribed(["feed/*"]);
    await create("feed", { title: "seen" });
    const [seen] = await first.nextEvents(1);
    first.close();
    for (let i = 0; i <= REPLAY_MAX; i++) await create("feed", { title: `missed ${i}` });
    await watcher.nextEvents(REPLAY_MAX + 2);
    const second = await subscribed(["feed/*"]);
    const from = second.messages.length;
    const ack = await second.request({ type: "resume", lastEventId: seen!["id"] });
    const [resync, ...rest] = second.messages.slice(from);
    assert.equal(resync!.type, "resync", JSON.stringify(resync));
    assert.equal(resync!["lastEventId"], String(server.app.services.realtime.lastEventId));
    assert.equal(typeof resync!["reason"], "string");
    assert.deepEqual(rest, [ack]);
  });
});

describe("realtime limits", () => {
  test("a client that stops reading is terminated past 1 MiB buffered; another keeps receiving", async () => {
    const stalled = await rawWs(server.url);
    open.push({ close: () => stalled.socket.destroy() });
    stalled.send({ type: "subscribe", id: "s", topics: ["bulk/*"] });
    await waitUntil("the subscribe ack", () => stalled.received().includes('"type":"ack"'));
    stalled.socket.pause(); // from now on the client reads nothing
    let closed = false;
    stalled.socket.on("close", () => void (closed = true));
    const fields = encodeURIComponent(JSON.stringify({ query: { fields: "id" } }));
    const reader = await subscribed([`bulk/*?options=${fields}`]);
    const before = server.app.services.realtime.connections;
    const blob = "x".repeat(100_000);
    let sent = 0;
    for (; sent < 400 && server.app.services.realtime.connections === before; sent++)
      await create("bulk", { blob });
    assert.equal(server.app.services.realtime.connections, before - 1, "the stalled client was dropped");
    await create("bulk", { blob: "after" });
    await reader.nextEvents(sent + 1);
    stalled.socket.resume(); // what was sent drains, then the connection is gone
    await waitUntil("the stalled socket to close", () => closed);
  });

  describe("connections per address", () => {
    let limited: TestServer;
    let proxied: TestServer;
    before(async () => {
      limited = await startTestServer({ realtimeMaxConnectionsPerIp: 2 });
      proxied = await startTestServer({ realtimeMaxConnectionsPerIp: 2, trustedProxies: ["127.0.0.1"] });
    });
    after(async () => {
      for (const c of open) c.close();
      await limited?.close();
      await proxied?.close();
    });

    function assertLimited(res: { status: number; body: unknown }) {
      assert.equal(res.status, 429, JSON.stringify(res.body));
      const body = res.body as Row;
      assert.deepEqual(Object.keys(body).sort(), ["data", "message", "status"]);
      assert.equal(body["status"], 429);
      assert.equal(typeof body["message"], "string");
      assert.deepEqual(body["data"], {});
    }

    async function sseStatus(on: TestServer, headers: Record<string, string> = {}) {
      const res = await fetch(`${on.url}/api/realtime`, { headers });
      const body: unknown = res.status === 200 ? undefined : await res.json();
      if (res.status === 200) await res.body?.cancel();
      return { status: res.status, body };
    }

    test("SSE and WebSocket count together; the next one gets 429 until one closes", async () => {
      const stream = await sse(limited);
      const socket = await ws({}, limited);
      assertLimited(await refusedUpgrade(limited.url));
      assertLimited(await sseStatus(limited));
      socket.close();
      await waitUntil("the socket to be released", () => limited.app.services.realtime.connections === 1);
      const again = await ws({}, limited);
      assertLimited(await refusedUpgrade(limited.url));
      stream.close();
      await waitUntil("the stream to be released", () => limited.app.services.realtime.connections === 1);
      const stream2 = await sse(limited);
      assertLimited(await refusedUpgrade(limited.url));
      again.close();
      stream2.close();
      await waitUntil("both released", () => limited.app.services.realtime.connections === 0);
    });

    test("without trusted proxies, X-Forwarded-For does not change the address counted", async () => {
      const xff = (ip: string) => ({ headers: { "x-forwarded-for": ip } });
      const a = await ws(xff("10.0.0.1"), limited);
      const b = await ws(xff("10.0.0.2"), limited);
      assertLimited(await refusedUpgrade(limited.url, { "x-forwarded-for": "10.0.0.3" }));
      a.close();
      b.close();
      await waitUntil("both released", () => limited.app.services.realtime.connections === 0);
    });

    test("behind a trusted proxy, each forwarded address has its own count", async () => {
      const xff = (ip: string) => ({ headers: { "x-forwarded-for": ip } });
      await ws(xff("10.0.0.1"), proxied);
      await ws(xff("10.0.0.1"), proxied);
      assertLimited(await refusedUpgrade(proxied.url, { "x-forwarded-for": "10.0.0.1" }));
      assertLimited(await sseStatus(proxied, { "x-forwarded-for": "10.0.0.1" }));
      await ws(xff("10.0.0.2"), proxied);
      await ws({}, proxied); // the proxy's own address
      assert.equal(proxied.app.services.realtime.connections, 4);
      assertLimited(await refusedUpgrade(proxied.url, { "x-forwarded-for": "10.0.0.1" }));
    });
  });

  test("shutdown: WebSocket clients get reconnect and close code 1012, SSE clients PB_RECONNECT", async () => {
    const down = await startTestServer();
    let closed = false;
    try {
      const socket = await ws({}, down);
      const stream = await sse(down);
      await down.close();
      closed = true;
      const closing = await socket.closed();
      assert.equal(closing.code, 1012);
      const last = socket.messages.at(-1)!;
      assert.equal(last.type, "reconnect", JSON.stringify(socket.messages));
      assert.equal(typeof last["reason"], "string");
      const [reconnect] = await stream.next(1);
      assert.equal(reconnect!.name, "PB_RECONNECT");
      assert.equal(typeof reconnect!.data["reason"], "string");
      stream.close();
    } finally {
      if (!closed) await down.close();
    }
  });
});
