// Real `plinth serve` processes on PostgreSQL, with the test holding a table lock from its own
// connection: a request that cannot get a pooled connection within the acquire timeout, and a statement
// that waits past the statement timeout, both end with the shared 503 body instead of hanging, and the
// server serves normally once the lock is gone.
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
import { type ServerProcess, spawnServer, stopServers } from "../support/spawn-server.ts";
import { lockTable } from "../support/table-lock.ts";

const pgUrl = await postgresForTests("the PostgreSQL pool and statement timeout tests");

const RECORDS = "/api/collections/notes/records";
/** What a client is told when the database is reachable but did not manage in time. */
const BUSY = /^The database is busy, please retry\.$/;

describe("a PostgreSQL server under lock contention", { skip: pgUrl === undefined }, () => {
  let schema: { url: string; drop(): Promise<void> };
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];
  /** Two connections, and a request gives up waiting for one after 1 s; statements may run a minute. */
  let small: ServerProcess;
  /** A statement gives up after 1 s. */
  let strict: ServerProcess;
  let recordId: string;

  async function start(args: string[]): Promise<ServerProcess> {
    const dir = mkdtempSync(join(tmpdir(), "plinth-pool-"));
    dirs.push(dir);
    const server = await spawnServer(dir, ["--db", schema.url, ...args]);
    servers.push(server);
    return server;
  }

  before(async () => {
    schema = await freshPostgresSchema(pgUrl!);
    const credentials = await upsertSuperuser(schema.url);
    small = await start([
      "--db-pool-size",
      "2",
      "--db-acquire-timeout",
      "1000",
      "--db-statement-timeout",
      "60000",
    ]);
    strict = await start(["--db-statement-timeout", "1000"]);
    await createPublicCollection(small.url, await superuserToken(small.url, credentials), "notes");
    const created = await call(small.url, RECORDS, { method: "POST", body: { title: "first" } });
    assert.equal(created.status, 200, created.text);
    recordId = String(created.body.id);
  });

  after(async () => {
    await stopServers(servers);
    await schema?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("with every pooled connection busy, a request gets 503 after the acquire timeout", async () => {
    const lock = await lockTable(schema.url, "notes");
    try {
      // two writes wait on the lock, each holding one of the pool's two connections
      const blocked = [1, 2].map((n) =>
        call(small.url, RECORDS, { method: "POST", body: { title: `w${n}` } }),
      );
      for (const reply of blocked) reply.catch(() => {}); // awaited below; not unhandled if the test fails first
      await lock.waiters(2);
      assertUnavailable(
        await call(small.url, `${RECORDS}/${recordId}`),
        "view with the pool exhausted",
        BUSY,
      );
      assertUnavailable(
        await call(small.url, RECORDS, { method: "POST", body: { title: "third" } }),
        "create with the pool exhausted",
        BUSY,
      );
      assertUnavailable(await call(small.url, "/api/health"), "health with the pool exhausted");
      await lock.release();
      // the writes that held the connections were only waiting: they complete
      for (const reply of await Promise.all(blocked)) assert.equal(reply.status, 200, reply.text);
    } finally {
      await lock.release();
    }
    const listed = await call(small.url, `${RECORDS}?perPage=100`);
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.items.map((r: { title: string }) => r.title).sort(), ["first", "w1", "w2"]);
    assert.equal((await call(small.url, "/api/health")).status, 200);
  });

  test("a statement whose session an administrator ends gets 503, and the next request is served", async () => {
    const lock = await lockTable(schema.url, "notes");
    try {
      const blocked = call(small.url, RECORDS, { method: "POST", body: { title: "terminated" } });
      blocked.catch(() => {}); // awaited below; not unhandled if the test fails first
      await lock.waiters(1);
      assert.equal(await lock.terminateWaiters(), 1);
      assertUnavailable(
        await blocked,
        "create whose session was terminated",
        /^The database is unavailable, please retry\.$/,
      );
    } finally {
      await lock.release();
    }
    const created = await call(small.url, RECORDS, {
      method: "POST",
      body: { title: "after the termination" },
    });
    assert.equal(created.status, 200, created.text);
    const deleted = await call(small.url, `${RECORDS}/${String(created.body.id)}`, { method: "DELETE" });
    assert.equal(deleted.status, 204, deleted.text);
  });

  test("a statement waiting past the statement timeout ends with 503, and the server serves on", async () => {
    const lock = await lockTable(schema.url, "notes");
    try {
      assertUnavailable(
        await call(strict.url, RECORDS, { method: "POST", body: { title: "too late" } }),
        "create past the statement timeout",
        BUSY,
      );
      assertUnavailable(
        await call(strict.url, `${RECORDS}/${recordId}`, { method: "PATCH", body: { title: "too late" } }),
        "update past the statement timeout",
        BUSY,
      );
      assertUnavailable(await call(strict.url, RECORDS), "list past the statement timeout", BUSY);
    } finally {
      await lock.release();
    }
    const created = await call(strict.url, RECORDS, { method: "POST", body: { title: "in time" } });
    assert.equal(created.status, 200, created.text);
    const viewed = await call(strict.url, `${RECORDS}/${recordId}`);
    assert.equal(viewed.status, 200, viewed.text);
    assert.equal(viewed.body.title, "first", "the update that timed out changed nothing");
    const listed = await call(strict.url, `${RECORDS}?perPage=100`);
    assert.deepEqual(listed.body.items.map((r: { title: string }) => r.title).sort(), [
      "first",
      "in time",
      "w1",
      "w2",
    ]);
  });
});
