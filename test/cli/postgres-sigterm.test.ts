// SIGTERM drains a real `plinth serve` on PostgreSQL: writes still in flight, waiting on the database
// when the signal arrives, finish and are acknowledged, then the process exits 0.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { freshPostgresSchema, postgresForTests } from "../support/postgres.ts";
import { call, createPublicCollection, superuserToken, upsertSuperuser } from "../support/postgres-server.ts";
import { type ServerProcess, spawnServer } from "../support/spawn-server.ts";
import { lockTable } from "../support/table-lock.ts";

const pgUrl = await postgresForTests("the PostgreSQL SIGTERM drain test");

const IN_FLIGHT = 4;

describe("SIGTERM on PostgreSQL", { skip: pgUrl === undefined }, () => {
  let schema: { url: string; drop(): Promise<void> };
  let server: ServerProcess;
  let dir: string;

  before(async () => {
    schema = await freshPostgresSchema(pgUrl!);
    const credentials = await upsertSuperuser(schema.url);
    dir = mkdtempSync(join(tmpdir(), "plinth-sigterm-pg-"));
    // a drain long enough that only the requests themselves decide when it ends
    server = await spawnServer(dir, ["--db", schema.url, "--shutdown-timeout", "60000"]);
    await createPublicCollection(server.url, await superuserToken(server.url, credentials), "notes");
  });

  after(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill("SIGKILL");
      await server.exited;
    }
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("in-flight writes finish with 200 and are stored, then the process exits 0", async () => {
    // The test holds a lock on the table, so the writes are surely in flight (waiting inside the server
    // on PostgreSQL) when SIGTERM arrives, and only finish once the server is already draining.
    const lock = await lockTable(schema.url, "notes");
    let replies: Awaited<ReturnType<typeof call>>[];
    try {
      const inFlight = Array.from({ length: IN_FLIGHT }, (_, i) =>
        call(server.url, "/api/collections/notes/records", {
          method: "POST",
          body: { title: `drained ${i}` },
        }),
      );
      for (const reply of inFlight) reply.catch(() => {}); // awaited below; not unhandled if the test fails first
      await lock.waiters(IN_FLIGHT);
      server.child.kill("SIGTERM");
      await server.waitForOutput(/"shutting down"/);
      await lock.release();
      replies = await Promise.all(inFlight);
    } finally {
      await lock.release();
    }

    for (const reply of replies) assert.equal(reply.status, 200, reply.text);
    assert.equal(await server.exited, 0);

    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string }>(`SELECT "id" FROM "notes"`);
      assert.deepEqual(rows.map((r) => r.id).sort(), replies.map((r) => String(r.body.id)).sort());
    } finally {
      await db.end();
    }
  });
});
