import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { bodyOf, requestInfo } from "./rest-context.ts";

/** A connection with no message for this long is closed; the SDK reconnects (PocketBase: 5 min). */
const IDLE_TIMEOUT_MS = 5 * 60_000;

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
    clientId = services.realtime.connect({
      send(name, data, id) {
        res.write(`id:${id}\nevent:${name}\ndata:${data}\n\n`);
        armIdle();
      },
      close() {
        clearTimeout(idle);
        res.end();
      },
    });
    req.raw.on("close", () => services.realtime.disconnect(clientId));
  });

  app.post("/api/realtime", async (req, reply) => {
    services.realtime.setSubscriptions(requestInfo(req, "realtime"), bodyOf(req));
    return reply.code(204).send();
  });
}
