import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import type { AddressInfo } from "node:net";
import { after, describe, test } from "node:test";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { PlinthError } from "../../core/errors.ts";
import { createHttpServer, type HttpServerOptions } from "./create-http-server.ts";
import { readBody } from "./read-body.ts";

interface LogLine {
  readonly [key: string]: unknown;
}

/** A server with two routes and its log lines captured. */
function testServer(overrides: Partial<HttpServerOptions> = {}): { app: FastifyInstance; logs: LogLine[] } {
  const logs: LogLine[] = [];
  let next = 0;
  const app = createHttpServer({
    logger: pino({ level: "debug" }, { write: (line: string) => logs.push(JSON.parse(line)) }),
    bodyLimit: 1024,
    cors: { origins: "*" },
    genRequestId: () => `gen-${++next}`,
    limits: { maxJsonDepth: 4 },
    ...overrides,
  });
  app.post("/echo", async (request) => readBody(request));
  app.get("/boom", async () => {
    throw new Error(
      "SQLITE_ERROR: no such column: secret in SELECT * FROM users at /srv/plinth/pb_data/data.db",
    );
  });
  app.get("/forbidden", async () => {
    throw new PlinthError("forbidden", "only the owner may view this record");
  });
  app.post(
    "/typed",
    { schema: { body: { type: "object", required: ["title"], properties: { title: { type: "string" } } } } },
    async () => ({ ok: true }),
  );
  return { app, logs };
}

function json(payload: string) {
  return { method: "POST" as const, url: "/echo", headers: { "content-type": "application/json" }, payload };
}

describe("request id", () => {
  test("generates an X-Request-Id for a request without one", async () => {
    const { app } = testServer();
    const res = await app.inject({ method: "GET", url: "/nope" });
    assert.equal(res.headers["x-request-id"], "gen-1");
  });

  test("reuses a safe incoming X-Request-Id", async () => {
    const { app } = testServer();
    const res = await app.inject({ method: "GET", url: "/nope", headers: { "x-request-id": "lb.7f3a-9_Z" } });
    assert.equal(res.headers["x-request-id"], "lb.7f3a-9_Z");
  });

  test("replaces an unsafe or overlong incoming X-Request-Id", async () => {
    const { app } = testServer();
    for (const incoming of ["a b", "x".repeat(65), "id\\u0000", "<script>"]) {
      const res = await app.inject({ method: "GET", url: "/nope", headers: { "x-request-id": incoming } });
      assert.match(String(res.headers["x-request-id"]), /^gen-\d+$/, incoming);
    }
  });
});

describe("error replies", () => {
  test("answers an unknown route with PocketBase's 404 body", async () => {
    const { app } = testServer();
    const res = await app.inject({ method: "GET", url: "/api/missing" });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    assert.equal(res.body, '{"status":404,"message":"The requested resource wasn\'t found.","data":{}}');
  });

  test("maps a PlinthError thrown by a route", async () => {
    const { app } = testServer();
    const res = await app.inject({ method: "GET", url: "/forbidden" });
    assert.equal(res.statusCode, 403);
    assert.deepEqual(res.json(), { status: 403, message: "Only the owner may view this record.", data: {} });
  });

  test("hides an unknown error's SQL and path behind a 500, and logs it with the request id", async () => {
    const { app, logs } = testServer();
    const res = await app.inject({ method: "GET", url: "/boom", headers: { "x-request-id": "trace-42" } });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), {
      status: 500,
      message: "Something went wrong while processing your request.",
      data: {},
    });
    for (const leak of ["SQLITE", "SELECT", "secret", "/srv/plinth", "data.db", "at "]) {
      assert.ok(!res.body.includes(leak), leak);
    }
    const logged = logs.find((line) => line.msg === "unhandled error");
    assert.equal(logged?.reqId, "trace-42");
    assert.match(JSON.stringify(logged?.err), /SELECT \* FROM users/);
  });

  test("answers a schema validation failure with 400 and field data", async () => {
    const { app } = testServer();
    const res = await app.inject({ ...json("{}"), url: "/typed" });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json().data, {
      title: { code: "validation_required", message: "Cannot be blank." },
    });
  });
});

describe("body bounds", () => {
  test("answers a body over the limit with 413", async () => {
    const { app } = testServer();
    const res = await app.inject(json(JSON.stringify({ text: "x".repeat(2000) })));
    assert.equal(res.statusCode, 413);
    assert.deepEqual(res.json(), { status: 413, message: "Request entity too large.", data: {} });
  });

  test("answers malformed JSON with 400", async () => {
    const { app } = testServer();
    const res = await app.inject(json('{"title": "x",'));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().message, "Failed to read the submitted data.");
  });

  test("answers JSON nested deeper than the limit with 400", async () => {
    const { app } = testServer();
    assert.equal((await app.inject(json('{"a":{"b":{"c":[1]}}}'))).statusCode, 200);
    const res = await app.inject(json('{"a":{"b":{"c":[[1]]}}}'));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().status, 400);
  });

  test("answers an unsupported content type with 400 as PocketBase does", async () => {
    const { app } = testServer();
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "text/csv" },
      payload: "a,b",
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().message, "Unsupported Content-Type.");
  });

  test("reads a JSON request without a body as an empty body", async () => {
    const { app } = testServer();
    const res = await app.inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
    });
    assert.deepEqual(res.json(), { body: {}, files: {} });
  });
});

describe("request log", () => {
  test("writes one line per request with id, method, redacted url, status and duration", async () => {
    const { app, logs } = testServer();
    await app.inject({ method: "GET", url: "/nope?token=abc.def&filter=(a%3D1)&password=hunter2" });
    const lines = logs.filter((line) => line.msg === "request");
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.equal(line?.reqId, "gen-1");
    assert.equal(line?.method, "GET");
    assert.equal(line?.url, "/nope?token=[redacted]&filter=(a%3D1)&password=[redacted]");
    assert.equal(line?.status, 404);
    assert.equal(typeof line?.durationMs, "number");
    assert.ok(!JSON.stringify(logs).includes("hunter2"));
  });
});

describe("CORS", () => {
  test("answers a preflight from any origin by default, echoing the requested headers", async () => {
    const { app } = testServer();
    const res = await app.inject({
      method: "OPTIONS",
      url: "/api/collections/posts/records",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "PATCH",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers["access-control-allow-origin"], "*");
    assert.match(String(res.headers["access-control-allow-methods"]), /PATCH/);
    assert.equal(res.headers["access-control-allow-headers"], "authorization,content-type");
  });

  test("allows only configured origins, wildcard patterns included", async () => {
    const { app } = testServer({ cors: { origins: ["https://app.example.com", "https://*.preview.dev"] } });
    const origin = async (value: string) =>
      (await app.inject({ method: "GET", url: "/nope", headers: { origin: value } })).headers[
        "access-control-allow-origin"
      ];
    assert.equal(await origin("https://app.example.com"), "https://app.example.com");
    assert.equal(await origin("https://pr-12.preview.dev"), "https://pr-12.preview.dev");
    assert.equal(await origin("https://evil.example.com"), undefined);
  });

  test("answers a preflight without Origin with 204 as PocketBase does", async () => {
    const { app } = testServer();
    const res = await app.inject({ method: "OPTIONS", url: "/echo" });
    assert.equal(res.statusCode, 204);
  });
});

describe("over a real socket", () => {
  const { app } = testServer({ limits: { maxHeaderSize: 2048 } });
  after(() => app.close());

  async function send(
    headers: Record<string, string>,
  ): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    if (!app.server.listening) await app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = app.server.address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/nope", headers }, (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });
  }

  test("serves with keep-alive and a request id", async () => {
    const res = await send({ "x-request-id": "sock-1" });
    assert.equal(res.status, 404);
    assert.equal(res.headers["x-request-id"], "sock-1");
    assert.equal(res.headers.connection, "keep-alive");
  });

  test("answers headers over the size limit with 431 in PocketBase's shape", async () => {
    const res = await send({ "x-big": "x".repeat(4096) });
    assert.equal(res.status, 431);
    assert.deepEqual(JSON.parse(res.body), {
      status: 431,
      message: "Request header fields too large.",
      data: {},
    });
  });
});
