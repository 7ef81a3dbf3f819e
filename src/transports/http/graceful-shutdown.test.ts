import assert from "node:assert/strict";
import { Agent, request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { pino } from "pino";
import { createHttpServer } from "./create-http-server.ts";
import { closeGracefully } from "./graceful-shutdown.ts";

interface Response {
  readonly status: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

function get(port: number, path: string, agent?: Agent): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, ...(agent ? { agent } : {}) }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** A server with a route that waits until the test releases it, and a signal when it has started. */
async function serverWithSlowRoute() {
  const app = createHttpServer({
    logger: pino({ level: "silent" }),
    bodyLimit: 1024,
    cors: { origins: "*" },
  });
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  app.get("/slow", async () => {
    started();
    await released;
    return { done: true };
  });
  app.get("/fast", async () => ({ ok: true }));
  let closeStarted!: () => void;
  const closing = new Promise<void>((resolve) => (closeStarted = resolve));
  app.addHook("preClose", (done) => {
    closeStarted();
    done();
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, port, inFlight, release, closing };
}

test("lets an in-flight request finish, then stops accepting connections", async () => {
  const { app, port, inFlight, release, closing: closeStarted } = await serverWithSlowRoute();
  const slow = get(port, "/slow");
  await inFlight;

  const closing = closeGracefully(app, { timeoutMs: 30_000 });
  await closeStarted;
  await assert.rejects(get(port, "/fast"), { code: "ECONNREFUSED" });
  release();

  const res = await slow;
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse(res.body), { done: true });
  assert.deepEqual(await closing, { forced: false });
});

test("closes the connection of a response finished while draining, so closing does not wait for the client", async () => {
  const { app, port, inFlight, release, closing: closeStarted } = await serverWithSlowRoute();
  // A keep-alive agent would hold the connection open for its idle timeout after the response.
  const agent = new Agent({ keepAlive: true, keepAliveMsecs: 60_000 });
  const slow = get(port, "/slow", agent);
  await inFlight;

  const closing = closeGracefully(app, { timeoutMs: 30_000 });
  await closeStarted;
  release();
  const res = await slow;
  assert.equal(res.status, 200);
  assert.equal(res.headers.connection, "close");
  assert.deepEqual(await closing, { forced: false });
  agent.destroy();
});

test("cuts connections still busy after the timeout", async () => {
  const { app, port, inFlight, release } = await serverWithSlowRoute();
  const slow = get(port, "/slow");
  await inFlight;
  const result = await closeGracefully(app, { timeoutMs: 50 });
  assert.deepEqual(result, { forced: true });
  await assert.rejects(slow);
  release();
});
