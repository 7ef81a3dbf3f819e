import assert from "node:assert/strict";
import { test } from "node:test";
import { contextFor, createFixtureDb, requestFor, runFilter } from "../../../../test/filter/fixture-db.ts";
import { resolveFilter, resolveSort } from "../../../core/filter/index.ts";
import { sqliteDialect } from "../sqlite/sqlite-dialect.ts";
import { compileFilter, compileSort } from "./compile-filter.ts";

const db = createFixtureDb();
const posts = (auth: string | null = null) => contextFor("posts", requestFor(auth), false);

function compile(expr: string, auth: string | null = null): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const sql = compileFilter(resolveFilter(expr, posts(auth)), {
    dialect: sqliteDialect,
    params,
    table: "posts",
  });
  return { sql, params };
}

test("a join-free filter compiles to a plain expression over the quoted table", () => {
  assert.deepEqual(compile("title = 'x' || views > 2"), {
    sql: `("posts"."title" = ? OR "posts"."views" > ?)`,
    params: ["x", 2],
  });
});

test("PocketBase's empty/null normalizations", () => {
  assert.equal(compile("title = ''").sql, `("posts"."title" = '' OR "posts"."title" IS NULL)`);
  assert.equal(compile("title != ''").sql, `("posts"."title" IS NOT '' AND "posts"."title" IS NOT NULL)`);
  assert.equal(compile("title != 'x'").sql, `"posts"."title" IS NOT ?`);
  assert.equal(compile("title = slug").sql, `COALESCE("posts"."title", '') = COALESCE("posts"."slug", '')`);
  assert.equal(compile("published = true").sql, `"posts"."published" = 1`);
  assert.equal(compile("data.a = 1").sql.includes(" IS ?"), true);
});

test("~ wraps values in %…% (escaping % _ \\) unless they contain a %", () => {
  assert.deepEqual(compile("title ~ 'a_b'").params, ["%a\\_b%"]);
  assert.deepEqual(compile("title ~ 'a\\_b'").params, ["%a\\_b%"]);
  assert.deepEqual(compile("title ~ 'a%'").params, ["a%"]);
  assert.deepEqual(compile("title ~ 'a\\%'").params, ["%a\\%%"]);
  assert.equal(
    compile("title ~ slug").sql,
    `"posts"."title" LIKE ('%' || "posts"."slug" || '%') ESCAPE '\\'`,
  );
});

test("joins become one correlated EXISTS; the caller's query needs no DISTINCT", () => {
  const { sql } = compile("author.name = 'Alice' && tags.name ?= 'red'");
  assert.match(sql, /^EXISTS \(SELECT 1 FROM \(SELECT 1\) "__b1" LEFT JOIN "users" /);
  const rows = db.prepare(`SELECT * FROM "posts" WHERE ${sql}`).all("Alice", "red");
  assert.deepEqual(
    rows.map((r) => r["id"]),
    ["p1"],
  );
});

test("parameters line up with positional placeholders (geoDistance repeats its arguments)", () => {
  const { ids } = runFilter(
    db,
    posts(),
    "geoDistance(location.lon, location.lat, 23.32, 42.69) < 25 && title != ''",
  );
  assert.deepEqual(ids.sort(), ["p1", "p4"]);
});

test("sort compiles to an ORDER BY list; relation paths become scalar subqueries", () => {
  const ctx = posts();
  const params: unknown[] = [];
  const order = compileSort(resolveSort("-views,@rowid,author.name", ctx), {
    dialect: sqliteDialect,
    params,
    table: "posts",
  });
  assert.match(
    order,
    /^"posts"\."views" DESC, "posts"\."_rowid_" ASC, \(SELECT "__f\d+"\."name" FROM \(SELECT 1\)/,
  );
  assert.equal(compileSort([], { dialect: sqliteDialect, params, table: "posts" }), "");
  assert.equal(
    compileSort(resolveSort("@random", ctx), { dialect: sqliteDialect, params, table: "posts" }),
    "RANDOM()",
  );
});

test("sorting runs on SQLite", () => {
  assert.deepEqual(runFilter(db, posts(), "views >= 0", "-views").ids, ["p4", "p5", "p1", "p3", "p2"]);
  assert.deepEqual(runFilter(db, posts(), "id != ''", "author.name,id").ids, ["p3", "p5", "p1", "p4", "p2"]);
  assert.deepEqual(runFilter(db, posts(), "id != ''", "-@rowid").ids, ["p5", "p4", "p3", "p2", "p1"]);
});

test("values never appear in the SQL text", () => {
  const { sql, params } = compile(
    "title = \"x'); DROP TABLE posts; --\" || author.name ~ 'UNION SELECT'",
    "u_alice",
  );
  assert.equal(sql.includes("DROP"), false);
  assert.equal(sql.includes("UNION"), false);
  assert.ok(params.includes("x'); DROP TABLE posts; --"));
});
