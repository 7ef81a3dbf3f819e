import { request as httpRequest } from "node:http";
// The production layout the README documents, proved end to end for one example configuration: a real
// load balancer (nginx or HAProxy, from docs/deploy) in front of three real `plinth serve` instances on one
// fresh PostgreSQL schema. nginx.test.ts and haproxy.test.ts run this suite, each with its own proxy.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Json } from "../support/json.ts";
import { freshPostgresSchema } from "../support/postgres.ts";
import type { ProxyProcess } from "../support/proxy-process.ts";
import { runCli, type ServerProcess, spawnServer, stopServers } from "../support/spawn-server.ts";
import { PUBLIC_NOTES } from "../support/collections.ts";

const MIB = 1024 * 1024;

/** How one example configuration is run and what it adds to the shared checks. */
export interface ProxiedCluster<P extends ProxyProcess> {
  readonly name: string;
  /** undefined skips the suite (the skip message was printed where it was decided). */
  readonly pgUrl: string | undefined;
  /** Starts the load balancer, files in `dir`, in front of the instances listening on `upstreamPorts`. */
  start(upstreamPorts: number[], dir: string): Promise<P>;
  /** Who answers a body over Plinth's limit: the load balancer itself, or Plinth behind it. */
  readonly oversizeRefusedBy: "the load balancer" | "Plinth";
  /** The X-Request-Id the load balancer gives a request that has none. */
  readonly generatedRequestId: RegExp;
  /**
   * Proxy-specific checks, once instance 3 (`dead`, host:port) was killed and the GETs `ids` went
   * through; `live` are the two instances still running.
   */
  afterFailover(
    proxy: P,
    failover: { dead: string; ids: readonly string[]; live: readonly ServerProcess[] },
  ): Promise<void>;
}

async function call(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; requestId?: string } = {},
): Promise<{ status: number; headers: Headers; body: Json }> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers["authorization"] = init.token;
  if (init.requestId) headers["x-request-id"] = init.requestId;
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === "" ? {} : JSON.parse(text) };
}

/** Resolves once `ready()` holds, checked each time any of the servers writes output. */
function whenOutput(servers: readonly ServerProcess[], ready: () => boolean): Promise<void> {
  return new Promise((done) => {
    const streams = servers.flatMap((s) => [s.child.stdout, s.child.stderr]).filter((s) => s !== null);
    const check = () => {
      if (!ready()) return;
      for (const stream of streams) stream.off("data", check);
      done();
    };
    for (const stream of streams) stream.on("data", check);
    check();
  });
}

/** For each request id, the index of the instance that logged it (Plinth logs `reqId`), once all are logged. */
async function servedBy(servers: readonly ServerProcess[], ids: readonly string[]): Promise<number[]> {
  const owner = (id: string) => servers.findIndex((s) => s.output().includes(`"reqId":"${id}"`));
  await whenOutput(servers, () => ids.every((id) => owner(id) !== -1));
  return ids.map(owner);
}

/** The shared suite: every behaviour the README promises of the documented production layout. */
export function describeProxiedCluster<P extends ProxyProcess>(cluster: ProxiedCluster<P>): void {
  // The timeout only bounds a hang (an id that never shows up in a log); a run takes 5-10 s.
  describe(cluster.name, { skip: cluster.pgUrl === undefined, timeout: 90_000 }, () => {
    const dirs: string[] = [];
    const tempDir = (prefix: string) => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    };
    let schema: { url: string; drop(): Promise<void> } | undefined;
    const servers: ServerProcess[] = [];
    let proxy: P | undefined;
    let base: string;
    let superuser: string;
    const run = randomBytes(4).toString("hex");

    before(async () => {
      schema = await freshPostgresSchema(cluster.pgUrl!);
      const db = schema.url;
      const made = await runCli(["superuser", "upsert", "admin@example.com", "password123", "--db", db]);
      assert.equal(made.code, 0, made.stderr);
      // one at a time, so the first bootstraps the schema and the others find it
      servers.push(await spawnServer(tempDir("plinth-lb-"), ["--db", db]));
      servers.push(
        ...(await Promise.all([1, 2].map(() => spawnServer(tempDir("plinth-lb-"), ["--db", db])))),
      );
      proxy = await cluster.start(
        servers.map((s) => Number(new URL(s.url).port)),
        tempDir("plinth-lb-proxy-"),
      );
      base = proxy.url;
      const login = await call(base, "/api/collections/_superusers/auth-with-password", {
        method: "POST",
        body: { identity: "admin@example.com", password: "password123" },
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      superuser = String(login.body["token"]);
    });

    after(async () => {
      await proxy?.stop();
      await stopServers(servers);
      await schema?.drop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    test("GET /api/health through the load balancer is 200 with PostgreSQL and the bus healthy", async () => {
      const health = await call(base, "/api/health");
      assert.equal(health.status, 200, JSON.stringify(health.body));
      assert.deepEqual(health.body["data"], {
        database: { kind: "postgres", status: "ok" },
        bus: { kind: "postgres", status: "connected" },
      });
    });

    test("requests reach every instance, each keeping the client's X-Request-Id", async () => {
      const ids = Array.from({ length: 9 }, (_, i) => `spread-${run}-${i}`);
      for (const id of ids) {
        const res = await call(base, "/api/health", { requestId: id });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get("x-request-id"), id);
      }
      const owners = await servedBy(servers, ids);
      assert.equal(new Set(owners).size, 3, `instances that served: ${owners.join(",")}`);
    });

    test("a request without X-Request-Id gets the load balancer's id, which Plinth logs and returns", async () => {
      const res = await call(base, "/api/health");
      const id = res.headers.get("x-request-id") ?? "";
      assert.match(id, cluster.generatedRequestId);
      await servedBy(servers, [id]);
    });

    test("a collection created through the load balancer is usable on every instance right away", async () => {
      const created = await call(base, "/api/collections", {
        method: "POST",
        token: superuser,
        body: PUBLIC_NOTES,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const ids = Array.from({ length: 6 }, (_, i) => `notes-${run}-${i}`);
      const written: string[] = [];
      for (const [i, id] of ids.entries()) {
        const res =
          i < 3
            ? await call(base, "/api/collections/notes/records", {
                method: "POST",
                body: { title: `note ${i}` },
                requestId: id,
              })
            : await call(base, `/api/collections/notes/records/${written[i - 3]}`, { requestId: id });
        assert.equal(res.status, 200, `${id}: ${JSON.stringify(res.body)}`);
        if (i < 3) written.push(String(res.body["id"]));
        else assert.equal(res.body["title"], `note ${i - 3}`);
      }
      const owners = await servedBy(servers, ids);
      assert.equal(new Set(owners).size, 3, `instances that served: ${owners.join(",")}`);
    });

    test("a 20 MB JSON body and a 20 MB multipart body pass through, and come back", async () => {
      const made = await call(base, "/api/collections", {
        method: "POST",
        token: superuser,
        body: {
          name: "blobs",
          type: "base",
          fields: [{ name: "payload", type: "json", maxSize: 30 * MIB }],
          listRule: "",
          viewRule: "",
          createRule: "",
        },
      });
      assert.equal(made.status, 200, JSON.stringify(made.body));
      const big = "x".repeat(20 * MIB);
      const json = await call(base, "/api/collections/blobs/records", {
        method: "POST",
        body: { payload: { big } },
      });
      assert.equal(json.status, 200, JSON.stringify(json.body).slice(0, 500));
      const form = new FormData();
      form.set("payload", JSON.stringify({ big }));
      const multipart = await fetch(`${base}/api/collections/blobs/records`, { method: "POST", body: form });
      const multipartBody = (await multipart.json()) as Json;
      assert.equal(multipart.status, 200, JSON.stringify(multipartBody).slice(0, 500));
      for (const id of [json.body["id"], multipartBody["id"]]) {
        const back = await call(base, `/api/collections/blobs/records/${String(id)}`);
        assert.equal(back.status, 200);
        assert.equal(back.body["payload"]["big"].length, big.length);
      }
    });

    test(`a body over Plinth's 32 MiB limit gets a PocketBase-shaped 413 from ${cluster.oversizeRefusedBy}`, async () => {
      // `Expect: 100-continue`, as large uploads should: the body is sent only if the server asks for
      // it, so a refusal arrives as a response instead of racing the upload (fetch cannot do this,
      // and then sometimes sees the connection closed mid-upload instead of the 413).
      let res: Awaited<ReturnType<typeof postExpectingContinue>>;
      try {
        res = await postExpectingContinue(
          `${base}/api/collections/blobs/records`,
          JSON.stringify({ payload: "y".repeat(33 * MIB) }),
        );
      } catch (err) {
        // A proxy that forwards the upload (HAProxy answers 100 Continue itself) may cut the client's
        // connection when the instance refuses mid-upload, before relaying the 413. That is the
        // proxy's race, not a wrong answer: the instance still refused. Only there is it tolerated.
        const code = (err as { code?: string }).code;
        assert.ok(
          cluster.oversizeRefusedBy === "Plinth" && (code === "EPIPE" || code === "ECONNRESET"),
          `unexpected failure: ${String(err)}`,
        );
        return;
      }
      // every Plinth response carries X-Request-Id; the load balancer's own error pages do not
      const fromPlinth = res.headers.get("x-request-id") !== null;
      assert.equal(fromPlinth, cluster.oversizeRefusedBy === "Plinth");
      assert.deepEqual(JSON.parse(res.text), { status: 413, message: "Request entity too large.", data: {} });
    });

    test("after one instance is killed (SIGKILL), every GET still succeeds", {
      timeout: 30_000,
    }, async () => {
      const victim = servers[2]!;
      process.kill(victim.child.pid!, "SIGKILL");
      await victim.exited;
      // Nine requests: until the dead instance is taken out, the ones sent to it are passed on to a live
      // instance by the load balancer, so the client never sees the failure.
      const ids = Array.from({ length: 9 }, (_, i) => `failover-${run}-${i}`);
      for (const id of ids) {
        const res = await call(base, "/api/collections/notes/records?perPage=1", { requestId: id });
        assert.equal(res.status, 200, `${id}: ${JSON.stringify(res.body)}`);
        assert.equal(res.body["totalItems"], 3);
      }
      const owners = await servedBy(servers.slice(0, 2), ids);
      assert.ok(
        owners.every((i) => i === 0 || i === 1),
        `served by: ${owners.join(",")}`,
      );
      await cluster.afterFailover(proxy!, { dead: new URL(victim.url).host, ids, live: servers.slice(0, 2) });
      assert.equal((await call(base, "/api/health")).status, 200);
    });
  });
}

/** A JSON POST with `Expect: 100-continue`: the body goes out only after the server's 100 Continue. */
function postExpectingContinue(
  url: string,
  body: string,
): Promise<{ status: number; headers: { get(name: string): string | null }; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(body),
        expect: "100-continue",
      },
    });
    req.on("continue", () => req.end(body));
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => {
        resolve({
          status: res.statusCode ?? 0,
          headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null },
          text,
        });
        req.destroy(); // a refusal: the body is never sent
      });
    });
    // A proxy that answers 100 Continue itself forwards the body, and the instance's refusal can cut
    // the upload (EPIPE) before the response is read: give the response a bounded moment to arrive.
    req.on("error", (err) => {
      const timer = setTimeout(() => reject(err), 5_000);
      req.once("response", () => clearTimeout(timer));
    });
  });
}
