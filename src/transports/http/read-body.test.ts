import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { pino } from "pino";
import { createHttpServer, type HttpLimits } from "./create-http-server.ts";
import { readBody } from "./read-body.ts";

function testServer(limits: Partial<HttpLimits> = {}) {
  const app = createHttpServer({
    logger: pino({ level: "silent" }),
    bodyLimit: 64 * 1024,
    cors: { origins: "*" },
    limits: { maxJsonDepth: 4, ...limits },
  });
  app.post("/echo", async (request) => {
    const { body, files } = readBody(request);
    const described = Object.fromEntries(
      Object.entries(files).map(([field, list]) => [
        field,
        list.map((f) => ({ filename: f.filename, mimetype: f.mimetype, text: f.data.toString("utf8") })),
      ]),
    );
    return { body, files: described };
  });
  return app;
}

/** Serialises FormData exactly as a browser or the SDK would send it. */
async function multipart(form: FormData) {
  const encoded = new Request("http://localhost/", { method: "POST", body: form });
  return {
    method: "POST" as const,
    url: "/echo",
    headers: { "content-type": encoded.headers.get("content-type")! },
    payload: Buffer.from(await encoded.arrayBuffer()),
  };
}

describe("readBody", () => {
  test("reads a JSON object as is", async () => {
    const res = await testServer().inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json; charset=utf-8" },
      payload: '{"title":"Hi","n":"5","tags":["a"]}',
    });
    assert.deepEqual(res.json(), { body: { title: "Hi", n: "5", tags: ["a"] }, files: {} });
  });

  test("rejects a JSON body that is not an object with 400", async () => {
    const res = await testServer().inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/json" },
      payload: "[1,2]",
    });
    assert.equal(res.statusCode, 400);
  });

  test("reads a request without a body as {}", async () => {
    const res = await testServer().inject({ method: "POST", url: "/echo" });
    assert.deepEqual(res.json(), { body: {}, files: {} });
  });

  test("reads urlencoded forms with inferred values and repeated keys as arrays", async () => {
    const res = await testServer().inject({
      method: "POST",
      url: "/echo",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      payload: "title=Hello+there&views=12&draft=false&tags=a&tags=b&code=007",
    });
    assert.deepEqual(res.json().body, {
      title: "Hello there",
      views: 12,
      draft: false,
      tags: ["a", "b"],
      code: "007",
    });
  });

  test("merges @jsonPayload over multipart fields and collects files by field name", async () => {
    const form = new FormData();
    form.append("title", "from form");
    form.append("views", "3");
    form.append("tags", "a");
    form.append("tags", "b");
    form.append("@jsonPayload", JSON.stringify({ title: "from json", meta: { nested: [1, 2] }, n: "5" }));
    form.append("documents", new Blob(["first"], { type: "text/plain" }), "a.txt");
    form.append("documents", new Blob(["second"], { type: "application/pdf" }), "b.pdf");
    form.append("avatar", new Blob(["img"], { type: "image/png" }), "me.png");
    const res = await testServer().inject(await multipart(form));
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      body: { title: "from json", views: 3, tags: ["a", "b"], meta: { nested: [1, 2] }, n: "5" },
      files: {
        documents: [
          { filename: "a.txt", mimetype: "text/plain", text: "first" },
          { filename: "b.pdf", mimetype: "application/pdf", text: "second" },
        ],
        avatar: [{ filename: "me.png", mimetype: "image/png", text: "img" }],
      },
    });
  });

  test("applies several @jsonPayload parts in order", async () => {
    const form = new FormData();
    form.append("@jsonPayload", '{"a":1,"b":1}');
    form.append("@jsonPayload", '{"b":2}');
    assert.deepEqual((await testServer().inject(await multipart(form))).json().body, { a: 1, b: 2 });
  });

  test("rejects a malformed, too deep or non-object @jsonPayload with 400", async () => {
    for (const payload of ['{"a":', '{"a":{"b":{"c":{"d":{}}}}}', "[1]", ""]) {
      const form = new FormData();
      form.append("@jsonPayload", payload);
      const res = await testServer().inject(await multipart(form));
      assert.equal(res.statusCode, 400, payload);
    }
  });

  test("reads a part without a file name as a plain value whatever its type, as Go does", async () => {
    const form = new FormData();
    form.append("avatar", new Blob(["raw"], { type: "application/octet-stream" }), "");
    const res = await testServer().inject(await multipart(form));
    assert.deepEqual(res.json(), { body: { avatar: "raw" }, files: {} });
  });

  test("answers a file over the file size limit with 413", async () => {
    const form = new FormData();
    form.append("doc", new Blob(["x".repeat(200)]), "big.bin");
    const res = await testServer({ maxFileSize: 100 }).inject(await multipart(form));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().message, "Request entity too large.");
  });

  test("answers too many files with 413", async () => {
    const form = new FormData();
    for (let i = 0; i < 3; i++) form.append("doc", new Blob(["x"]), `f${i}.txt`);
    const res = await testServer({ maxFiles: 2 }).inject(await multipart(form));
    assert.equal(res.statusCode, 413);
  });

  test("answers a multipart body over the total upload size with 413", async () => {
    const form = new FormData();
    for (let i = 0; i < 3; i++) form.append("doc", new Blob(["x".repeat(60)]), `f${i}.txt`);
    const res = await testServer({ maxUploadSize: 150 }).inject(await multipart(form));
    assert.equal(res.statusCode, 413);
  });
});
