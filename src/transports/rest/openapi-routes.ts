import type { FastifyInstance } from "fastify";
import type { OpenApiService } from "../../services/index.ts";

/** `GET /api/openapi.json`: the OpenAPI document of the live schema, public and never cached. */
export function registerOpenApiRoutes(app: FastifyInstance, openapi: OpenApiService): void {
  app.get("/api/openapi.json", async (_req, reply) => {
    // built per request and marked no-store so a schema change shows on the next fetch
    reply.header("cache-control", "no-store");
    return openapi.document();
  });
}
