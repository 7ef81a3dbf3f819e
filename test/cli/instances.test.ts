// Three real `plinth serve` processes on one PostgreSQL behave as one server: changes made through one
// are seen by the others on their very next request, over the PostgreSQL LISTEN/NOTIFY bus and over
// Redis pub/sub.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { EventSource } from "eventsource";
import pg from "pg";
import PocketBase, { BaseAuthStore, type RecordSubscription } from "pocketbase";
import type { Json } from "../support/json.ts";
import { freshPostgresSchema, postgresForTests } from "../support/postgres.ts";
import { runCli, type ServerProcess, spawnServer, stopServers } from "../support/spawn-server.ts";
import { connectSse } from "../support/sse-client.ts";
import { PUBLIC_NOTES } from "../support/collections.ts";

const REDIS_URL = "redis://127.0.0.1:6379";
(globalThis as { EventSource?: unknown }).EventSource = EventSource;

async function redisForTests(): Promise<string | undefined> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = connect(6379, "127.0.0.1");
    const answer = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(3_000);
    socket.once("connect", () => answer(true));
    socket.once("error", () => answer(false));
    socket.once("timeout", () => answer(false));
  });
  if (reachable) return REDIS_URL;
  if (process.env["CI"] === "true") throw new Error(`Redis is required in CI at ${REDIS_URL}`);
  process.stderr.write(`skipping the Redis bus case: Redis at ${REDIS_URL} is not reachable\n`);
  return undefined;
}

const pgUrl = await postgresForTests("the multi-instance tests");
const redisUrl = pgUrl === undefined ? undefined : await redisForTests();

async function call(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json & Record<string, Json> }> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers["content-type"] = "application/json";
  if (init.token) headers["authorization"] = init.token;
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? "GET",
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: (text === "" ? {} : JSON.parse(text)) as Json & Record<string, Json> };
}

/** The column names of a table in the schema `url` points at, sorted. */
async function columnsOf(url: string, table: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
      [table],
    );
    return rows.map((r: { column_name: string }) => r.column_name).sort();
  } finally {
    await client.end();
  }
}

function describeCluster(name: string, bus: "postgres" | "redis", extraArgs: () => string[], skip: boolean) {
  describe(name, { skip }, () => {
    const dirs: string[] = [];
    let schema: { url: string; drop(): Promise<void> };
    let a: ServerProcess;
    let b: ServerProcess;
    let c: ServerProcess;
    let superuser: string;

    before(async () => {
      schema = await freshPostgresSchema(pgUrl!);
      const args = () => ["--db", schema.url, ...extraArgs()];
      const dir = () => {
        const d = mkdtempSync(join(tmpdir(), "plinth-instances-"));
        dirs.push(d);
        return d;
      };
      const made = await runCli([
        "superuser",
        "upsert",
        "admin@example.com",
        "password123",
        "--db",
        schema.url,
      ]);
      assert.equal(made.code, 0, made.stderr);
      // one at a time, so the first bootstraps the schema and the others find it
      a = await spawnServer(dir(), args());
      [b, c] = await Promise.all([spawnServer(dir(), args()), spawnServer(dir(), args())]);
      const login = await call(a.url, "/api/collections/_superusers/auth-with-password", {
        method: "POST",
        body: { identity: "admin@example.com", password: "password123" },
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      superuser = String(login.body["token"]);
    });

    after(async () => {
      await stopServers([a, b, c]);
      await schema?.drop();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    test("every instance reports the database and the shared bus as healthy", async () => {
      for (const server of [a, b, c]) {
        const health = await call(server.url, "/api/health");
        assert.equal(health.status, 200);
        assert.deepEqual(health.body["data"], {
          database: { kind: "postgres", status: "ok" },
          bus: { kind: bus, status: "connected" },
        });
      }
    });

    test("a collection created through A is used by B and C on their next request", async () => {
      const created = await call(a.url, "/api/collections", {
        method: "POST",
        token: superuser,
        body: PUBLIC_NOTES,
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      for (const server of [b, c]) {
        const list = await call(server.url, "/api/collections/notes/records");
        assert.equal(list.status, 200, JSON.stringify(list.body));
      }
      const viaB = await call(b.url, "/api/collections/notes/records", {
        method: "POST",
        body: { title: "written on B" },
      });
      assert.equal(viaB.status, 200, JSON.stringify(viaB.body));
      const onC = await call(c.url, `/api/collections/notes/records/${String(viaB.body["id"])}`);
      assert.equal(onC.body["title"], "written on B");
    });

    test("a field added through A is stored by B and returned by C at once", async () => {
      const changed = await call(a.url, "/api/collections/notes", {
        method: "PATCH",
        token: superuser,
        body: {
          fields: [
            { name: "title", type: "text" },
            { name: "pages", type: "number" },
          ],
        },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      const viaB = await call(b.url, "/api/collections/notes/records", {
        method: "POST",
        body: { title: "longer", pages: 12 },
      });
      assert.equal(viaB.status, 200, JSON.stringify(viaB.body));
      assert.equal(viaB.body["pages"], 12);
      const onC = await call(c.url, `/api/collections/notes/records/${String(viaB.body["id"])}`);
      assert.equal(onC.body["pages"], 12);
    });

    test("collection changes sent to A and B at the same time take turns and leave a consistent schema", async () => {
      const names = Array.from({ length: 6 }, (_, i) => `race_${i}`);
      const creates = names.map((name, i) =>
        call([a, b][i % 2]!.url, "/api/collections", {
          method: "POST",
          token: superuser,
          body: { name, type: "base", fields: [{ name: "t", type: "text" }], listRule: "" },
        }),
      );
      const created = await Promise.all(creates);
      for (const res of created) assert.equal(res.status, 200, JSON.stringify(res.body));
      // both instances rewrite one collection's fields at once; one of the two wins whole
      const rewritten = await Promise.all(
        [a, b].map((server, i) =>
          call(server.url, "/api/collections/race_0", {
            method: "PATCH",
            token: superuser,
            body: {
              fields: [
                { name: "t", type: "text" },
                { name: `only_${i}`, type: "text" },
              ],
            },
          }),
        ),
      );
      for (const res of rewritten) assert.equal(res.status, 200, JSON.stringify(res.body));
      const listed = await call(c.url, "/api/collections?perPage=200", { token: superuser });
      const seen = (listed.body["items"] as Array<Record<string, Json>>).map((x) => String(x["name"]));
      for (const name of names) assert.ok(seen.includes(name), `${name} is missing on C`);
      // the table of race_0 has exactly the columns its collection says, on every instance
      const race0 = await call(c.url, "/api/collections/race_0", { token: superuser });
      const fieldNames = (race0.body["fields"] as Array<Record<string, Json>>).map((f) => String(f["name"]));
      const columns = await columnsOf(schema.url, "race_0");
      assert.deepEqual(columns, [...fieldNames].sort(), "the table's columns are the collection's fields");
      const record: Record<string, string> = {};
      for (const name of fieldNames) if (name !== "id") record[name] = `value of ${name}`;
      for (const server of [a, b, c]) {
        const made = await call(server.url, "/api/collections/race_0/records", {
          method: "POST",
          token: superuser,
          body: record,
        });
        assert.equal(made.status, 200, JSON.stringify(made.body));
        for (const name of Object.keys(record)) assert.equal(made.body[name], record[name]);
      }
    });

    test("a realtime subscriber on C receives creates, updates and deletes made through A and B", async () => {
      const pb = new PocketBase(c.url, new BaseAuthStore());
      const events: RecordSubscription[] = [];
      const off = await pb.collection("notes").subscribe("*", (e) => void events.push(e));
      try {
        const made = await call(a.url, "/api/collections/notes/records", {
          method: "POST",
          body: { title: "live" },
        });
        assert.equal(made.status, 200, JSON.stringify(made.body));
        const id = String(made.body["id"]);
        await call(b.url, `/api/collections/notes/records/${id}`, {
          method: "PATCH",
          token: superuser,
          body: { title: "live!" },
        });
        await call(b.url, `/api/collections/notes/records/${id}`, { method: "DELETE", token: superuser });
        for (let i = 0; i < 500 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
        assert.deepEqual(
          events.map((e) => [e.action, e.record.id, e.record["title"]]),
          [
            ["create", id, "live"],
            ["update", id, "live!"],
            ["delete", id, "live!"],
          ],
        );
      } finally {
        await off();
        pb.realtime.unsubscribe();
      }
    });

    test("a stream held by C takes its subscriptions through A, and numbers events from A and B in one order", async () => {
      const stream = await connectSse(c.url);
      try {
        // a load balancer may send the subscription request to another instance than the stream
        const posted = await fetch(`${a.url}/api/realtime`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ clientId: stream.clientId(), subscriptions: ["notes/*"] }),
        });
        assert.equal(posted.status, 204, await posted.text());
        stream.listen(["notes/*"]);
        const unknown = await fetch(`${b.url}/api/realtime`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ clientId: "no-such-client", subscriptions: ["notes/*"] }),
        });
        assert.equal(unknown.status, 404);
        for (const [i, server] of [a, b, a, b].entries()) {
          const made = await call(server.url, "/api/collections/notes/records", {
            method: "POST",
            body: { title: `ordered ${i}` },
          });
          assert.equal(made.status, 200, JSON.stringify(made.body));
        }
        const got = await stream.next(4);
        const ids = got.map((m) => Number(m.id));
        assert.deepEqual(
          got.map((m) => (m.data["record"] as Record<string, Json>)["title"]),
          ["ordered 0", "ordered 1", "ordered 2", "ordered 3"],
        );
        assert.deepEqual(ids, [ids[0], ids[0]! + 1, ids[0]! + 2, ids[0]! + 3]);
      } finally {
        stream.close();
      }
    });

    test("settings saved through A are what B and C serve", async () => {
      const saved = await call(a.url, "/api/settings", {
        method: "PATCH",
        token: superuser,
        body: { meta: { appName: "Shared name" } },
      });
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      for (const server of [b, c]) {
        const got = await call(server.url, "/api/settings", { token: superuser });
        assert.equal((got.body["meta"] as Record<string, Json>)["appName"], "Shared name");
      }
    });

    test("a token issued by A is accepted by B; once A deletes the user, B and C refuse it", async () => {
      const signup = await call(a.url, "/api/collections/users/records", {
        method: "POST",
        body: { email: "ann@example.com", password: "password123", passwordConfirm: "password123" },
      });
      assert.equal(signup.status, 200, JSON.stringify(signup.body));
      const login = await call(a.url, "/api/collections/users/auth-with-password", {
        method: "POST",
        body: { identity: "ann@example.com", password: "password123" },
      });
      assert.equal(login.status, 200, JSON.stringify(login.body));
      const token = String(login.body["token"]);
      const id = String(signup.body["id"]);
      // B and C verify the token (and now hold it in their verified-token caches)
      for (const server of [b, c]) {
        const refreshed = await call(server.url, "/api/collections/users/auth-refresh", {
          method: "POST",
          token,
        });
        assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
      }
      const deleted = await call(a.url, `/api/collections/users/records/${id}`, {
        method: "DELETE",
        token: superuser,
      });
      assert.equal(deleted.status, 204);
      for (const server of [b, c]) {
        const refused = await call(server.url, "/api/collections/users/auth-refresh", {
          method: "POST",
          token,
        });
        assert.equal(refused.status, 401, JSON.stringify(refused.body));
      }
    });

    test("a password changed through B revokes the old token on A and C", async () => {
      await call(a.url, "/api/collections/users/records", {
        method: "POST",
        body: { email: "bob@example.com", password: "password123", passwordConfirm: "password123" },
      });
      const login = await call(c.url, "/api/collections/users/auth-with-password", {
        method: "POST",
        body: { identity: "bob@example.com", password: "password123" },
      });
      const token = String(login.body["token"]);
      const id = String((login.body["record"] as Record<string, Json>)["id"]);
      for (const server of [a, c]) {
        const ok = await call(server.url, "/api/collections/users/auth-refresh", { method: "POST", token });
        assert.equal(ok.status, 200);
      }
      const changed = await call(b.url, `/api/collections/users/records/${id}`, {
        method: "PATCH",
        token: superuser,
        body: { password: "another-password", passwordConfirm: "another-password" },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      for (const server of [a, c]) {
        const refused = await call(server.url, "/api/collections/users/auth-refresh", {
          method: "POST",
          token,
        });
        assert.equal(refused.status, 401, JSON.stringify(refused.body));
      }
    });
  });
}

describeCluster(
  "three instances on one PostgreSQL, LISTEN/NOTIFY bus",
  "postgres",
  () => [],
  pgUrl === undefined,
);
describeCluster(
  "three instances on one PostgreSQL, Redis bus",
  "redis",
  () => ["--redis", redisUrl ?? REDIS_URL],
  redisUrl === undefined,
);
