import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { bodyOf, pathParam, requestInfo } from "./rest-context.ts";

/** Auth endpoints of auth collections. */
export function registerAuthRoutes(app: FastifyInstance, services: Services): void {
  const base = "/api/collections/:collection";

  app.get(`${base}/auth-methods`, async (req) => services.auth.authMethods(pathParam(req, "collection")));

  app.post(`${base}/auth-with-password`, async (req) =>
    services.auth.authWithPassword(requestInfo(req, "password"), pathParam(req, "collection"), bodyOf(req)),
  );

  app.post(`${base}/auth-refresh`, async (req) =>
    services.auth.authRefresh(requestInfo(req), pathParam(req, "collection")),
  );
}
