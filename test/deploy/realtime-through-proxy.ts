// The realtime routes of an example configuration in docs/deploy, run by the real load balancer in front of
// three real `plinth serve` instances on one fresh PostgreSQL schema: an SSE stream that is passed on as
// it is written, a subscription request that the balancer sends to another instance than the stream, a
// WebSocket upgrade, and record events from writes made through the balancer.
// nginx-realtime.test.ts and haproxy-realtime.test.ts run this suite.
//
// Not checked here, and why:
// - The headers an instance receives (X-Forwarded-For, X-Forwarded-Proto, Host, Connection). Plinth
//   runs with trustProxy off, as the examples document: it neither uses nor echoes them, so they cannot
//   be seen from outside. What an instance does show is the request id: it logs it as `reqId` and
//   returns it in X-Request-Id (also on the SSE response; not on a WebSocket's 101, nor in its log).
// - That a quiet stream is not cut by a proxy timeout before Plinth's heartbeat (an SSE comment or a
//   WebSocket ping, every 30 s, fixed) reaches it. The examples allow 60 s to 1 h of silence; proving it
//   would mean holding a stream silent for over 30 s per proxy, outside the suite's time budget.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { type IncomingHttpHeaders, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { WebSocket } from "ws";
import type { Json } from "../support/json.ts";
import { freshPostgresSchema } from "../support/postgres.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { runCli, type ServerProcess, spawnServer, stopServers } from "../support/spawn-server.ts";
import { PUBLIC_NOTES } from "../support/collections.ts";

/** How one example configuration is run, and how to ask it which instance holds a stream. */
export interface RealtimeProxy<P extends ProxyProcess> {
  readonly name: string;
  /** undefined skips the suite (the skip message was printed where it was decided). */
  readonly pgUrl: string | undefined;
  /** Starts the load balancer, files in `dir`, in front of the instances listening on `upstreamPorts`. */
  start(upstreamPorts: number[], dir: string): Promise<P>;
  /** The X-Request-Id the load balancer gives a request that has none (or an unusable one). */
  readonly generatedRequestId: RegExp;
  /**
   * The index in `upstreamPorts` of the instance holding the open `stream`, as the load balancer tells
   * it. It may end the stream to find out (nginx logs a request only once it has ended).
   */
  holderOf(proxy: P, stream: SseStream, upstreamPorts: readonly number[]): Promise<number>;
}

/** Bounded polling: 500 checks, 10 ms apart; resolves with the last check. */
export async function until(ok: () => boolean): Promise<boolean> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  return ok();
}

async function call(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; requestId?: string } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers["authorization"] = init.token;
  if (init.requestId) headers["x-request-id"] = init.requestId;
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? {} : JSON.parse(text) };
}

/** For each request id, the index of the instance that logged it as `reqId`, once all are logged. */
async function servedBy(servers: readonly ServerProcess[], ids: readonly string[]): Promise<number[]> {
  const owner = (id: string) => servers.findIndex((s) => s.output().includes(`"reqId":"${id}"`));
  const logged = await until(() => ids.every((id) => owner(id) !== -1));
  assert.ok(logged, `not logged by any instance: ${ids.filter((id) => owner(id) === -1).join(", ")}`);
  return ids.map(owner);
}

/** An open GET /api/realtime, read one SSE message (a text ending in a blank line) at a time. */
export interface SseStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The stream's X-Request-Id, as the instance returned it. */
  readonly requestId: string;
  /** The local port of its connection to the load balancer. */
  readonly clientPort: number;
  /** The next message, heartbeat comments skipped (bounded wait); fails if the stream has ended. */
  next(): Promise<string>;
  /** Closes the connection. */
  close(): void;
}

/** Opens the stream on its own connection, so closing it closes the connection the balancer sees. */
function openSse(base: string): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/api/realtime`, { headers: { accept: "text/event-stream" }, agent: false });
    req.on("error", reject);
    req.on("response", (res) => {
      let buffered = "";
      let ended = false;
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (buffered += chunk));
      res.on("end", () => (ended = true));
      res.on("error", () => (ended = true));
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        requestId: String(res.headers["x-request-id"]),
        clientPort: req.socket?.localPort ?? 0,
        async next() {
          for (;;) {
            // The stream never ends by itself here: a message has to be passed on as it is written.
            await until(() => ended || buffered.includes("\n\n"));
            const end = buffered.indexOf("\n\n");
            const why = ended ? "the stream ended" : "nothing more came";
            assert.ok(end !== -1, `no whole message, ${why}; received: ${JSON.stringify(buffered)}`);
            const message = buffered.slice(0, end + 2);
            buffered = buffered.slice(end + 2);
            if (!message.startsWith(":")) return message; // ":" is Plinth's heartbeat
          }
        },
        close: () => req.destroy(),
      });
    });
    req.end();
  });
}

/** An open WebSocket on /api/ws whose messages are collected in order. */
async function openSocket(base: string) {
  const ws = new WebSocket(`${base.replace("http", "ws")}/api/ws`);
  const messages: Record<string, Json>[] = [];
  ws.on("message", (data) => messages.push(JSON.parse(String(data)) as Record<string, Json>));
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let read = 0;
  return {
    ws,
    /** The next message not read yet (bounded wait). */
    async next(): Promise<Record<string, Json>> {
      assert.ok(await until(() => messages.length > read), `no message after ${JSON.stringify(messages)}`);
      return messages[read++]!;
    },
  };
}

/** The shared suite: SSE and WebSocket realtime through the load balancer, on real instances. */
export function describeRealtimeThroughProxy<P extends ProxyProcess>(proxy: RealtimeProxy<P>): void {
  describe(proxy.name, { skip: proxy.pgUrl === undefined, timeout: 90_000 }, () => {
    const dirs: string[] = [];
    const tempDir = (prefix: string) => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    };
    let schema: { url: string; drop(): Promise<void> } | undefined;
    const servers: ServerProcess[] = [];
    let running: P | undefined;
    let base: string;
    const run = randomBytes(4).toString("hex");

    /** Creates a record in the public collection through the load balancer; resolves with its id. */
    async function createNote(title: string): Promise<string> {
      const made = await call(base, "/api/collections/notes/records", { method: "POST", body: { title } });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      return String(made.body["id"]);
    }

    before(async () => {
      schema = await freshPostgresSchema(proxy.pgUrl!);
      const db = schema.url;
      const made = await runCli(["superuser", "upsert", "admin@example.com", "password123", "--db", db]);
      assert.equal(made.code, 0, made.stderr);
      // one at a time, so the first bootstraps the schema and the others find it
      servers.push(await spawnServer(tempDir("plinth-lb-rt-"), ["--db", db]));
      servers.push(
        ...(await Promise.all([1, 2].map(() => spawnServer(tempDir("plinth-lb-rt-"), ["--db", db])))),
      );
      running = await proxy.start(
        servers.map((s) => Number(new URL(s.url).port)),
        tempDir("plinth-lb-rt-proxy-"),
      );
      base = running.url;
      const login = await call(base, "/api/collections/_superusers/auth-with-password", {
        method: "POST",
        body: { identity: "admin@example.com", password: "password123" },
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const notes = await call(base, "/api/collections", {
        method: "POST",
        token: String(login.body["token"]),
        body: PUBLIC_NOTES,
      });
      assert.equal(notes.status, 200, JSON.stringify(notes.body));
    });

    after(async () => {
      await running?.stop();
      await stopServers(servers);
      await schema?.drop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    test("a client's X-Request-Id reaches the instance, which logs it and returns it", async () => {
      const id = `fwd-${run}`;
      const res = await call(base, "/api/health", { requestId: id });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("x-request-id"), id);
      await servedBy(servers, [id]);
    });

    test("an X-Request-Id Plinth would not accept is replaced by the load balancer's own id", async () => {
      const res = await call(base, "/api/health", { requestId: "has spaces; and more" });
      assert.equal(res.status, 200);
      const id = res.headers.get("x-request-id") ?? "";
      assert.match(id, proxy.generatedRequestId);
      await servedBy(servers, [id]);
    });

    test("GET /api/realtime passes PB_CONNECT on at once while the stream stays open", async () => {
      const stream = await openSse(base);
      try {
        assert.equal(stream.status, 200);
        assert.equal(stream.headers["content-type"], "text/event-stream");
        // the load balancer's id, returned by the instance holding the stream
        assert.match(String(stream.headers["x-request-id"]), proxy.generatedRequestId);
        const first = await stream.next();
        const connect = /^id:(\S+)\nevent:PB_CONNECT\ndata:(.*)\n\n$/.exec(first);
        assert.ok(connect, first);
        assert.equal((JSON.parse(connect[2]!) as { clientId: string }).clientId, connect[1]);
      } finally {
        stream.close();
      }
    });

    test("subscriptions posted through the load balancer reach the stream's instance from any other, and a record created through it arrives", async () => {
      const stream = await openSse(base);
      const ids = Array.from({ length: 6 }, (_, i) => `sub-${run}-${i}`);
      try {
        assert.equal(stream.status, 200);
        const clientId = /^id:(\S+)\n/.exec(await stream.next())?.[1];
        assert.ok(clientId);
        // The balancer picks an instance for each (least connections, then round robin among the
        // equally loaded), so some land on an instance that does not hold the stream: that instance
        // hands the request over the bus to the one that does.
        for (const id of ids) {
          const res = await call(base, "/api/realtime", {
            method: "POST",
            body: { clientId, subscriptions: ["notes/*"] },
            requestId: id,
          });
          assert.equal(res.status, 204, `${id}: ${JSON.stringify(res.body)}`);
        }
        const recordId = await createNote(`sse ${run}`);
        const message = await stream.next();
        const event = /^id:(\d+)\nevent:notes\/\*\ndata:(.*)\n\n$/.exec(message);
        assert.ok(event, message);
        const data = JSON.parse(event[2]!) as Json;
        assert.equal(data.action, "create");
        assert.equal(data.record.id, recordId);
        assert.equal(data.record.title, `sse ${run}`);

        const ports = servers.map((s) => Number(new URL(s.url).port));
        const holder = await proxy.holderOf(running!, stream, ports);
        const owners = await servedBy(servers, ids);
        assert.ok(
          owners.some((i) => i !== holder),
          `every subscription request went to instance ${holder}, which holds the stream`,
        );
      } finally {
        stream.close();
      }
    });

    test("a WebSocket on /api/ws is upgraded, subscribes, and receives a record created through the load balancer", async () => {
      const socket = await openSocket(base);
      try {
        const connected = await socket.next();
        assert.equal(connected["type"], "connected", JSON.stringify(connected));
        assert.equal(typeof connected["clientId"], "string");
        socket.ws.send(JSON.stringify({ type: "subscribe", id: 1, topics: ["notes/*"] }));
        assert.deepEqual(await socket.next(), { type: "ack", id: 1 });

        const recordId = await createNote(`ws ${run}`);
        const event = await socket.next();
        assert.equal(event["type"], "event", JSON.stringify(event));
        assert.equal(event["topic"], "notes/*");
        assert.match(String(event["id"]), /^\d+$/);
        assert.equal(event["data"].action, "create");
        assert.equal(event["data"].record.id, recordId);
        assert.equal(event["data"].record.title, `ws ${run}`);
      } finally {
        socket.ws.terminate();
      }
    });
  });
}
