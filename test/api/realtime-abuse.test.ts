// What one realtime client cannot do to others or to the server: options that break shaping, stale
// auth after a password change, presence member lists and client ids, refused handshakes, message
// floods, deep JSON; and that resuming never repeats, reorders or silently skips events.
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { connectSse } from "../support/sse-client.ts";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { connectWs, refusedUpgrade, type WsClient, type WsMessage } from "../support/ws-client.ts";

let server: TestServer;
let su: string;
const open: { close(): void }[] = [];

type Row = Record<string, unknown>;
interface User {
  readonly id: string;
  readonly token: string;
}

async function call(method: string, path: string, body?: unknown, token = su): Promise<Row> {
  const res = await server.request(method, path, { body, token });
  assert.ok(res.status === 200 || res.status === 204, `${method} ${path}: ${JSON.stringify(res.body)}`);
  return res.body as Row;
}

const create = (c: string, body: Row) => call("POST", `/api/collections/${c}/records`, body);

async function signUp(email: string): Promise<User> {
  const password = "password123";
  await call("POST", "/api/collections/users/records", { email, password, passwordConfirm: password });
  const login = await call("POST", "/api/collections/users/auth-with-password", {
    identity: email,
    password,
  });
  return { id: String((login["record"] as Row)["id"]), token: String(login["token"]) };
}

async function ws(token?: string, on = server): Promise<WsClient> {
  const client = await connectWs(on.url, token ? { token } : {});
  open.push(client);
  return client;
}

const titles = (events: readonly WsMessage[]) =>
  events.map(
    (e) => (e["data"] as { record: Row }).record["title"] ?? (e["data"] as { record: Row }).record["text"],
  );

/** Lets every event that could still arrive arrive: a marker created afterwards has been delivered. */
async function settle(client: WsClient): Promise<void> {
  await client.request({ type: "subscribe", topics: ["markers/*"] });
  const before = client.events().length;
  await create("markers", {});
  await client.until("the marker", () =>
    client.events().some((e, i) => i >= before && e["topic"] === "markers/*"),
  );
}

before(async () => {
  server = await startTestServer();
  su = await server.superuserToken();
  const mine = "owner = @request.auth.id";
  const text = (name: string) => ({ name, type: "text" });
  for (const body of [
    { name: "notes", listRule: mine, viewRule: mine, fields: [text("text"), text("owner")] },
    {
      name: "feed",
      listRule: "",
      viewRule: "",
      deleteRule: "",
      fields: [text("title"), text("slug")],
      indexes: ["CREATE UNIQUE INDEX idx_feed_slug ON feed (slug)"],
    },
    { name: "markers", listRule: "", viewRule: "", fields: [] },
  ])
    await call("POST", "/api/collections", { type: "base", ...body });
  await call("PATCH", "/api/settings", {
    realtime: {
      channels: [
        { name: "lobby", listenRule: "", publishRule: "@request.auth.id != ''", presence: false },
        { name: "doc/*", listenRule: "", publishRule: "@request.auth.id != ''", presence: true },
        { name: "staff", listenRule: "name = 'staff'", publishRule: "", presence: true },
        { name: "named", listenRule: "name != 'banned'", publishRule: "", presence: false },
      ],
    },
  });
});

after(async () => {
  for (const c of open) c.close();
  await server?.close();
});

describe("one subscriber's options never stop others' events", () => {
  test("a subscription whose fields cannot be applied gets nothing; others get events and deletes work", async () => {
    const bad = await ws();
    const broken = `feed/*?options=${encodeURIComponent(JSON.stringify({ query: { fields: "title:nope" } }))}`;
    assert.equal((await bad.request({ type: "subscribe", topics: [broken] })).type, "ack");
    const good = await ws();
    await good.request({ type: "subscribe", topics: ["feed/*"] });
    const made = await create("feed", { title: "still sent", slug: "f1" });
    const [event] = await good.nextEvents(1);
    assert.deepEqual(titles([event!]), ["still sent"]);
    await call("DELETE", `/api/collections/feed/records/${String(made["id"])}`);
    await good.nextEvents(2);
    await settle(bad);
    assert.deepEqual(
      bad.events().filter((e) => e["topic"] !== "markers/*"),
      [],
    );
  });
});

describe("auth on a WebSocket follows the auth record", () => {
  test("after a password change, join and publish do not bring the old auth back", async () => {
    const carol = await signUp("carol@example.com");
    const client = await ws(carol.token);
    await client.request({ type: "subscribe", topics: ["notes/*"] });
    await create("notes", { text: "before", owner: carol.id });
    await client.nextEvents(1);
    await call("PATCH", `/api/collections/users/records/${carol.id}`, {
      password: "another-password",
      passwordConfirm: "another-password",
    });
    const join = await client.request({ type: "join", channel: "doc/1", state: {} });
    assert.equal((join["error"] as Row | undefined)?.["status"], 403, JSON.stringify(join));
    const publish = await client.request({ type: "publish", channel: "lobby", event: "x" });
    assert.equal((publish["error"] as Row | undefined)?.["status"], 403, JSON.stringify(publish));
    await create("notes", { text: "after", owner: carol.id });
    await settle(client);
    assert.deepEqual(titles(client.events().filter((e) => e["topic"] === "notes/*")), ["before"]);
  });

  test("a request authenticated before a password change cannot bind that auth after it", async () => {
    const hal = await signUp("hal@example.com");
    const before = await server.app.services.auth.authenticate(hal.token);
    assert.ok(before !== null);
    const client = await ws(hal.token);
    await call("PATCH", `/api/collections/users/records/${hal.id}`, {
      password: "another-password",
      passwordConfirm: "another-password",
    });
    const realtime = server.app.services.realtime;
    const clientId = String(client.connected["clientId"]);
    await client.until("the auth is dropped", () => realtime.authOf(clientId) === null);
    // the request's auth was resolved before the change; it reaches the service after it
    const late = {
      auth: before,
      method: "POST",
      context: "realtime",
      headers: {},
      query: {},
      body: {},
    } as const;
    await assert.rejects(
      realtime.setSubscriptions(late, { clientId, subscriptions: ["notes/*"] }, undefined),
      (err: unknown) => (err as { code?: string }).code === "unauthenticated",
    );
    assert.equal(realtime.authOf(clientId), null);
  });

  test("listening to a channel goes on after an update of the user's own record, while its rule passes", async () => {
    const dan = await signUp("dan@example.com");
    const client = await ws(dan.token);
    await client.request({ type: "subscribe", topics: ["@named"] });
    await server.app.services.realtime.publish("named", "one", null);
    await client.until("the first broadcast", () => client.events().length === 1);
    await call("PATCH", `/api/collections/users/records/${dan.id}`, { name: "renamed" });
    await settle(client);
    await server.app.services.realtime.publish("named", "two", null);
    await client.until(
      "the second broadcast",
      () => client.events().filter((e) => e["topic"] === "@named").length === 2,
    );
    await call("PATCH", `/api/collections/users/records/${dan.id}`, { name: "banned" });
    await settle(client);
    await server.app.services.realtime.publish("named", "three", null);
    await settle(client);
    assert.deepEqual(
      client
        .events()
        .filter((e) => e["topic"] === "@named")
        .map((e) => (e["data"] as Row)["event"]),
      ["one", "two"],
    );
  });
});

describe("presence shows no more than the listen rule allows, and no client ids", () => {
  test("a member whose own record stops passing the channel's rules leaves its presence", async () => {
    const gail = await signUp("gail@example.com");
    await call("PATCH", `/api/collections/users/records/${gail.id}`, { name: "staff" });
    const member = await ws(gail.token);
    assert.equal((await member.request({ type: "join", channel: "staff", state: {} })).type, "ack");
    assert.equal(
      server.app.services.realtime.members("staff").filter((m) => m.auth?.id === gail.id).length,
      1,
    );
    await call("PATCH", `/api/collections/users/records/${gail.id}`, { name: "former" });
    await member.until("the member leaves", () =>
      server.app.services.realtime.members("staff").every((m) => m.auth?.id !== gail.id),
    );
  });

  test("joining needs the listen rule: a refused joiner gets no member list", async () => {
    const staff = await signUp("staff@example.com");
    await call("PATCH", `/api/collections/users/records/${staff.id}`, { name: "staff" });
    const member = await ws(staff.token);
    const joined = await member.request({ type: "join", channel: "staff", state: { secret: "plans" } });
    assert.equal(joined.type, "ack", JSON.stringify(joined));
    const outsider = await signUp("outsider@example.com");
    const other = await ws(outsider.token);
    const refused = await other.request({ type: "join", channel: "staff", state: {} });
    assert.equal((refused["error"] as Row | undefined)?.["status"], 403, JSON.stringify(refused));
    assert.ok(!JSON.stringify(refused).includes("plans"));
  });

  test("members carry presence ids, not client ids; a connection cannot be made to leave by another identity", async () => {
    const erin = await signUp("erin@example.com");
    const frank = await signUp("frank@example.com");
    const erinWs = await ws(erin.token);
    const joined = await erinWs.request({ type: "join", channel: "doc/2", state: {} });
    const members = joined["members"] as Row[];
    assert.deepEqual(
      members.map((m) => m["id"]),
      [erinWs.connected["presenceId"]],
    );
    assert.ok(!JSON.stringify(joined).includes(String(erinWs.connected["clientId"])));
    const leave = await server.request("POST", "/api/realtime/presence", {
      token: frank.token,
      body: { clientId: erinWs.connected["clientId"], channel: "doc/2", leave: true },
    });
    assert.equal(leave.status, 403, JSON.stringify(leave.body));
    assert.equal(server.app.services.realtime.members("doc/2").length, 1);
  });
});

describe("resuming a WebSocket", () => {
  test("resume before subscribe: missed events once, in order, then live ones", async () => {
    const first = await ws();
    await first.request({ type: "subscribe", topics: ["feed/*"] });
    await create("feed", { title: "r0", slug: "r0" });
    const [seen] = await first.nextEvents(1);
    first.close();
    await create("feed", { title: "r1", slug: "r1" });
    await create("feed", { title: "r2", slug: "r2" });
    const again = await ws();
    assert.equal((await again.request({ type: "resume", lastEventId: String(seen!["id"]) })).type, "ack");
    await create("feed", { title: "r3", slug: "r3" }); // before the subscription: replayed too
    assert.equal((await again.request({ type: "subscribe", topics: ["feed/*"] })).type, "ack");
    await create("feed", { title: "r4", slug: "r4" });
    const events = await again.nextEvents(4);
    assert.deepEqual(titles(events), ["r1", "r2", "r3", "r4"]);
    const ids = events.map((e) => Number(e["id"]));
    assert.ok(
      ids.every((id, i) => i === 0 || id > ids[i - 1]!),
      JSON.stringify(ids),
    );
  });

  test("resume after events arrived on the connection gets resync, never a repeat", async () => {
    const client = await ws();
    await client.request({ type: "subscribe", topics: ["feed/*"] });
    await create("feed", { title: "s0", slug: "s0" });
    const [event] = await client.nextEvents(1);
    await client.request({ type: "resume", lastEventId: String(Number(event!["id"]) - 1) });
    await client.until("resync", () => client.messages.some((m) => m.type === "resync"));
    assert.equal(client.events().length, 1);
  });

  test("a gone record whose unique value was taken again is skipped; the replay goes on", async () => {
    const first = await ws();
    await first.request({ type: "subscribe", topics: ["feed/*"] });
    await create("feed", { title: "u0", slug: "u0" });
    const [seen] = await first.nextEvents(1);
    first.close();
    const gone = await create("feed", { title: "gone", slug: "taken" });
    await call("DELETE", `/api/collections/feed/records/${String(gone["id"])}`);
    await create("feed", { title: "reused", slug: "taken" });
    await create("feed", { title: "after", slug: "u1" });
    const again = await ws();
    await again.request({ type: "resume", lastEventId: String(seen!["id"]) });
    await again.request({ type: "subscribe", topics: ["feed/*"] });
    await create("feed", { title: "live", slug: "u2" });
    await again.until("the live event", () => titles(again.events()).includes("live"));
    assert.deepEqual(titles(again.events()), ["reused", "after", "live"]);
  });
});

describe("limits one client cannot get around", () => {
  let limited: TestServer;
  before(async () => {
    limited = await startTestServer({ realtimeMaxConnectionsPerIp: 3 });
  });
  after(() => limited.close());

  test("refused WebSocket handshakes do not use up the address's connection limit", async () => {
    const port = Number(new URL(limited.url).port);
    for (let i = 0; i < 4; i++) {
      // an upgrade without Sec-WebSocket-Key: admitted by the limit, then refused by the handshake
      const status = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, "127.0.0.1");
        let head = "";
        socket.on("data", (chunk) => {
          head += String(chunk);
          if (head.includes("\r\n")) {
            resolve(head.slice(0, head.indexOf("\r\n")));
            socket.destroy();
          }
        });
        socket.on("error", reject);
        socket.write("GET /api/ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
      });
      assert.match(status, /^HTTP\/1\.1 4\d\d/);
    }
    const still = await ws(undefined, limited);
    assert.equal(still.connected.type, "connected");
    still.close();
    await still.closed();
  });

  test("a client that sends far faster than it is answered is disconnected (1008)", async () => {
    const client = await ws();
    for (let i = 0; i < 2_000; i++) client.send({ type: "ping", id: i });
    const closed = await client.closed();
    assert.equal(closed.code, 1008, JSON.stringify(closed));
  });

  test("a message nested deeper than 64 levels is a 400, and the connection goes on", async () => {
    const client = await ws();
    const deep = `${"[".repeat(200)}${"]".repeat(200)}`;
    client.socket.send(`{"type":"ping","id":"deep","x":${deep}}`);
    await client.until("the error", () => client.messages.some((m) => m.type === "error"));
    const error = client.messages.find((m) => m.type === "error")!["error"] as Row;
    assert.equal(error["status"], 400);
    assert.match(String(error["message"]), /nested deeper than 64/);
    assert.equal((await client.request({ type: "ping" })).type, "pong");
  });

  test("the limit counts open connections: once they close, the address may connect again", async () => {
    const extra: WsClient[] = [];
    for (let i = 0; i < 3; i++) extra.push(await ws(undefined, limited));
    const refused = await refusedUpgrade(limited.url);
    assert.equal(refused.status, 429);
    for (const c of extra) c.close();
    await Promise.all(extra.map((c) => c.closed()));
    const sse = await connectSse(limited.url);
    sse.close();
  });
});
