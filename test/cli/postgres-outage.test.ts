// A real `plinth serve` reaches PostgreSQL through a TCP proxy the test controls. When the database goes
// away (connections refused) or the network swallows everything (a blackhole), every request still
// ends, soon, with the shared 503 body; when the database comes back, the same process serves again and
// its bus reconnects, without a restart.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { freshPostgresSchema, postgresForTests } from "../support/postgres.ts";
import {
  assertUnavailable,
  call,
  createPublicCollection,
  superuserToken,
  upsertSuperuser,
} from "../support/postgres-server.ts";
import { type ServerProcess, spawnServer } from "../support/spawn-server.ts";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.ts";

const pgUrl = await postgresForTests("the PostgreSQL outage tests");

// Short database timeouts, so a blackholed request ends in about a second (the defaults are 5 s and 30 s).
const TIMEOUTS = ["--db-acquire-timeout", "1000", "--db-statement-timeout", "2000"];

/** What a client is told when the database cannot be reached (health words it without "please retry"). */
const UNAVAILABLE = /^The database is unavailable(, please retry)?\.$/;

/** Polls (bounded) until `check` holds; fails naming `what` otherwise. */
async function eventually(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what} did not happen`);
}

describe("a server whose PostgreSQL goes away", { skip: pgUrl === undefined }, () => {
  let schema: { url: string; drop(): Promise<void> };
  let proxy: TcpProxy;
  let server: ServerProcess;
  let dir: string;
  let superuser: string;
  let recordId: string;

  before(async () => {
    const target = new URL(pgUrl!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    schema = await freshPostgresSchema(pgUrl!);
    const credentials = await upsertSuperuser(schema.url);
    dir = mkdtempSync(join(tmpdir(), "plinth-outage-"));
    server = await spawnServer(dir, ["--db", proxy.via(schema.url), ...TIMEOUTS]);
    superuser = await superuserToken(server.url, credentials);
    await createPublicCollection(server.url, superuser, "notes");
    const created = await call(server.url, "/api/collections/notes/records", {
      method: "POST",
      body: { title: "before the outage" },
    });
    assert.equal(created.status, 200, created.text);
    recordId = String(created.body.id);
  });

  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGTERM");
      await server.exited;
    }
    await proxy?.close();
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Every kind of request this server answers from the database. */
  function requests(): { what: string; send(): ReturnType<typeof call> }[] {
    const base = server.url;
    const records = "/api/collections/notes/records";
    return [
      { what: "health", send: () => call(base, "/api/health") },
      { what: "list", send: () => call(base, records) },
      { what: "view", send: () => call(base, `${records}/${recordId}`) },
      { what: "create", send: () => call(base, records, { method: "POST", body: { title: "during" } }) },
      {
        what: "update",
        send: () => call(base, `${records}/${recordId}`, { method: "PATCH", body: { title: "changed" } }),
      },
      { what: "delete", send: () => call(base, `${records}/${recordId}`, { method: "DELETE" }) },
      { what: "superuser list", send: () => call(base, "/api/collections", { token: superuser }) },
    ];
  }

  /** Sends every request one after another, then all at once: each ends with the 503 body. */
  async function assertAllUnavailable(): Promise<void> {
    for (const request of requests()) assertUnavailable(await request.send(), request.what, UNAVAILABLE);
    const all = requests();
    const replies = await Promise.all(all.map((r) => r.send()));
    for (const [i, reply] of replies.entries())
      assertUnavailable(reply, `concurrent ${all[i]!.what}`, UNAVAILABLE);
  }

  async function assertServesAgain(): Promise<void> {
    await eventually("health 200 with the bus connected again", async () => {
      const health = await call(server.url, "/api/health");
      return health.status === 200 && health.body.data?.bus?.status === "connected";
    });
    const viewed = await call(server.url, `/api/collections/notes/records/${recordId}`);
    assert.equal(viewed.status, 200, viewed.text);
    assert.equal(viewed.body.title, "before the outage");
    const created = await call(server.url, "/api/collections/notes/records", {
      method: "POST",
      body: { title: "after the outage" },
    });
    assert.equal(created.status, 200, created.text);
    const listed = await call(server.url, "/api/collections", { token: superuser });
    assert.equal(listed.status, 200, listed.text);
  }

  test("with connections refused, reads, writes and health answer 503 unavailable", async () => {
    await proxy.refuse();
    await assertAllUnavailable();
  });

  test("once PostgreSQL accepts connections again, the same process serves and its bus reconnects", async () => {
    await proxy.restore();
    await assertServesAgain();
  });

  test("with the network blackholed, every request still ends with 503 unavailable", async () => {
    proxy.blackhole();
    await assertAllUnavailable();
  });

  test("once the network forwards again, the same process serves and its bus reconnects", async () => {
    await proxy.restore();
    await assertServesAgain();
  });
});
