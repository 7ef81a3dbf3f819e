import multipart from "@fastify/multipart";
import type { FastifyInstance } from "fastify";
import { parseUrlEncoded } from "./form-values.ts";
import { parseJsonBody } from "./json-body.ts";
import { busboyLimits, collectMultipart, isPartAFile, type MultipartLimits } from "./multipart-body.ts";

/**
 * Accepts exactly the bodies PocketBase accepts — JSON, urlencoded forms and multipart forms — and
 * answers any other body type with 400. Multipart bodies are read completely before validation, so
 * `readBody` is synchronous for routes.
 */
export function registerBodyParsers(app: FastifyInstance, limits: MultipartLimits): void {
  app.removeAllContentTypeParsers();
  app.decorateRequest("uploadedFiles", null);

  app.addContentTypeParser("application/json", { parseAs: "string" }, (_request, text, done) => {
    try {
      done(null, parseJsonBody(text as string, limits.maxJsonDepth));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (_request, text, done) => {
      try {
        done(null, parseUrlEncoded(text as string, limits.maxFormFields));
      } catch (err) {
        done(err as Error, undefined);
      }
    },
  );

  // Queued, not awaited: the instance boots its plugins on ready()/listen().
  app.register(multipart, { limits: busboyLimits(limits), throwFileSizeLimit: true, isPartAFile });

  app.addHook("preValidation", async (request) => {
    if (!request.isMultipart()) return;
    const { body, files } = await collectMultipart(request.parts(), limits);
    request.body = body;
    request.uploadedFiles = files;
  });
}
