import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { bodyOf, numberParam, pathParam, queryParam, requestInfo } from "./rest-context.ts";

/** `/api/collections` management (superusers only). */
export function registerCollectionRoutes(app: FastifyInstance, services: Services): void {
  const { collections } = services;

  app.get("/api/collections", async (req) =>
    collections.list(requestInfo(req), {
      page: numberParam(req, "page"),
      perPage: numberParam(req, "perPage"),
      filter: queryParam(req, "filter"),
      sort: queryParam(req, "sort"),
    }),
  );

  app.post("/api/collections", async (req) => collections.create(requestInfo(req), bodyOf(req)));

  app.put("/api/collections/import", async (req, reply) => {
    await collections.import(requestInfo(req), bodyOf(req));
    return reply.code(204).send();
  });

  app.get("/api/collections/:collection", async (req) =>
    collections.view(requestInfo(req), pathParam(req, "collection")),
  );

  app.patch("/api/collections/:collection", async (req) =>
    collections.update(requestInfo(req), pathParam(req, "collection"), bodyOf(req)),
  );

  app.delete("/api/collections/:collection", async (req, reply) => {
    await collections.delete(requestInfo(req), pathParam(req, "collection"));
    return reply.code(204).send();
  });

  app.delete("/api/collections/:collection/truncate", async (req, reply) => {
    await collections.truncate(requestInfo(req), pathParam(req, "collection"));
    return reply.code(204).send();
  });
}
