// The filter expression table (test/data/filter-expressions.json) on PostgreSQL: the same
// expressions, compiled by the PostgreSQL dialect, must return the same rows as on SQLite.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type pg from "pg";
import { compileFilter } from "../../src/adapters/store/sql/compile-filter.ts";
import { postgresDialect } from "../../src/adapters/store/postgres/postgres-dialect.ts";
import { resolveFilter } from "../../src/core/filter/index.ts";
import { contextFor, fixture, requestFor } from "./fixture-db.ts";
import { createPostgresFixture } from "./fixture-postgres.ts";
import { postgresForTests } from "../support/postgres.ts";

const url = await postgresForTests("the filter expression table on PostgreSQL");
let client: pg.Client;
let drop: () => Promise<void> = async () => {};

before(async () => {
  if (url === undefined) return;
  ({ client, drop } = await createPostgresFixture(url));
});

after(() => drop());

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
