// The realtime record matcher's statements (src/adapters/store/sql/match-record.ts) on the filter
// expression table: every expression of a collection, under every fixture user and as a guest, tested
// against each record in as few statements as there are shapes, must give exactly what running each
// expression alone gives, on SQLite and on PostgreSQL. Same-shape conditions (the same expression
// under different users) share one VALUES subquery; the others are CASE columns.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type pg from "pg";
import { postgresDialect } from "../../src/adapters/store/postgres/postgres-dialect.ts";
import { compileFilter } from "../../src/adapters/store/sql/compile-filter.ts";
import type { SqlDialect } from "../../src/adapters/store/sql/dialect.ts";
import { createRecordMatchPlanner, readMatches } from "../../src/adapters/store/sql/match-record.ts";
import { sqliteDialect } from "../../src/adapters/store/sqlite/sqlite-dialect.ts";
import { type ResolvedFilter, resolveFilter } from "../../src/core/filter/index.ts";
import { postgresForTests } from "../support/postgres.ts";
import { contextFor, createFixtureDb, fixture, requestFor } from "./fixture-db.ts";
import { createPostgresFixture } from "./fixture-postgres.ts";

type Query = (sql: string, params: readonly unknown[]) => Promise<Record<string, unknown>[]>;

const users: (string | null)[] = [null, ...(fixture.records["users"] ?? []).map((u) => String(u["id"]))];
const collectionNames = [...new Set(fixture.expressions.filter((c) => !c.error).map((c) => c.collection))];

/** Every (expression, user) condition of one collection, resolved; skips what does not resolve for a user. */
function conditionsOf(collection: string): { label: string; list: ResolvedFilter[] }[] {
  const out: { label: string; list: ResolvedFilter[] }[] = [];
  for (const c of fixture.expressions) {
    if (c.error || c.collection !== collection) continue;
    for (const auth of users) {
      try {
        const ctx = contextFor(collection, requestFor(auth, c), c.allowHiddenFields ?? false);
        out.push({ label: `${c.expr} (auth ${auth})`, list: [resolveFilter(c.expr, ctx)] });
      } catch {
        // an expression that needs what a guest lacks is refused before SQL
      }
    }
  }
  return out;
}

/** The ids each condition selects when run alone: the reference. */
async function aloneIds(query: Query, dialect: SqlDialect, table: string, list: ResolvedFilter[]) {
  const params: unknown[] = [];
  const where = compileFilter(list[0]!, { dialect, params, table });
  const rows = await query(`SELECT "id" FROM "${table}" WHERE ${where}`, params);
  return new Set(rows.map((r) => String(r["id"])));
}

async function checkAll(query: Query, dialect: SqlDialect): Promise<void> {
  const planner = createRecordMatchPlanner(dialect);
  let shared = 0;
  for (const table of collectionNames) {
    const conditions = conditionsOf(table);
    const expected: Set<string>[] = [];
    for (const c of conditions) expected.push(await aloneIds(query, dialect, table, c.list));
    const lists = conditions.map((c) => c.list);
    for (const record of fixture.records[table] ?? []) {
      const id = String(record["id"]);
      const statements = planner.statements(table, id, lists);
      assert.ok(
        statements.length === 1,
        `${table}: ${lists.length} conditions fit one statement, got ${statements.length}`,
      );
      shared += statements[0]!.columns.filter((members) => members.length > 1).length;
      const matches = lists.map(() => false);
      for (const statement of statements) {
        const [raw] = await query(statement.sql, statement.params);
        assert.ok(raw !== undefined, `${table}/${id} is found`);
        assert.equal(raw["id"], id);
        readMatches(statement, raw, matches);
      }
      conditions.forEach((c, i) => {
        assert.equal(matches[i], expected[i]!.has(id), `${table}/${id}: ${c.label}`);
      });
    }
  }
  assert.ok(shared > 0, "some conditions shared a shape");
}

describe("record matcher statements", () => {
  test("conditions of one shape share one VALUES subquery; others are CASE columns", () => {
    const planner = createRecordMatchPlanner(sqliteDialect);
    const conditions = users.map((auth) => [
      resolveFilter("author = @request.auth.id", contextFor("posts", requestFor(auth))),
    ]);
    const [statement] = planner.statements("posts", "x", conditions);
    assert.equal(statement!.columns.length, 2, "a guest's condition has another shape (no auth)");
    assert.equal((statement!.sql.match(/VALUES/g) ?? []).length, 1, statement!.sql);
  });

  test("values a dialect drops are not bound: texts alike take the same values", () => {
    const planner = createRecordMatchPlanner(postgresDialect);
    const ctx = contextFor("posts", requestFor(null));
    // PostgreSQL's strftime gives NULL for more than two arguments, dropping the bound ones
    const conditions = [
      [resolveFilter(`"x" = strftime("%Y", title, "a")`, ctx)],
      [resolveFilter(`"x" = strftime("%Y", title, "a", "b")`, ctx)],
    ];
    const [statement] = planner.statements("posts", "x", conditions);
    const rows = [...statement!.sql.matchAll(/\(\d+(?:, \$\d+)*\)/g)].map((m) => m[0]);
    assert.equal(new Set(rows.map((r) => r.split(",").length)).size, 1, statement!.sql);
    assert.equal(statement!.params.length, 3, JSON.stringify(statement!.params)); // "x" twice, the id
  });

  test("many same-shape conditions are split over statements within the parameter bound", () => {
    const planner = createRecordMatchPlanner(sqliteDialect);
    const ctx = contextFor("posts", requestFor(null));
    const conditions = Array.from({ length: 12_000 }, (_, i) => [resolveFilter(`title = "t${i}"`, ctx)]);
    const statements = planner.statements("posts", "x", conditions);
    assert.ok(statements.length >= 2, `${statements.length} statements`);
    for (const s of statements) assert.ok(s.params.length <= 10_000, `${s.params.length} params`);
    assert.equal(
      statements.flatMap((s) => s.columns.flat()).length,
      conditions.length,
      "every condition is answered once",
    );
  });

  test("SQLite: every expression under every user gives what it gives alone", async () => {
    const db = createFixtureDb();
    await checkAll(
      async (sql, params) => db.prepare(sql).all(...(params as (string | number | null)[])),
      sqliteDialect,
    );
  });

  describe("on PostgreSQL", async () => {
    const url = await postgresForTests("the record matcher on PostgreSQL");
    let client: pg.Client;
    let drop: () => Promise<void> = async () => {};
    before(async () => {
      if (url !== undefined) ({ client, drop } = await createPostgresFixture(url));
    });
    after(() => drop());

    test("every expression under every user gives what it gives alone", {
      skip: url === undefined,
    }, async () => {
      await checkAll(
        async (sql, params) => (await client.query(sql, params as unknown[])).rows,
        postgresDialect,
      );
    });
  });
});
