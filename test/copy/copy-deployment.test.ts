// copyDeployment in process, against the machine's PostgreSQL (each test copies into a schema of its
// own): verification really compares data, a mismatch rolls everything back, a new deployment copies.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { createPostgresStore } from "../../src/adapters/store/postgres/index.ts";
import { createSqliteStore } from "../../src/adapters/store/sqlite/index.ts";
import { DEFAULT_CONFIG } from "../../src/config/index.ts";
import type { Collection } from "../../src/core/collections/collection.ts";
import { copyDeployment } from "../../src/copy-deployment.ts";
import { checkPassed, compareCollection } from "../../src/copy-verify.ts";
import { createPlinth } from "../../src/plinth.ts";
import { postgresForTests } from "../support/postgres.ts";
import { FAST_ARGON2 } from "../support/test-server.ts";
import { populate, SUPERUSER } from "./deployment-fixture.ts";
import { freshSchema, type TestSchema } from "./postgres-schema.ts";

const base = await postgresForTests("plinth copy");
const skip = base === undefined ? "PostgreSQL is not reachable" : false;
const cleanups: (() => Promise<unknown> | undefined)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "plinth-copy-"));
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

/** An embedded deployment in a new directory, filled through its HTTP API (`populate`) unless `empty`. */
async function deployment(options: { empty?: boolean } = {}): Promise<string> {
  const dir = tempDir();
  const app = await createPlinth(
    { ...DEFAULT_CONFIG, dir, port: 0, db: undefined, logLevel: "silent" },
    { argon2: FAST_ARGON2 },
  );
  try {
    if (!options.empty) {
      await app.services.auth.upsertSuperuser(SUPERUSER.email, SUPERUSER.password);
      await populate(await app.listen());
    }
  } finally {
    await app.close();
  }
  return dir;
}

/** Source and target stores opened side by side, and the copied `posts` collection. */
async function openBoth(dir: string, target: TestSchema) {
  const source = createSqliteStore({ path: join(dir, "data.db"), synchronous: "NORMAL" });
  const copy = createPostgresStore({ url: target.url });
  cleanups.push(() => source.close());
  cleanups.push(() => copy.close());
  const posts = (await source.loadCollections()).find((c) => c.name === "posts") as Collection;
  return { source, copy, posts };
}

test("rows SQLite and PostgreSQL store differently (bool, number, json, multi-values) have equal checksums", {
  skip,
}, async () => {
  const dir = await deployment();
  const target = await schema();
  await copyDeployment({ sourceDir: dir, targetUrl: target.url });
  const { source, copy, posts } = await openBoth(dir, target);
  // the same JSON with its keys in another order is the same value
  await target.query(
    `UPDATE posts SET meta = '{"ü":"unicode ✓","a":{"nested":[1,"two",null,true]},"z":1}' WHERE title = 'First post'`,
  );
  const check = await compareCollection(source, copy, posts);
  assert.equal(check.rows, 3);
  assert.ok(checkPassed(check), JSON.stringify(check));
});

test("a changed value, a missing row and an extra row on the target are each caught", { skip }, async () => {
  const dir = await deployment();
  const target = await schema();
  await copyDeployment({ sourceDir: dir, targetUrl: target.url });
  const { source, copy, posts } = await openBoth(dir, target);
  const compare = () => compareCollection(source, copy, posts);

  await target.query(`UPDATE posts SET score = score + 0.000001 WHERE title = 'First post'`);
  const changed = await compare();
  assert.equal(changed.targetRows, changed.rows);
  assert.notEqual(changed.targetChecksum, changed.checksum);
  await target.query(`UPDATE posts SET score = 3.25 WHERE title = 'First post'`);
  assert.ok(checkPassed(await compare()));

  await target.query(`UPDATE posts SET id = 'zzzzzzzzzzzzzzz' WHERE title = 'Third post'`);
  const swapped = await compare(); // one row missing, one extra: same count, different checksum
  assert.equal(swapped.targetRows, swapped.rows);
  assert.equal(checkPassed(swapped), false);

  await target.query(`DELETE FROM posts WHERE id = 'zzzzzzzzzzzzzzz'`);
  const missing = await compare();
  assert.equal(missing.targetRows, 2);
  assert.equal(checkPassed(missing), false);
});

test("a mismatch found before commit names the collection and rolls everything back", { skip }, async () => {
  const dir = await deployment();
  const target = await schema();
  await assert.rejects(
    copyDeployment({
      sourceDir: dir,
      targetUrl: target.url,
      async beforeVerify(dst) {
        const posts = (await dst.loadCollections()).find((c) => c.name === "posts")!;
        const [first] = await dst.findRecords({ collection: posts, where: [], sort: [], limit: 1 });
        await dst.updateRecord(posts, String(first!["id"]), { views: 999 });
      },
    }),
    /verification failed, nothing was committed: "posts": 3 rows \(sha256 \w+\) on SQLite, 3 rows \(sha256 \w+\) on PostgreSQL/,
  );
  assert.deepEqual(await target.relations(), []);
});

test("a target schema holding anything (here one sequence) is refused and left as it was", {
  skip,
}, async () => {
  const dir = await deployment({ empty: true });
  const target = await schema();
  await target.query("CREATE SEQUENCE counter");
  await assert.rejects(copyDeployment({ sourceDir: dir, targetUrl: target.url }), /is not empty \(counter\)/);
  assert.deepEqual(await target.relations(), ["counter"]);
});

test("a new deployment (system collections only) copies, and Plinth starts on the copy as it is", {
  skip,
}, async () => {
  const dir = await deployment({ empty: true });
  const target = await schema();
  const report = await copyDeployment({ sourceDir: dir, targetUrl: target.url });
  assert.deepEqual(
    report.collections.map((c) => [c.name, c.rows]),
    [
      ["_authOrigins", 0],
      ["_externalAuths", 0],
      ["_mfas", 0],
      ["_otps", 0],
      ["_superusers", 0],
      ["users", 0],
    ],
  );
  const source = createSqliteStore({ path: join(dir, "data.db"), synchronous: "NORMAL" });
  const before = await source.loadCollections();
  await source.close();
  const app = await createPlinth({
    ...DEFAULT_CONFIG,
    dir: tempDir(),
    port: 0,
    db: target.url,
    logLevel: "silent",
  });
  try {
    assert.deepEqual(app.services.schema.all(), before);
    assert.equal(await app.services.auth.hasSuperuser(), false);
  } finally {
    await app.close();
  }
});

test("a directory without data.db is refused, and none is created", async () => {
  const dir = tempDir();
  await assert.rejects(
    copyDeployment({ sourceDir: dir, targetUrl: "postgres://nobody@127.0.0.1:1/none" }),
    /no embedded deployment at .* \(no data\.db; pass --dir\)/,
  );
  assert.equal(existsSync(join(dir, "data.db")), false);
});

test("a target that is not a PostgreSQL URL is refused", async () => {
  await assert.rejects(
    copyDeployment({ sourceDir: tempDir(), targetUrl: "mysql://x@y/z" }),
    /--to expects a PostgreSQL URL/,
  );
});
