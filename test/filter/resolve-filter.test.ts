import assert from "node:assert/strict";
import { test } from "node:test";
import { contextFor, requestFor } from "./fixture-db.ts";
import { isPlinthError } from "../../src/core/errors.ts";
import { mergeFilters, resolveFilter, resolveSort } from "../../src/core/filter/index.ts";

const posts = (auth: string | null = null, allowHidden = false, extra = {}) =>
  contextFor("posts", requestFor(auth, extra), allowHidden, new Date(Date.UTC(2024, 1, 29, 13, 14, 15, 678)));

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(
    fn,
    (err: unknown) => isPlinthError(err) && err.code === "invalid_input" && pattern.test(err.message),
  );
}

test("a plain comparison binds the value and needs no joins", () => {
  const f = resolveFilter("title = 'x'", posts());
  assert.deepEqual(f.joins, []);
  assert.deepEqual(f.where, {
    kind: "compare",
    op: "=",
    left: { kind: "column", source: null, column: "title", fieldType: "text" },
    right: { kind: "param", value: "x" },
  });
});

test("unknown identifiers are rejected naming the identifier and its position", () => {
  rejects(() => resolveFilter("title = 1 && nope = 2", posts()), /unknown field "nope" at position 13/);
  rejects(() => resolveFilter("author.nope = 1", posts()), /unknown field "nope"/);
  rejects(() => resolveFilter("@request.nope = 1", posts()), /"@request.nope"/);
  rejects(() => resolveFilter("@collection.nope.x = 1", posts()), /unknown collection "nope"/);
  rejects(() => resolveFilter("title:bogus = 1", posts()), /unknown modifier/);
  rejects(() => resolveFilter("frob(title) = 1", posts()), /unknown function "frob"/);
  rejects(() => resolveFilter("geoDistance(1, 2, 3) = 1", posts()), /geoDistance expects 4 arguments/);
});

test("hidden fields only resolve when allowed", () => {
  const users = (allow: boolean) => contextFor("users", requestFor(null), allow);
  rejects(() => resolveFilter("tokenKey = 'x'", users(false)), /non-filterable field "tokenKey"/);
  assert.ok(resolveFilter("tokenKey = 'x'", users(true)));
});

test("null, true and false are literals in any case", () => {
  const f = resolveFilter("title = NULL && published = True", posts());
  assert.equal(JSON.stringify(f).includes('"param"'), false);
});

test("datetime macros use the context clock in UTC", () => {
  const f = resolveFilter("created > @todayStart && created < @monthEnd && @weekday = 4", posts());
  const params = JSON.stringify(f).match(/"value":("[^"]*"|\d+)/g);
  assert.deepEqual(params, [
    '"value":"2024-02-29 00:00:00.000Z"',
    '"value":"2024-02-29 23:59:59.999Z"',
    '"value":4',
    '"value":4',
  ]);
});

test("guest @request.auth.* is NULL; authenticated plain fields are bound values", () => {
  const guest = resolveFilter("@request.auth.id = ''", posts());
  assert.deepEqual(guest.where, { kind: "const", value: true });
  const alice = resolveFilter("@request.auth.id = ''", posts("u_alice"));
  assert.deepEqual(alice.where, {
    kind: "compare",
    op: "=",
    left: { kind: "param", value: "u_alice" },
    right: { kind: "emptyText" },
  });
});

test("body number fields cast numeric strings; unknown fields do not", () => {
  const f = resolveFilter(
    "@request.body.views = 1 && @request.body.other = 1",
    posts(null, false, { body: { views: "12", other: "12" } }),
  );
  const s = JSON.stringify(f);
  assert.ok(s.includes('"value":12'));
  assert.ok(s.includes('"value":"12"'));
});

test("joined collections with a null list rule can't be used by clients", () => {
  rejects(() => resolveFilter("@collection.notes.text = 'x'", posts()), /superusers/);
  assert.ok(resolveFilter("@collection.notes.text = 'x'", posts(null, true)));
});

test("a joined collection's list rule is added for clients", () => {
  const f = resolveFilter("category.name = 'x'", posts());
  assert.equal(f.where.kind, "and");
  const rule = resolveFilter("category.name = 'x'", posts(null, true));
  assert.equal(rule.where.kind, "compare");
});

test("more than 6 nested relations are rejected", () => {
  rejects(
    () =>
      resolveFilter(
        "post.author.posts_via_author.author.posts_via_author.author.posts_via_author.id = 1",
        contextFor("comments", requestFor(null), true),
      ),
    /nested relations/,
  );
});

test("mergeFilters shares joins by key", () => {
  const a = resolveFilter("author.name = 'a'", posts());
  const b = resolveFilter("author.name != 'b'", posts());
  const m = mergeFilters(a, b);
  assert.equal(m.joins.length, 1);
  assert.equal(m.where.kind, "and");
});

test("sort: directions, specials and relation paths", () => {
  const s = resolveSort("-created, +title, views, @random, -@rowid, author.name", posts());
  assert.deepEqual(
    s.map((x) => (x.kind === "random" ? "random" : `${x.kind}:${x.direction}`)),
    ["value:desc", "value:asc", "value:asc", "random", "rowid:desc", "value:asc"],
  );
  const last = s[5]!;
  assert.equal(last.kind === "value" && last.joins.length, 1);
  assert.deepEqual(resolveSort("", posts()), []);
});

test("sort rejects unknown fields, bound values and too many items", () => {
  rejects(() => resolveSort("nope", posts()), /invalid sort field "nope"/);
  rejects(() => resolveSort("@request.auth.id", posts("u_alice")), /invalid sort field/);
  rejects(() => resolveSort("@now", posts()), /invalid sort field/);
  rejects(() => resolveSort("a,b,c,d,e,f,g,h,i", posts()), /more than 8/);
  rejects(() => resolveSort("title,,views", posts()), /invalid sort field ""/);
});
