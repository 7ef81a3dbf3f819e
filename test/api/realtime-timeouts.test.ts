// Heartbeats and timeouts of realtime connections, with the periods shortened for the test: SSE
// comments keep a quiet stream alive, an idle stream is closed, so is one past its lifetime; a
// WebSocket client that stops answering pings is dropped, one that answers stays.
import assert from "node:assert/strict";
import { get } from "node:http";
import { after, before, describe, test } from "node:test";
import { WebSocket } from "ws";
import { startTestServer, type TestServer } from "../support/test-server.ts";

const TIMINGS = { heartbeatMs: 100, idleMs: 450, lifetimeMs: 1_200 };
let server: TestServer;

before(async () => {
  server = await startTestServer({}, { realtimeTimings: TIMINGS });
});
after(() => server?.close());

/** Opens a raw SSE stream; collects everything written and whether it ended. */
function rawStream() {
  const seen = { text: "", ended: false, openedAt: Date.now(), endedAt: 0 };
  const req = get(`${server.url}/api/realtime`, (res) => {
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => {
      seen.text += chunk;
    });
    res.on("end", () => {
      seen.ended = true;
      seen.endedAt = Date.now();
    });
  });
  return { seen, destroy: () => req.destroy() };
}

async function waitUntil(what: string, ok: () => boolean, tries = 500): Promise<void> {
  for (let i = 0; i < tries && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), what);
}

describe("realtime heartbeats and timeouts", () => {
  test("a quiet SSE stream gets heartbeat comments, then is closed once idle", async () => {
    const { seen } = rawStream();
    await waitUntil("PB_CONNECT", () => seen.text.includes("event:PB_CONNECT"));
    await waitUntil("a heartbeat comment", () => seen.text.includes("\n:\n\n"));
    await waitUntil("closed when idle", () => seen.ended);
    assert.ok(seen.endedAt - seen.openedAt >= TIMINGS.idleMs, "not before the idle limit");
  });

  test("an SSE stream that keeps receiving events is still closed at its lifetime", async () => {
    const token = await server.superuserToken();
    const made = await server.request("POST", "/api/collections", {
      token,
      body: { name: "ticks", type: "base", listRule: "", viewRule: "", fields: [] },
    });
    assert.equal(made.status, 200, JSON.stringify(made.body));
    const { seen } = rawStream();
    await waitUntil("PB_CONNECT", () => seen.text.includes("event:PB_CONNECT"));
    const clientId = /data:\{"clientId":"(\w+)"/.exec(seen.text)![1]!;
    const posted = await fetch(`${server.url}/api/realtime`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clientId, subscriptions: ["ticks/*"] }),
    });
    assert.equal(posted.status, 204);
    for (let i = 0; i < 60 && !seen.ended; i++) {
      await server.request("POST", "/api/collections/ticks/records", { token, body: {} });
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seen.ended, "closed at its lifetime");
    assert.ok(seen.endedAt - seen.openedAt >= TIMINGS.lifetimeMs, "not before the lifetime");
    assert.ok((seen.text.match(/event:ticks\/\*/g) ?? []).length > 5, "it was receiving events meanwhile");
  });

  test("a WebSocket client that stops answering pings is dropped; one that answers stays", async () => {
    const url = `${server.url.replace("http", "ws")}/api/ws`;
    const silent = new WebSocket(url, { autoPong: false });
    const healthy = new WebSocket(url);
    let silentClosed = false;
    let healthyClosed = false;
    silent.on("close", () => {
      silentClosed = true;
    });
    healthy.on("close", () => {
      healthyClosed = true;
    });
    await waitUntil("both open", () => silent.readyState === 1 && healthy.readyState === 1);
    await waitUntil("the silent one is dropped", () => silentClosed);
    await new Promise((r) => setTimeout(r, 5 * TIMINGS.heartbeatMs));
    assert.equal(healthyClosed, false);
    healthy.close();
  });
});
