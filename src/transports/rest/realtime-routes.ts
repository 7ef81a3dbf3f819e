import type { FastifyInstance } from "fastify";
import { validationError } from "../../core/errors.ts";
import type { Services } from "../../services/index.ts";
import type { ConnectionLimit } from "./realtime-connection-limit.ts";
import { createSweeper, type RealtimeTimings } from "./realtime-sweeper.ts";
import { bodyOf, requestInfo } from "./rest-context.ts";

function channelIn(body: Record<string, unknown>): string {
  const channel = body["channel"];
  if (typeof channel !== "string" || channel === "")
    throw validationError({ channel: { code: "validation_required", message: "Cannot be blank." } });
  return channel;
}

/**
 * Bytes a connection may have queued and not yet taken by its client. A client that reads slower
 * than its events arrive is disconnected at this point, so its backlog never grows without bound.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * `GET /api/realtime`: a server-sent event stream in PocketBase's format (`id:` the client id,
 * `event:` the subscription name, `data:` JSON). `POST /api/realtime`: sets the subscriptions.
 */
export function registerRealtimeRoutes(
  app: FastifyInstance,
  services: Services,
  limit: ConnectionLimit,
  timings: RealtimeTimings,
): void {
  const sweeper = createSweeper(timings.heartbeatMs);
  app.get("/api/realtime", { preHandler: limit.admit }, (req, reply) => {
    // The stream outlives Fastify's reply cycle: write to the socket directly, with the headers the
    // hooks set (CORS, request id) and the ones SSE needs (no caching, no proxy buffering).
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      connection: "keep-alive",
    });
    let clientId = "";
    const log = req.log;
    const openedAt = Date.now();
    let lastSent = openedAt;
    const swept = {
      tick(now: number) {
        if (now - openedAt >= timings.lifetimeMs) services.realtime.disconnect(clientId, "lifetime");
        else if (now - lastSent >= timings.idleMs) services.realtime.disconnect(clientId, "idle");
        else res.write(":\n\n"); // an SSE comment: keeps proxies and NATs from dropping a quiet stream
      },
    };
    sweeper.add(swept);
    const release = limit.releaser(req);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      release();
      sweeper.delete(swept);
    };
    const write = (text: string) => {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        log.warn({ clientId, buffered: res.writableLength }, "realtime client too slow; disconnecting");
        res.destroy(); // not end(): that would wait to flush the backlog
        return;
      }
      res.write(text);
      lastSent = Date.now();
    };
    const lastEventId = req.headers["last-event-id"] ?? (req.query as Record<string, unknown>)["lastEventId"];
    clientId = services.realtime.connect(
      {
        // PocketBase's SDK reads its client id from the id of PB_CONNECT; record events carry their
        // event number, which EventSource sends back as Last-Event-ID when it reconnects.
        connected(id, _last, presenceId) {
          write(`id:${id}\nevent:PB_CONNECT\ndata:${JSON.stringify({ clientId: id, presenceId })}\n\n`);
        },
        event(topic, data, id) {
          write(`${id === undefined ? "" : `id:${id}\n`}event:${topic}\ndata:${data}\n\n`);
        },
        resync(last, reason) {
          write(
            `id:${last}\nevent:PB_RESYNC\ndata:${JSON.stringify({ lastEventId: String(last), reason })}\n\n`,
          );
        },
        close(reason) {
          end();
          if (reason === "shutdown")
            res.write(
              `event:PB_RECONNECT\ndata:${JSON.stringify({ reason: "the server is shutting down" })}\n\n`,
            );
          res.end();
        },
      },
      typeof lastEventId === "string" ? lastEventId : undefined,
    );
    req.raw.on("close", () => {
      end();
      services.realtime.disconnect(clientId);
    });
  });

  // Broadcast channels and presence for SSE clients (WebSocket clients send these as messages).
  app.post("/api/realtime/broadcast", async (req, reply) => {
    const body = bodyOf(req);
    const clientId = typeof body["clientId"] === "string" ? body["clientId"] : undefined;
    await services.realtime.broadcast(
      req.plinthAuth,
      clientId,
      channelIn(body),
      body["event"],
      body["data"],
      req.headers.authorization,
    );
    return reply.code(204).send();
  });

  app.post("/api/realtime/presence", async (req, reply) => {
    const body = bodyOf(req);
    const clientId = body["clientId"];
    if (typeof clientId !== "string" || clientId === "")
      throw validationError({ clientId: { code: "validation_required", message: "Cannot be blank." } });
    if (body["leave"] === true) {
      await services.realtime.leave(clientId, req.plinthAuth, channelIn(body), req.headers.authorization);
      return reply.code(204).send();
    }
    const members = await services.realtime.join(
      clientId,
      req.plinthAuth,
      channelIn(body),
      body["state"],
      req.headers.authorization,
    );
    return reply.send({ members });
  });

  app.post("/api/realtime", async (req, reply) => {
    await services.realtime.setSubscriptions(
      requestInfo(req, "realtime"),
      bodyOf(req),
      req.headers.authorization,
    );
    return reply.code(204).send();
  });
}
