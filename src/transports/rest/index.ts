import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { registerAuthRoutes } from "./auth-routes.ts";
import { registerCollectionRoutes } from "./collections-routes.ts";
import { registerOpenApiRoutes } from "./openapi-routes.ts";
import { registerRecordRoutes } from "./records-routes.ts";
import { registerSystemRoutes } from "./system-routes.ts";

/** Registers the whole REST API: resolves the bearer token once per request, then the routes. */
export function registerRestApi(app: FastifyInstance, services: Services): void {
  app.decorateRequest("plinthAuth", null);
  app.addHook("preHandler", (req, _reply, done) => {
    const header = req.headers.authorization;
    if (!header) return done(); // guests skip the promise round-trip
    services.auth.authenticate(header).then((auth) => {
      req.plinthAuth = auth;
      done();
    }, done);
  });
  registerSystemRoutes(app, services);
  registerOpenApiRoutes(app, services.openapi);
  registerCollectionRoutes(app, services);
  registerRecordRoutes(app, services);
  registerAuthRoutes(app, services);
}
