import type { FastifyInstance } from "fastify";
import type { Services } from "../../services/index.ts";
import { bodyOf, numberParam, pathParam, queryParam, requestInfo, shapeParams } from "./rest-context.ts";

/** `/api/collections/{collection}/records` CRUD. */
export function registerRecordRoutes(app: FastifyInstance, services: Services): void {
  const base = "/api/collections/:collection/records";

  app.get(base, async (req) => {
    const skipTotal = queryParam(req, "skipTotal");
    return services.records.list(requestInfo(req), pathParam(req, "collection"), {
      page: numberParam(req, "page"),
      perPage: numberParam(req, "perPage"),
      sort: queryParam(req, "sort"),
      filter: queryParam(req, "filter"),
      skipTotal: skipTotal === "1" || skipTotal === "true",
      ...shapeParams(req),
    });
  });

  app.get(`${base}/:id`, async (req) =>
    services.records.view(
      requestInfo(req),
      pathParam(req, "collection"),
      pathParam(req, "id"),
      shapeParams(req),
    ),
  );

  app.post(base, async (req) =>
    services.records.create(requestInfo(req), pathParam(req, "collection"), bodyOf(req), shapeParams(req)),
  );

  app.patch(`${base}/:id`, async (req) =>
    services.records.update(
      requestInfo(req),
      pathParam(req, "collection"),
      pathParam(req, "id"),
      bodyOf(req),
      shapeParams(req),
    ),
  );

  app.delete(`${base}/:id`, async (req, reply) => {
    await services.records.delete(requestInfo(req), pathParam(req, "collection"), pathParam(req, "id"));
    return reply.code(204).send();
  });
}
