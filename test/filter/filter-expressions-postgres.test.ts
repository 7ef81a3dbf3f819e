// The filter expression table (test/data/filter-expressions.json) on PostgreSQL: the same
// expressions, compiled by the PostgreSQL dialect, must return the same rows as on SQLite.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import pg from "pg";
import { compileFilter } from "../../src/adapters/store/sql/compile-filter.ts";
import { postgresDialect } from "../../src/adapters/store/postgres/postgres-dialect.ts";
import { POSTGRES_FUNCTIONS } from "../../src/adapters/store/postgres/postgres-functions.ts";
import { postgresSyncStatements } from "../../src/adapters/store/postgres/postgres-schema-sync.ts";
import { resolveFilter } from "../../src/core/filter/index.ts";
import { collections, contextFor, fixture, requestFor } from "./fixture-db.ts";
import { postgresForTests } from "../support/postgres.ts";

const url = await postgresForTests("the filter expression table on PostgreSQL");
const schemaName = `plinth_fx_${randomBytes(5).toString("hex")}`;
let client: pg.Client;

before(async () => {
  if (url === undefined) return;
  client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schemaName}"; SET search_path TO "${schemaName}"`);
  for (const sql of POSTGRES_FUNCTIONS) await client.query(sql);
  for (const c of collections) {
    for (const sql of postgresSyncStatements(null, c)) await client.query(sql);
    for (const r of fixture.records[c.name] ?? []) {
      const fields = c.fields.filter((f) => f.name in r);
      await client.query(
        `INSERT INTO "${c.name}" (${fields.map((f) => `"${f.name}"`).join(", ")}) VALUES (${fields.map((_, i) => `$${i + 1}`).join(", ")})`,
        fields.map((f) => postgresDialect.encodeValue(f, r[f.name])),
      );
    }
  }
});

after(async () => {
  if (client === undefined) return;
  await client.query(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
  await client.end();
});

for (const c of fixture.expressions) {
  if (c.error) continue; // rejections happen before SQL, identically for every database
  const label = `postgres ${c.collection}: ${c.expr.replaceAll("\n", "\\n")}${c.auth ? ` (auth ${c.auth})` : ""}`;
  test(label, { skip: url === undefined }, async () => {
    const ctx = contextFor(c.collection, requestFor(c.auth, c), c.allowHiddenFields ?? false);
    const params: unknown[] = [];
    const where = compileFilter(resolveFilter(c.expr, ctx), {
      dialect: postgresDialect,
      params,
      table: c.collection,
    });
    const sql = `SELECT "id" FROM "${c.collection}" WHERE ${where}`;
    let ids: string[];
    try {
      ids = (await client.query(sql, params)).rows.map((r) => String(r["id"]));
    } catch (err) {
      assert.fail(`${(err as Error).message}\n${sql}\n${JSON.stringify(params)}`);
    }
    assert.deepEqual([...ids].sort(), c.expected, `${c.note}\n${sql}\n${JSON.stringify(params)}`);
  });
}
