// `plinth copy --to` as an operator runs it: real processes, a deployment made by a real server on
// SQLite, then `plinth serve --db` on the copy must show the same data and let the same people in.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, test } from "node:test";
import { postgresForTests } from "../support/postgres.ts";
import { runCli, type ServerProcess, spawnServer } from "../support/spawn-server.ts";
import { api, login, populate, SUPERUSER, snapshot, USER } from "./deployment-fixture.ts";
import { freshSchema, type TestSchema } from "./postgres-schema.ts";

const base = await postgresForTests("plinth copy");
const skip = base === undefined ? "PostgreSQL is not reachable" : false;
const cleanups: (() => Promise<unknown> | undefined)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "plinth-copy-cli-"));
  cleanups.push(() => {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  });
  return dir;
}

async function schema(): Promise<TestSchema> {
  const s = await freshSchema(base!);
  cleanups.push(() => s.drop());
  return s;
}

async function serve(dir: string, args: string[] = []): Promise<ServerProcess> {
  const server = await spawnServer(dir, args);
  cleanups.push(async () => {
    if (server.child.exitCode === null) server.child.kill("SIGTERM");
    await server.exited;
  });
  return server;
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill("SIGTERM");
  assert.equal(await server.exited, 0);
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Password hashes and token keys as stored, by email. */
function sqliteSecrets(dir: string, table: string): Record<string, unknown>[] {
  const db = new DatabaseSync(join(dir, "data.db"), { readOnly: true });
  try {
    const rows = db.prepare(`SELECT email, password, tokenKey FROM "${table}" ORDER BY email`).all();
    return rows.map((r) => ({ ...r })); // plain objects, like pg's rows
  } finally {
    db.close();
  }
}

test("a deployment moves to PostgreSQL: same records, settings and indexes; everyone logs in as before", {
  skip,
}, async () => {
  const dir = tempDir();
  const su = await runCli(["superuser", "upsert", SUPERUSER.email, SUPERUSER.password, "--dir", dir]);
  assert.equal(su.code, 0, su.stderr);
  const sqlite = await serve(dir);
  const { userToken, userId } = await populate(sqlite.url);
  const before = await snapshot(sqlite.url);
  await stop(sqlite);

  const target = await schema();
  const sourceHash = sha256(join(dir, "data.db"));
  const copy = await runCli(["copy", "--to", target.url, "--dir", dir]);
  assert.equal(copy.code, 0, copy.stderr);
  assert.match(copy.stdout, /^posts +base +3 rows +sha256 [0-9a-f]{64}$/m);
  assert.match(copy.stdout, /^_superusers +auth +1 rows +sha256 [0-9a-f]{64}$/m);
  assert.match(copy.stdout, /^users +auth +1 rows +sha256 [0-9a-f]{64}$/m);
  assert.match(copy.stdout, /^popular_titles +view +1 rows +\(view: query runs, rows counted\)$/m);
  assert.match(
    copy.stdout,
    /^Copied 10 collections, 7 records and 1 param \(settings\) into schema "plinth_copy_\w+" in one transaction; every row count and checksum matched\.$/m,
  );
  assert.equal(sha256(join(dir, "data.db")), sourceHash, "the source file is unchanged");

  const secrets = (table: string) =>
    target.query(`SELECT email, password, "tokenKey" FROM "${table}" ORDER BY email`);
  assert.deepEqual(await secrets("users"), sqliteSecrets(dir, "users"));
  assert.deepEqual(await secrets("_superusers"), sqliteSecrets(dir, "_superusers"));
  const indexes = await target.query("SELECT indexname FROM pg_indexes WHERE schemaname = $1", [target.name]);
  const names = indexes.map((r) => r["indexname"]);
  assert.ok(names.includes("idx_posts_title") && names.includes("idx_posts_views"), JSON.stringify(names));

  const pg = await serve(tempDir(), ["--db", target.url]);
  assert.deepEqual(await snapshot(pg.url), before);
  const user = await login(pg.url, "users", USER);
  assert.equal(user.status, 200);
  assert.equal(user.body.record.id, userId);
  assert.equal((await login(pg.url, "users", { ...USER, password: "wrong-password" })).status, 400);
  assert.equal((await login(pg.url, "_superusers", SUPERUSER)).status, 200);
  // a token the SQLite server issued still verifies: token keys and collection secrets came along
  const refresh = await api(pg.url, "POST", "/api/collections/users/auth-refresh", { token: userToken });
  assert.equal(refresh.status, 200, JSON.stringify(refresh.body));
  // the unique index is enforced on the copy
  const token = String((await login(pg.url, "_superusers", SUPERUSER)).body.token);
  const duplicate = await api(pg.url, "POST", "/api/collections/posts/records", {
    token,
    body: { title: "First post" },
  });
  assert.equal(duplicate.status, 400);
  await stop(pg);

  // the target now holds a deployment: a second copy is refused
  const again = await runCli(["copy", "--to", target.url, "--dir", dir]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /^plinth: copy failed: the target schema "plinth_copy_\w+" is not empty/m);
});

test("a target with any table is refused with exit code 1 and nothing written", { skip }, async () => {
  const dir = tempDir();
  const su = await runCli(["superuser", "upsert", SUPERUSER.email, SUPERUSER.password, "--dir", dir]);
  assert.equal(su.code, 0, su.stderr);
  const target = await schema();
  await target.query("CREATE TABLE notes (body text)");
  const res = await runCli(["copy", `--to=${target.url}`, "--dir", dir]);
  assert.equal(res.code, 1);
  assert.equal(
    res.stderr,
    `plinth: copy failed: the target schema "${target.name}" is not empty (notes); copy only into an empty database or schema\n`,
  );
  assert.deepEqual(await target.relations(), ["notes"]);
});

test("copy without --to prints its usage and exits 1", async () => {
  const res = await runCli(["copy", "--dir", tempDir()]);
  assert.equal(res.code, 1);
  assert.match(res.stderr, /usage: plinth copy --to postgres:\/\//);
});
