import { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import websocket from "@fastify/websocket";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import type { AuthInfo } from "../../core/request-info.ts";
import type { WebSocket } from "ws";
import { PlinthError } from "../../core/errors.ts";
import type { CloseReason, RealtimeSink } from "../../services/realtime/index.ts";
import type { Services } from "../../services/index.ts";
import { parseJsonBody, toErrorReply } from "../http/index.ts";
import { MAX_BUFFERED_BYTES } from "./realtime-routes.ts";
import type { ConnectionLimit } from "./realtime-connection-limit.ts";
import { createSweeper, type RealtimeTimings } from "./realtime-sweeper.ts";

/** Largest message a client may send (a subscribe with many long topics fits easily). */
export const MAX_CLIENT_MESSAGE_BYTES = 64 * 1024;
const NOT_AN_OBJECT = "Messages must be JSON objects.";
/** Deepest nesting of a client message (as for request bodies). */
const MAX_MESSAGE_DEPTH = 64;
/**
 * Messages received and not yet answered. Each is handled in turn; a client that sends faster than
 * they are answered is disconnected here, so its queue (and the server's memory) stays bounded.
 */
const MAX_PENDING_MESSAGES = 100;
/** Close codes: 1012 "service restart" tells clients to reconnect (elsewhere); 1008 policy. */
const CLOSE_CODES: Record<CloseReason, [number, string]> = {
  shutdown: [1012, "server shutting down; reconnect"],
  "slow-consumer": [1008, "too slow: backlog over the limit"],
  flood: [1008, "too many messages waiting for an answer"],
  idle: [1001, "idle"],
  lifetime: [1001, "connection lifetime reached"],
  replaced: [1000, "replaced"],
};

/** One client message: `type` and an optional `id` echoed in the reply (ack, pong or error). */
interface ClientMessage {
  readonly type: string;
  readonly id?: string | number;
  readonly [key: string]: unknown;
}

function parseMessage(text: string): ClientMessage {
  const parsed = parseJsonBody(text, MAX_MESSAGE_DEPTH, NOT_AN_OBJECT);
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new PlinthError("invalid_input", NOT_AN_OBJECT);
  const m = parsed as Record<string, unknown>;
  if (typeof m["type"] !== "string") throw new PlinthError("invalid_input", 'Messages need a string "type".');
  if (m["id"] !== undefined && typeof m["id"] !== "string" && typeof m["id"] !== "number")
    throw new PlinthError("invalid_input", 'A message "id" must be a string or a number.');
  return m as ClientMessage;
}

function channelOf(m: ClientMessage): string {
  const channel = m["channel"];
  if (typeof channel !== "string" || channel === "")
    throw new PlinthError("invalid_input", '"channel" must be a channel name.');
  return channel;
}

function stringList(m: ClientMessage, key: string): string[] {
  const value = m[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    throw new PlinthError("invalid_input", `"${key}" must be a list of strings.`);
  return value as string[];
}

/**
 * `GET /api/ws`: realtime over one WebSocket, with the same subscriptions, rules, event ids and replay
 * as SSE (docs/realtime.md has the protocol). Auth comes from the upgrade's Authorization header or
 * an `auth` message; the same identity rules hold as for PocketBase's SSE.
 */
export function registerRealtimeSocketRoutes(
  app: FastifyInstance,
  services: Services,
  limit: ConnectionLimit,
  timings: RealtimeTimings,
): void {
  app.register(websocket, { options: { maxPayload: MAX_CLIENT_MESSAGE_BYTES } });
  app.register(async (scope) => {
    // a ping each period; a client that answered nothing (no pong, no message) since the last is dropped
    const sweeper = createSweeper(timings.heartbeatMs);
    scope.get("/api/ws", { websocket: true, preHandler: limit.admit }, (socket, req) => {
      // the connection keeps only what it needs of the upgrade request (its log and auth), so the
      // request and response objects can go: they would cost every idle connection a few KiB
      const release = limit.releaser(req);
      forgetUpgradeRequest(socket, req.raw.socket, req.log);
      serveSocket(socket, { log: req.log, auth: req.plinthAuth ?? null }, services, sweeper, release);
    });
  });
}

/**
 * Lets the upgrade's request and response objects go once the socket is open: @fastify/websocket's
 * error listener closes over them, and the TCP socket still points at the response it was given, so
 * they would otherwise live (a few KiB each) as long as every idle connection. A socket error ends
 * the connection, logged.
 */
function forgetUpgradeRequest(socket: WebSocket, tcp: Socket | null, log: FastifyBaseLogger): void {
  const response = (tcp as (Socket & { _httpMessage?: ServerResponse | null }) | null)?._httpMessage;
  if (tcp !== null && response instanceof ServerResponse) response.detachSocket(tcp);
  socket.removeAllListeners("error");
  socket.on("error", (err) => {
    log.debug({ err }, "realtime socket error");
    socket.terminate();
  });
}

function serveSocket(
  socket: WebSocket,
  req: { readonly log: FastifyBaseLogger; readonly auth: AuthInfo | null },
  services: Services,
  sweeper: ReturnType<typeof createSweeper>,
  released: () => void,
): void {
  const realtime = services.realtime;
  let alive = true;
  const send = (text: string) => {
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      req.log.warn({ clientId, buffered: socket.bufferedAmount }, "realtime client too slow; disconnecting");
      socket.terminate(); // a close frame would wait behind the backlog
      return;
    }
    socket.send(text);
  };
  const sink: RealtimeSink = {
    connected(id, lastEventId, presenceId) {
      send(JSON.stringify({ type: "connected", clientId: id, presenceId, lastEventId: String(lastEventId) }));
    },
    event(topic, data, id) {
      const idPart = id === undefined ? "" : `,"id":"${id}"`;
      send(`{"type":"event","topic":${JSON.stringify(topic)}${idPart},"data":${data}}`);
    },
    resync(lastEventId, reason) {
      send(JSON.stringify({ type: "resync", lastEventId: String(lastEventId), reason }));
    },
    close(reason) {
      if (reason === "shutdown")
        send(JSON.stringify({ type: "reconnect", reason: "the server is shutting down" }));
      const [code, text] = CLOSE_CODES[reason ?? "replaced"];
      socket.close(code, text);
    },
  };
  const clientId = realtime.connect(sink);
  const auth = req.auth;
  if (auth !== null) realtime.authenticate(clientId, auth);
  // the connection's auth as the service has it now (an auth record change may have dropped it)
  const currentAuth = () => realtime.authOf(clientId);

  // a ping each period; a client that answered nothing since the last one is gone
  const swept = {
    tick() {
      if (!alive) {
        req.log.info({ clientId }, "realtime client stopped answering pings; disconnecting");
        socket.terminate();
        return;
      }
      alive = false;
      socket.ping();
    },
  };
  sweeper.add(swept);
  socket.on("pong", () => {
    alive = true;
  });

  const reply = (m: ClientMessage | undefined, body: Record<string, unknown>) =>
    send(JSON.stringify(m?.id === undefined ? body : { ...body, id: m.id }));

  async function handle(m: ClientMessage): Promise<void> {
    switch (m.type) {
      case "ping":
        reply(m, { type: "pong" });
        return;
      case "auth": {
        const token = m["token"];
        if (token !== null && typeof token !== "string")
          throw new PlinthError("invalid_input", '"token" must be a string, or null for a guest.');
        const next = token === null ? null : await services.auth.authenticate(token);
        if (token !== null && next === null)
          throw new PlinthError("unauthenticated", "The token is invalid or has expired.");
        realtime.authenticate(clientId, next);
        reply(m, {
          type: "ack",
          auth: next === null ? null : { collectionName: next.collectionName, id: next.record["id"] },
        });
        return;
      }
      case "subscribe":
        await realtime.subscribe(clientId, stringList(m, "topics"));
        reply(m, { type: "ack" });
        return;
      case "unsubscribe":
        realtime.unsubscribe(clientId, stringList(m, "topics"));
        reply(m, { type: "ack" });
        return;
      case "resume": {
        const last = m["lastEventId"];
        if (typeof last !== "string" || last === "")
          throw new PlinthError("invalid_input", '"lastEventId" must be the id of the last event received.');
        await realtime.resume(clientId, last);
        reply(m, { type: "ack" });
        return;
      }
      case "publish":
        await realtime.broadcast(currentAuth(), clientId, channelOf(m), m["event"], m["data"]);
        reply(m, { type: "ack" });
        return;
      case "join":
        reply(m, {
          type: "ack",
          members: await realtime.join(clientId, currentAuth(), channelOf(m), m["state"]),
        });
        return;
      case "leave":
        await realtime.leave(clientId, currentAuth(), channelOf(m));
        reply(m, { type: "ack" });
        return;
      default:
        throw new PlinthError("invalid_input", `Unknown message type "${m.type.slice(0, 40)}".`);
    }
  }

  // one message at a time, so replies come in the order messages were sent
  let line: Promise<void> = Promise.resolve();
  let pending = 0;
  let flooded = false;
  socket.on("message", (data, isBinary) => {
    alive = true;
    if (flooded) return; // closing: what it still sends is dropped
    if (++pending > MAX_PENDING_MESSAGES) {
      flooded = true;
      req.log.warn({ clientId, pending }, "realtime client sends faster than it is answered; disconnecting");
      realtime.disconnect(clientId, "flood");
      return;
    }
    line = line.then(async () => {
      let m: ClientMessage | undefined;
      try {
        if (isBinary) throw new PlinthError("invalid_input", "Messages must be text (JSON).");
        m = parseMessage(String(data));
        await handle(m);
      } catch (err) {
        const { body } = toErrorReply(err, req.log);
        reply(m, { type: "error", error: body });
      } finally {
        pending--;
      }
    });
  });
  socket.on("close", () => {
    sweeper.delete(swept);
    released();
    realtime.disconnect(clientId);
  });
}
