import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { bodyOf, requestInfo } from "./rest-context.ts";

/** A connection with no message for this long is closed; the SDK reconnects (PocketBase: 5 min). */
const IDLE_TIMEOUT_MS = 5 * 60_000;
/** A connection is closed after this long anyway, so none holds resources forever (PocketBase: 30 min). */
const MAX_LIFETIME_MS = 30 * 60_000;
/** An SSE comment this often keeps proxies and NATs from dropping a quiet connection. */
const HEARTBEAT_MS = 30_000;
/**
 * Bytes a connection may have queued and not yet taken by its client. A client that reads slower
 * than its events arrive is disconnected at this point, so its backlog never grows without bound.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * `GET /api/realtime`: a server-sent event stream in PocketBase's format (`id:` the client id,
 * `event:` the subscription name, `data:` JSON). `POST /api/realtime`: sets the subscriptions.
 */
export function registerRealtimeRoutes(app: FastifyInstance, services: Services): void {
  app.get("/api/realtime", (req, reply) => {
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
    let idle: NodeJS.Timeout | undefined;
    const armIdle = () => {
      clearTimeout(idle);
      idle = setTimeout(() => services.realtime.disconnect(clientId), IDLE_TIMEOUT_MS);
      idle.unref();
    };
    const lifetime = setTimeout(() => services.realtime.disconnect(clientId), MAX_LIFETIME_MS);
    lifetime.unref();
    const heartbeat = setInterval(() => res.write(":\n\n"), HEARTBEAT_MS);
    heartbeat.unref();
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      clearTimeout(idle);
      clearTimeout(lifetime);
      clearInterval(heartbeat);
    };
    clientId = services.realtime.connect({
      send(name, data, id) {
        if (res.writableLength > MAX_BUFFERED_BYTES) {
          req.log.warn(
            { clientId: id, buffered: res.writableLength },
            "realtime client too slow; disconnecting",
          );
          res.destroy(); // not end(): that would wait to flush the backlog
          return;
        }
        res.write(`id:${id}\nevent:${name}\ndata:${data}\n\n`);
        armIdle();
      },
      close() {
        end();
        res.end();
      },
    });
    req.raw.on("close", () => {
      end();
      services.realtime.disconnect(clientId);
    });
  });

  app.post("/api/realtime", async (req, reply) => {
    services.realtime.setSubscriptions(requestInfo(req, "realtime"), bodyOf(req));
    return reply.code(204).send();
  });
}
