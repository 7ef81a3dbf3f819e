import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { bodyOf, requestInfo } from "./rest-context.ts";

/** Health, settings and batch. */
export function registerSystemRoutes(app: FastifyInstance, services: Services): void {
  app.get("/api/health", async () => {
    const report = await services.health.check();
    return { code: 200, message: "API is healthy.", data: report };
  });

  app.get("/api/settings", async (req) => services.settings.get(requestInfo(req)));
  app.patch("/api/settings", async (req) => services.settings.update(requestInfo(req), bodyOf(req)));

  app.post("/api/batch", async (req) => services.batch.run(requestInfo(req), bodyOf(req)));
}
