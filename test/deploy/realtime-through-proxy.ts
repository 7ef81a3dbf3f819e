// What an example configuration in docs/deploy forwards, and its realtime routes, run by the real load
// balancer. Plinth does not serve /api/realtime (SSE) or /api/ws (WebSocket) yet, so a small Node HTTP
// server stands in for the instances: it streams an event, completes a WebSocket handshake, and reports the
// headers the load balancer sent. nginx-realtime.test.ts and haproxy-realtime.test.ts run this suite.
// TODO(#5): point these at real Plinth instances: /api/realtime (SSE) exists now, /api/ws not yet.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { ProxyProcess } from "../support/proxy-process.ts";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const FIRST_EVENT = 'id:1\nevent:PB_CONNECT\ndata:{"clientId":"stand-in"}\n\n';

/** The headers an upstream received, as the stand-in reports them. */
type Seen = Pick<
  IncomingHttpHeaders,
  "host" | "connection" | "upgrade" | "x-forwarded-for" | "x-forwarded-proto" | "x-request-id"
>;

function seen(headers: IncomingHttpHeaders): Seen {
  return {
    host: headers.host,
    connection: headers.connection,
    upgrade: headers.upgrade,
    "x-forwarded-for": headers["x-forwarded-for"],
    "x-forwarded-proto": headers["x-forwarded-proto"],
    "x-request-id": headers["x-request-id"],
  };
}

/** One unmasked WebSocket text frame (server to client), for payloads under 64 KiB. */
function textFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, payload.length])
      : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

/** The stand-in instance: SSE on GET /api/realtime, a WebSocket greeting on /api/ws, headers elsewhere. */
function standIn(): { server: Server; streams: Set<ServerResponse>; sockets: Set<Duplex> } {
  const streams = new Set<ServerResponse>();
  const sockets = new Set<Duplex>();
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === "/api/realtime") {
      // The first event is written and the stream stays open: a buffering proxy would hold it back.
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store" });
      res.write(FIRST_EVENT);
      streams.add(res);
      res.on("close", () => streams.delete(res));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(seen(req.headers)));
  });
  server.on("upgrade", (req, socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    if (req.url !== "/api/ws" || req.headers.upgrade?.toLowerCase() !== "websocket") {
      socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
      return;
    }
    const accept = createHash("sha1")
      .update(String(req.headers["sec-websocket-key"]) + WS_GUID)
      .digest("base64");
    socket.write(
      "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n" +
        `sec-websocket-accept: ${accept}\r\n\r\n`,
    );
    socket.write(textFrame(JSON.stringify(seen(req.headers))));
    // the client's frames are not read: closing the socket ends the test's connection
    socket.on("data", () => undefined);
  });
  return { server, streams, sockets };
}

/** How one example configuration is run, and what it passes on that differs between load balancers. */
export interface RealtimeProxy {
  readonly name: string;
  readonly skip: boolean;
  /** Starts the load balancer, files in `dir`, with every upstream address on `upstreamPort`. */
  start(upstreamPort: number, dir: string): Promise<ProxyProcess>;
  /** The Host header an instance receives for a request to `127.0.0.1:port`. */
  forwardedHost(port: number): string;
  /** The X-Request-Id the load balancer gives a request that has none (or an unusable one). */
  readonly generatedRequestId: RegExp;
}

/** The shared suite: header forwarding, an unbuffered SSE stream and a WebSocket upgrade. */
export function describeRealtimeThroughProxy(proxy: RealtimeProxy): void {
  describe(proxy.name, { skip: proxy.skip, timeout: 60_000 }, () => {
    let dir: string;
    let upstream: ReturnType<typeof standIn> | undefined;
    let running: ProxyProcess | undefined;
    let port: number;

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "plinth-lb-rt-"));
      const made = standIn();
      upstream = made;
      await new Promise<void>((done) => made.server.listen(0, "127.0.0.1", done));
      running = await proxy.start((made.server.address() as AddressInfo).port, dir);
      port = Number(new URL(running.url).port);
    });

    after(async () => {
      await running?.stop();
      for (const stream of upstream?.streams ?? []) stream.end();
      // upgraded sockets are not the HTTP server's any more: closeAllConnections() leaves them open
      for (const socket of upstream?.sockets ?? []) socket.destroy();
      upstream?.server.closeAllConnections();
      await new Promise((done) => upstream?.server.close(done));
      rmSync(dir, { recursive: true, force: true });
    });

    test("an API request reaches the instance with the client's address, not a forged X-Forwarded-For", async () => {
      const res = await fetch(`${running!.url}/api/health`, {
        headers: { "x-forwarded-for": "203.0.113.9", "x-request-id": "fwd-1" },
      });
      assert.equal(res.status, 200);
      const headers = (await res.json()) as Seen;
      assert.equal(headers["x-forwarded-for"], "127.0.0.1");
      assert.equal(headers["x-forwarded-proto"], "http");
      assert.equal(headers["x-request-id"], "fwd-1");
      assert.equal(headers.host, proxy.forwardedHost(port));
      // no "Connection: close": the connection to the instance stays open for the next request
      assert.notEqual(headers.connection?.toLowerCase(), "close");
    });

    test("an X-Request-Id Plinth would not accept is replaced by the load balancer's own id", async () => {
      const res = await fetch(`${running!.url}/api/health`, {
        headers: { "x-request-id": "has spaces; and more" },
      });
      const headers = (await res.json()) as Seen;
      assert.match(String(headers["x-request-id"]), proxy.generatedRequestId);
    });

    test("an SSE event on GET /api/realtime reaches the client while the stream stays open", {
      timeout: 20_000,
    }, async () => {
      const res = await fetch(`${running!.url}/api/realtime`, { headers: { accept: "text/event-stream" } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "text/event-stream");
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let received = "";
      // The stream never ends here: the event has to be passed on as it arrives.
      while (!received.includes("\n\n")) {
        const chunk = await reader.read();
        assert.equal(chunk.done, false, `stream ended after: ${received}`);
        received += decoder.decode(chunk.value, { stream: true });
      }
      assert.equal(received, FIRST_EVENT);
      await reader.cancel();
    });

    test("a WebSocket on /api/ws is upgraded through the load balancer with the forwarded headers", {
      timeout: 20_000,
    }, async () => {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/api/ws`);
      const message = await new Promise<string>((done, fail) => {
        socket.addEventListener("message", (event) => done(String(event.data)));
        socket.addEventListener("error", () => fail(new Error(`WebSocket through ${proxy.name} failed`)));
      });
      socket.close();
      const headers = JSON.parse(message) as Seen;
      assert.equal(headers.upgrade?.toLowerCase(), "websocket");
      assert.equal(headers.connection?.toLowerCase(), "upgrade");
      assert.equal(headers.host, proxy.forwardedHost(port));
      assert.equal(headers["x-forwarded-for"], "127.0.0.1");
      assert.match(String(headers["x-request-id"]), proxy.generatedRequestId);
    });
  });
}
