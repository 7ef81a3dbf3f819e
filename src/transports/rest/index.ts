import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { registerAuthRoutes } from "./auth-routes.ts";
import { registerCollectionRoutes } from "./collections-routes.ts";
import { registerOpenApiRoutes } from "./openapi-routes.ts";
import { createConnectionLimit } from "./realtime-connection-limit.ts";
import { registerRealtimeRoutes } from "./realtime-routes.ts";
import { registerRealtimeSocketRoutes } from "./realtime-socket-routes.ts";
import { DEFAULT_REALTIME_TIMINGS, type RealtimeTimings } from "./realtime-sweeper.ts";
import { registerRecordRoutes } from "./records-routes.ts";
import { registerSystemRoutes } from "./system-routes.ts";

/** Limits of the HTTP API that are settings. */
export interface RestApiOptions {
  /** Most realtime connections (SSE and WebSocket together) per client address. */
  readonly realtimeMaxConnectionsPerIp: number;
  /** Heartbeat and timeouts of realtime connections (defaults: 30 s, 5 min idle, 30 min). */
  readonly realtimeTimings?: RealtimeTimings;
}

/** Registers the whole REST API: resolves the bearer token once per request, then the routes. */
export function registerRestApi(app: FastifyInstance, services: Services, options: RestApiOptions): void {
  app.decorateRequest("plinthAuth", null);
  app.addHook("onRequest", (_req, _reply, done) => {
    const catchingUp = services.cluster.catchingUp();
    if (catchingUp === undefined) return done();
    catchingUp.then(() => done());
  });
  app.addHook("preHandler", (req, _reply, done) => {
    const header = req.headers.authorization;
    if (!header) return done(); // guests skip the promise round-trip
    services.auth.authenticate(header).then((auth) => {
      req.plinthAuth = auth;
      done();
    }, done);
  });
  // A write's announcement to other instances goes out before its response: once a client sees a
  // change acknowledged, the next request it sends to any instance finds it (services/cluster-sync).
  app.addHook("onSend", (_req, _reply, payload, done) => {
    const announced = services.cluster.settled();
    if (announced === undefined) return done(null, payload);
    announced.then(() => done(null, payload));
  });
  registerSystemRoutes(app, services);
  registerOpenApiRoutes(app, services.openapi);
  registerCollectionRoutes(app, services);
  registerRecordRoutes(app, services);
  registerAuthRoutes(app, services);
  const limit = createConnectionLimit(options.realtimeMaxConnectionsPerIp);
  const timings = options.realtimeTimings ?? DEFAULT_REALTIME_TIMINGS;
  registerRealtimeRoutes(app, services, limit, timings);
  registerRealtimeSocketRoutes(app, services, limit, timings);
}

export { DEFAULT_REALTIME_TIMINGS, type RealtimeTimings } from "./realtime-sweeper.ts";
