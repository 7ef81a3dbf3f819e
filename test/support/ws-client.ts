// A raw client of Plinth's realtime WebSocket (/api/ws) on the `ws` package, for tests that look at
// the protocol itself: every frame, event ids, error replies, close codes and refused upgrades. Also a
// hand-made upgrade on a bare TCP socket, for a client that stops reading.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { connect, type Socket } from "node:net";
import { WebSocket } from "ws";

/** One server message, parsed. */
export type WsMessage = { readonly type: string; readonly [key: string]: unknown };

/** How a connection ended. */
export interface WsClose {
  readonly code: number;
  readonly reason: string;
}

/** An open connection; `messages` holds every server message received, `connected` first. */
export interface WsClient {
  readonly socket: WebSocket;
  readonly messages: WsMessage[];
  /** The `connected` message the server sent first. */
  readonly connected: WsMessage;
  /** Sends a message as a JSON text frame. */
  send(message: unknown): void;
  /** Sends `message` with a fresh string id and resolves with the reply that echoes it (ack, pong, error). */
  request(message: Record<string, unknown>): Promise<WsMessage>;
  /** The record events received so far. */
  events(): WsMessage[];
  /** Resolves once `n` record events have arrived (bounded wait); returns the first `n`. */
  nextEvents(n: number): Promise<WsMessage[]>;
  /** Resolves once `ok()` holds (bounded wait). */
  until(what: string, ok: () => boolean): Promise<void>;
  /** Resolves with the close code and reason once the connection has ended (bounded wait). */
  closed(): Promise<WsClose>;
  close(): void;
}

const TICK_MS = 10;
const MAX_TICKS = 500; // 5 s

/** Polls `ok` every 10 ms, at most 5 s, then asserts it. */
export async function waitUntil(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < MAX_TICKS && !ok(); i++) await new Promise((r) => setTimeout(r, TICK_MS));
  assert.ok(ok(), `timed out waiting for ${what}`);
}

function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, "ws")}/api/ws`;
}

let nextId = 0;

/**
 * Connects to `url`/api/ws (`token` as the upgrade's Authorization header) and resolves once the
 * server's `connected` message has arrived.
 */
export async function connectWs(
  url: string,
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<WsClient> {
  const headers = { ...(options.headers ?? {}), ...(options.token ? { authorization: options.token } : {}) };
  const socket = new WebSocket(wsUrl(url), { headers });
  const messages: WsMessage[] = [];
  let ended: WsClose | undefined;
  let failure: Error | undefined;
  socket.on("message", (data, isBinary) => {
    assert.equal(isBinary, false, "the server sends text frames only");
    messages.push(JSON.parse(String(data)) as WsMessage);
  });
  socket.on("close", (code, reason) => void (ended = { code, reason: String(reason) }));
  socket.on("error", (err) => void (failure = err));
  await waitUntil("the connected message", () => messages.length > 0 || failure !== undefined || !!ended);
  if (failure) throw failure;
  const connected = messages[0]!;
  assert.equal(connected.type, "connected", JSON.stringify(connected));

  const client: WsClient = {
    socket,
    messages,
    connected,
    send: (message) => socket.send(JSON.stringify(message)),
    async request(message) {
      const id = `r${++nextId}`;
      client.send({ ...message, id });
      const isReply = (m: WsMessage) => m["id"] === id && m.type !== "event";
      await waitUntil(`the reply to ${JSON.stringify(message).slice(0, 200)}`, () => messages.some(isReply));
      return messages.find(isReply)!;
    },
    events: () => messages.filter((m) => m.type === "event"),
    async nextEvents(n) {
      await waitUntil(
        `${n} events (got ${JSON.stringify(client.events())})`,
        () => client.events().length >= n,
      );
      return client.events().slice(0, n);
    },
    until: waitUntil,
    async closed() {
      await waitUntil("the connection to close", () => ended !== undefined);
      return ended!;
    },
    close: () => socket.close(),
  };
  return client;
}

/** Tries a WebSocket upgrade that must be refused; resolves with the HTTP status and JSON body. */
export async function refusedUpgrade(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  const socket = new WebSocket(wsUrl(url), { headers });
  let result: { status: number; body: unknown } | undefined;
  let opened = false;
  socket.on("error", () => {}); // the aborted request reports itself here too
  socket.on("open", () => {
    opened = true;
    socket.close();
  });
  socket.on("unexpected-response", (req, res) => {
    let text = "";
    res.setEncoding("utf8");
    res.on("data", (chunk: string) => void (text += chunk));
    res.on("end", () => {
      result = { status: res.statusCode ?? 0, body: JSON.parse(text) };
      req.destroy();
    });
  });
  await waitUntil("the upgrade to be answered", () => result !== undefined || opened);
  assert.ok(!opened, "the upgrade was accepted");
  return result!;
}

/** A WebSocket connection made by hand on a TCP socket, so the test controls reading. */
export interface RawWs {
  readonly socket: Socket;
  /** Everything received after the handshake's head, as text (server frames are unmasked). */
  received(): string;
  /** Sends `message` as one masked JSON text frame. */
  send(message: unknown): void;
}

/** Upgrades a bare TCP socket to /api/ws and resolves once the `connected` message has arrived. */
export async function rawWs(url: string): Promise<RawWs> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let text = "";
  socket.on("data", (chunk: Buffer) => void (text += chunk.toString("latin1")));
  socket.on("error", () => {});
  socket.write(
    [
      "GET /api/ws HTTP/1.1",
      `Host: ${hostname}:${port}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      "",
      "",
    ].join("\r\n"),
  );
  await waitUntil("the handshake and connected message", () => text.includes('"type":"connected"'));
  assert.match(text, /^HTTP\/1\.1 101 /);
  const headEnd = text.indexOf("\r\n\r\n") + 4;
  return {
    socket,
    received: () => text.slice(headEnd),
    send(message) {
      const payload = Buffer.from(JSON.stringify(message));
      assert.ok(payload.length < 65536, "rawWs sends frames under 64 KiB");
      const head =
        payload.length < 126
          ? Buffer.from([0x81, 0x80 | payload.length])
          : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
      const mask = randomBytes(4);
      const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
      socket.write(Buffer.concat([head, mask, body]));
    },
  };
}
