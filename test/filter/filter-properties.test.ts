import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { compileFilter } from "../../src/adapters/store/sql/compile-filter.ts";
import { sqliteDialect } from "../../src/adapters/store/sqlite/sqlite-dialect.ts";
import { isPlinthError } from "../../src/core/errors.ts";
import { resolveFilter } from "../../src/core/filter/index.ts";
import { contextFor, createFixtureDb, fixture, requestFor, runFilter } from "./fixture-db.ts";

const db = createFixtureDb();
const ctx = contextFor("posts", requestFor("u_alice", { body: { title: "t", views: "3" } }), false);
const ruleCtx = contextFor("posts", requestFor(null), true);

/** Runs the whole path; anything thrown must be a PlinthError("invalid_input"). */
function runOrReject(text: string, c = ctx): void {
  try {
    runFilter(db, c, text);
  } catch (err) {
    if (!(isPlinthError(err) && err.code === "invalid_input")) {
      throw new Error(`unexpected ${String(err)} for ${JSON.stringify(text)}`);
    }
  }
}

const alphabet = [..."abcdefghijklmnopqrstuvwxyz_.:@#0123456789 '\"\\()=!<>?~&|/,-\n\t%;*"];
const filterChars = fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 80 });
const validExprs = fixture.expressions.filter((e) => e.collection === "posts" && !e.error).map((e) => e.expr);

test("random text never throws anything but invalid_input", () => {
  fc.assert(
    fc.property(
      fc.oneof(filterChars, fc.string({ maxLength: 60 }), fc.string({ unit: "binary", maxLength: 40 })),
      (s) => runOrReject(s),
    ),
    { numRuns: 1500 },
  );
});

test("mutated valid expressions never throw anything but invalid_input", () => {
  const mutation = fc.record({
    expr: fc.constantFrom(...validExprs),
    at: fc.nat(),
    cut: fc.nat({ max: 4 }),
    insert: fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 4 }),
  });
  fc.assert(
    fc.property(mutation, ({ expr, at, cut, insert }) => {
      const i = at % (expr.length + 1);
      const text = expr.slice(0, i) + insert + expr.slice(i + cut);
      runOrReject(text);
      runOrReject(text, ruleCtx);
    }),
    { numRuns: 2000 },
  );
});

function compiled(expr: string): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = compileFilter(resolveFilter(expr, ctx), { dialect: sqliteDialect, params, table: "posts" });
  return { sql, params };
}

test("the SQL text does not depend on the (non-empty) values: values only travel as parameters", () => {
  const templates = [
    (v: string) => `title = "${v}"`,
    (v: string) => `title ~ "${v}" || slug !~ "${v}"`,
    (v: string) => `author.name ?= "${v}" && tags.name = "${v}"`,
    (v: string) => `comments_via_post.text != "${v}"`,
    (v: string) => `data.a.b = "${v}" || @collection.tags.name ?= "${v}"`,
    (v: string) => `labels:each ?= "${v}" && "${v}" != @request.body.title`,
  ];
  // no `"` or `\` (the filter's own escaping) so the template stays one text token
  const value = fc
    .string({ minLength: 1, maxLength: 30 })
    .filter((s) => !s.includes('"') && !s.includes("\\"));
  fc.assert(
    fc.property(fc.constantFrom(...templates), value, (template, v) => {
      const reference = compiled(template("x"));
      const actual = compiled(template(v));
      assert.equal(actual.sql, reference.sql);
      db.prepare(`SELECT id FROM "posts" WHERE ${actual.sql}`).all(...(actual.params as string[]));
    }),
    { numRuns: 500 },
  );
});

test("hostile inputs are rejected or treated as plain values", () => {
  const hostile = [
    `title = "'; DROP TABLE posts; --"`,
    `title = 'x' -- comment`,
    `title = 'x' /* c */`,
    `title = 'x' UNION SELECT * FROM users`,
    `title = 'x'; DELETE FROM posts`,
    `title = "\u0000"`,
    `title = 'x\u0000' || id = 1`,
    `tïtle = 'x'`,
    `title = '😀' && slug ~ 'ü'`,
    `sqlite_master.sql != ''`,
    `_superusers.password != ''`,
    `@collection._superusers.password != ''`,
    `@collection.sqlite_master.sql != ''`,
    `@collection.posts:x"y.title = 1`,
    `"posts"."title" = 1`,
    `title = 1 OR 1=1`,
    `title = 1 || 1 = 1`,
    `@request.body.title = "x"`,
    `${"(".repeat(10_000)}title = 1${")".repeat(10_000)}`,
    `title = "${"a".repeat(1_000_000)}"`,
    `${"title = 1 && ".repeat(300)}title = 1`,
    `geoDistance(title, 'x', 1, 2) > 1`,
    `strftime(title) = 1`,
    `title:each:lower = 1`,
    `data.a:lower = 1`,
  ];
  for (const h of hostile) {
    runOrReject(h);
    runOrReject(h, ruleCtx);
  }
  // rejected for what they are, not by accident
  for (const h of [
    `sqlite_master.sql != ''`,
    `@collection._superusers.password != ''`,
    hostile[18]!,
    hostile[19]!,
  ]) {
    assert.throws(
      () => runFilter(db, ctx, h),
      (e: unknown) => isPlinthError(e) && e.code === "invalid_input",
    );
  }
  // plain values: the row set is a real answer, and the table survives
  assert.deepEqual(runFilter(db, ctx, hostile[0]!).ids, []);
  assert.equal(runFilter(db, ctx, "id != ''").ids.length, 5);
});
