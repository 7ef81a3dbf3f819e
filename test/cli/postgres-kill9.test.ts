// Three real `plinth serve` processes on one PostgreSQL under a write load; one is killed with SIGKILL
// in the middle of it. The other two keep acknowledging writes, and afterwards every acknowledged
// record is in the database exactly once.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { freshPostgresSchema, postgresForTests } from "../support/postgres.ts";
import { call, createPublicCollection, superuserToken, upsertSuperuser } from "../support/postgres-server.ts";
import { type ServerProcess, spawnServer, stopServers } from "../support/spawn-server.ts";

const pgUrl = await postgresForTests("the PostgreSQL kill -9 test");

const RECORDS = "/api/collections/notes/records";
const WRITERS_PER_INSTANCE = 2;
/** Acknowledged writes before the kill, and on each survivor after it. */
const BEFORE_KILL = 150;
const AFTER_KILL = 60;
/** Upper bound on one writer's requests, so the load always ends. */
const MAX_REQUESTS_PER_WRITER = 5_000;

interface Ack {
  readonly id: string;
  readonly n: number;
}

describe("kill -9 of one of three PostgreSQL instances during a write load", {
  skip: pgUrl === undefined,
}, () => {
  let schema: { url: string; drop(): Promise<void> };
  const servers: ServerProcess[] = [];
  const dirs: string[] = [];
  let token: string;

  before(async () => {
    schema = await freshPostgresSchema(pgUrl!);
    const credentials = await upsertSuperuser(schema.url);
    const start = async () => {
      const dir = mkdtempSync(join(tmpdir(), "plinth-kill9-pg-"));
      dirs.push(dir);
      const server = await spawnServer(dir, ["--db", schema.url]);
      servers.push(server);
      return server;
    };
    // one at a time, so the first bootstraps the schema and the others find it
    await start();
    await Promise.all([start(), start()]);
    token = await superuserToken(servers[0]!.url, credentials);
    await createPublicCollection(servers[0]!.url, token, "notes");
  });

  after(async () => {
    await stopServers(servers);
    await schema?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test("survivors keep serving and no acknowledged write is lost or doubled", async () => {
    const [a, victim, c] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const acks = new Map<ServerProcess, Ack[]>(servers.map((s) => [s, []]));
    /** Failures on the instances that were not killed: there must be none. */
    const survivorFailures: string[] = [];
    let killed = false;
    let stop = false;
    let next = 0;

    async function writer(server: ServerProcess): Promise<void> {
      for (let i = 0; !stop && i < MAX_REQUESTS_PER_WRITER; i++) {
        const n = next++;
        try {
          const reply = await call(server.url, RECORDS, { method: "POST", body: { title: `w${n}` } });
          if (reply.status === 200) acks.get(server)!.push({ id: String(reply.body.id), n });
          else if (server !== victim) survivorFailures.push(`${reply.status} ${reply.text}`);
        } catch (err) {
          // the killed instance refuses or resets connections; anywhere else it is a failure
          if (server === victim && killed) return;
          survivorFailures.push(String(err));
          if (survivorFailures.length > 10) return;
        }
      }
    }

    /** Resolves once `done()` holds, or the writers have all stopped (bounded by MAX_REQUESTS_PER_WRITER). */
    async function until(done: () => boolean, writers: Promise<unknown>): Promise<void> {
      let finished = false;
      void writers.finally(() => {
        finished = true;
      });
      while (!done() && !finished) await new Promise((r) => setTimeout(r, 5));
    }

    const total = () => [...acks.values()].reduce((sum, list) => sum + list.length, 0);
    const writers = Promise.all(
      servers.flatMap((s) => Array.from({ length: WRITERS_PER_INSTANCE }, () => writer(s))),
    );
    await until(() => total() >= BEFORE_KILL && acks.get(victim)!.length >= BEFORE_KILL / 6, writers);
    killed = true;
    victim.child.kill("SIGKILL");
    const atKill = { a: acks.get(a)!.length, c: acks.get(c)!.length };
    await until(
      () => acks.get(a)!.length >= atKill.a + AFTER_KILL && acks.get(c)!.length >= atKill.c + AFTER_KILL,
      writers,
    );
    stop = true;
    await writers;
    await victim.exited;

    assert.deepEqual(survivorFailures, [], "the surviving instances answered every write");
    assert.ok(acks.get(victim)!.length >= BEFORE_KILL / 6, "the killed instance took part in the load");
    assert.ok(acks.get(a)!.length >= atKill.a + AFTER_KILL, "A kept acknowledging writes after the kill");
    assert.ok(acks.get(c)!.length >= atKill.c + AFTER_KILL, "C kept acknowledging writes after the kill");

    // every acknowledged record, read straight from PostgreSQL: present, once, with what was written
    const db = new pg.Client({ connectionString: schema.url });
    await db.connect();
    try {
      const { rows } = await db.query<{ id: string; title: string }>(`SELECT "id", "title" FROM "notes"`);
      const titles = new Map<string, number>();
      const byId = new Map<string, string>();
      for (const row of rows) {
        titles.set(row.title, (titles.get(row.title) ?? 0) + 1);
        byId.set(row.id, row.title);
      }
      const all = [...acks.values()].flat();
      const lost = all.filter((ack) => byId.get(ack.id) !== `w${ack.n}`);
      const doubled = all.filter((ack) => titles.get(`w${ack.n}`) !== 1);
      assert.deepEqual(lost, [], "acknowledged records missing or changed");
      assert.deepEqual(doubled, [], "acknowledged records stored more than once");
    } finally {
      await db.end();
    }

    // the killed instance left no lock behind: a schema change (which takes the schema lock) goes through
    const changed = await call(a.url, "/api/collections/notes", {
      method: "PATCH",
      token,
      body: {
        fields: [
          { name: "title", type: "text" },
          { name: "pages", type: "number" },
        ],
      },
    });
    assert.equal(changed.status, 200, changed.text);
    const viaC = await call(c.url, RECORDS, { method: "POST", body: { title: "after", pages: 3 } });
    assert.equal(viaC.status, 200, viaC.text);
    assert.equal(viaC.body.pages, 3);
  });
});
