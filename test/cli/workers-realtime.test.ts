// Realtime under `plinth serve --workers 2` on one SQLite file: streams held by either worker get
// the writes made through both, in one order, and a subscription request may reach either worker.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { EventSource } from "eventsource";
import PocketBase, { BaseAuthStore, type RecordSubscription } from "pocketbase";
import { callOnFreshConnection as call } from "../support/fresh-connection.ts";
import type { Json } from "../support/json.ts";
import { runCli, type ServerProcess, spawnServer, stopServers } from "../support/spawn-server.ts";
import { connectSse, type SseClient } from "../support/sse-client.ts";
import { connectWs, waitUntil } from "../support/ws-client.ts";
import { PUBLIC_NOTES } from "../support/collections.ts";

(globalThis as { EventSource?: unknown }).EventSource = EventSource;

const STREAMS = 4;
const WRITES = 8;

const dir = mkdtempSync(join(tmpdir(), "plinth-workers-rt-"));
let server: ServerProcess;

/** The pids of the workers that logged a request to `url` (pino's per-request line). */
function servingPids(url: string): Set<number> {
  const pids = new Set<number>();
  for (const line of server.output().split("\n")) {
    if (!line.includes(`"url":"${url}"`)) continue;
    try {
      const entry = JSON.parse(line) as { msg?: string; pid?: number };
      if (entry.msg === "request" && entry.pid !== undefined) pids.add(entry.pid);
    } catch {
      // the unfinished last line
    }
  }
  return pids;
}

before(async () => {
  await runCli(["superuser", "upsert", "admin@example.com", "password123", "--dir", dir]);
  server = await spawnServer(dir, ["--workers", "2"]);
  await server.waitForOutput(/plinth: 2 workers serving/);
  const login = await call(`${server.url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    body: { identity: "admin@example.com", password: "password123" },
  });
  assert.equal(login.status, 200, JSON.stringify(login.body));
  const made = await call(`${server.url}/api/collections`, {
    method: "POST",
    token: String((login.body as Record<string, Json>)["token"]),
    body: PUBLIC_NOTES,
  });
  assert.equal(made.status, 200, JSON.stringify(made.body));
});

after(async () => {
  await stopServers([server]);
  rmSync(dir, { recursive: true, force: true });
});

describe("realtime across --workers 2", () => {
  test("SSE streams and a WebSocket on either worker get every write, in one order", async () => {
    const streams: SseClient[] = [];
    const pb = new PocketBase(server.url, new BaseAuthStore());
    const sdkSeen: RecordSubscription[] = [];
    const ws = await connectWs(server.url);
    try {
      // each stream is one connection; round-robin puts them on both workers. Each subscription
      // request goes on a fresh connection too, so some reach the worker that does not hold the stream.
      for (let i = 0; i < STREAMS; i++) {
        const stream = await connectSse(server.url);
        // round-robin alternates workers per connection: an extra one on odd turns varies which
        // worker the subscription request reaches
        if (i % 2 === 1) await call(`${server.url}/api/health`);
        const posted = await call(`${server.url}/api/realtime?stream=${i}`, {
          method: "POST",
          body: { clientId: stream.clientId(), subscriptions: ["notes/*"] },
        });
        assert.equal(posted.status, 204, JSON.stringify(posted.body));
        stream.listen(["notes/*"]);
        streams.push(stream);
      }
      const ack = await ws.request({ type: "subscribe", topics: ["notes/*"] });
      assert.equal(ack.type, "ack", JSON.stringify(ack));
      await pb.collection("notes").subscribe("*", (e) => void sdkSeen.push(e));
      const streamUrls = [...Array(STREAMS).keys()].map((i) => `/api/realtime?stream=${i}`);
      await waitUntil("the request log lines", () => streamUrls.every((url) => servingPids(url).size > 0));
      const holders = new Set(streamUrls.flatMap((url) => [...servingPids(url)]));
      assert.equal(holders.size, 2, "the subscription requests reached both workers");

      const titles: string[] = [];
      for (let i = 0; i < WRITES; i++) {
        const made = await call(`${server.url}/api/collections/notes/records?write=${i}`, {
          method: "POST",
          body: { title: `w${i}` },
        });
        assert.equal(made.status, 200, JSON.stringify(made.body));
        titles.push(`w${i}`);
      }
      await waitUntil("the request log lines", () =>
        [...Array(WRITES).keys()].every(
          (i) => servingPids(`/api/collections/notes/records?write=${i}`).size > 0,
        ),
      );
      const writers = new Set(
        [...Array(WRITES).keys()].flatMap((i) => [
          ...servingPids(`/api/collections/notes/records?write=${i}`),
        ]),
      );
      assert.equal(writers.size, 2, "the writes were made through both workers");

      const titleOf = (record: unknown) => (record as Record<string, Json>)["title"];
      for (const stream of streams) {
        const got = await stream.next(WRITES);
        assert.deepEqual(
          got.map((m) => titleOf(m.data["record"])),
          titles,
        );
        const ids = got.map((m) => Number(m.id));
        assert.ok(
          ids.every((id, i) => i === 0 || id > ids[i - 1]!),
          `event ids increase: ${JSON.stringify(ids)}`,
        );
      }
      const wsEvents = await ws.nextEvents(WRITES);
      assert.deepEqual(
        wsEvents.map((e) => titleOf((e["data"] as Record<string, Json>)["record"])),
        titles,
      );
      await waitUntil("the SDK's events", () => sdkSeen.length >= WRITES);
      assert.deepEqual(
        sdkSeen.map((e) => e.record["title"]),
        titles,
      );
    } finally {
      for (const stream of streams) stream.close();
      ws.close();
      pb.realtime.unsubscribe();
    }
  });
});
