import assert from "node:assert/strict";
import { test } from "node:test";
import type { InjectOptions } from "fastify";
import { pino } from "pino";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import { createHttpServer } from "./create-http-server.ts";
import { buildRequestInfo, headerKey } from "./request-info.ts";

const auth: AuthInfo = { collectionId: "_pb_users_auth_", collectionName: "users", record: { id: "u1" } };

async function infoFor(inject: InjectOptions, context?: string): Promise<RequestInfo> {
  const app = createHttpServer({
    logger: pino({ level: "silent" }),
    bodyLimit: 4096,
    cors: { origins: "*" },
  });
  let info: RequestInfo | undefined;
  app.all("/info", async (request) => {
    info = buildRequestInfo(request, auth, context === undefined ? {} : { context });
    return {};
  });
  const res = await app.inject(inject);
  assert.equal(res.statusCode, 200, res.body);
  return info!;
}

test("snake-cases header names as PocketBase does", () => {
  assert.equal(headerKey("x-token"), "x_token");
  assert.equal(headerKey("content-type"), "content_type");
  assert.equal(headerKey("x--odd__name-"), "x_odd_name");
});

test("exposes method, first query values, first header values, body, auth and context", async () => {
  const info = await infoFor({
    method: "PATCH",
    url: "/info?a=1&a=2&filter=title%3D%22x%22",
    headers: { "content-type": "application/json", "X-Api-Key": "k1", "x-forwarded-for": "1.1.1.1, 2.2.2.2" },
    payload: '{"title":"x"}',
  });
  assert.equal(info.method, "PATCH");
  assert.equal(info.context, "default");
  assert.deepEqual(info.query, { a: "1", filter: 'title="x"' });
  assert.equal(info.headers.x_api_key, "k1");
  assert.equal(info.headers.content_type, "application/json");
  assert.equal(info.headers.x_forwarded_for, "1.1.1.1, 2.2.2.2");
  assert.deepEqual(info.body, { title: "x" });
  assert.equal(info.auth, auth);
});

test("takes the first of repeated headers", async () => {
  const info = await infoFor({ method: "GET", url: "/info", headers: { "x-multi": ["first", "second"] } });
  assert.equal(info.headers.x_multi, "first");
});

test("uses the given context and an empty body for a GET", async () => {
  const info = await infoFor({ method: "GET", url: "/info" }, "realtime");
  assert.equal(info.context, "realtime");
  assert.deepEqual(info.body, {});
});
