import assert from "node:assert/strict";
import { test } from "node:test";
import { applyModifiers, resolveKey } from "./modifiers.ts";
import * as f from "./test-fixtures.ts";

const c = f.baseCollection([
  f.text("title"),
  f.text("slug", { autogeneratePattern: "[a-z]{3}" }),
  f.num("total"),
  f.select("tags", { maxSelect: 5, values: ["a", "b", "c", "d"] }),
  f.select("status"),
  f.relation("authors", { maxSelect: 5 }),
  f.file("docs", { maxSelect: 5 }),
  f.autodate("created"),
]);

test("number field+ adds and field- subtracts, parsing form strings", () => {
  const current = { total: 10 };
  assert.deepEqual(applyModifiers(c, { "total+": 5 }, current), { total: 15 });
  assert.deepEqual(applyModifiers(c, { "total-": "2.5" }, current), { total: 7.5 });
  assert.deepEqual(applyModifiers(c, { "total+": "abc" }, current), { total: 10 });
});

test("a plain key applies before its modifiers", () => {
  assert.deepEqual(applyModifiers(c, { "total-": 5, total: 1, "total+": 2 }, { total: 100 }), { total: -2 });
});

test("multi-value +field prepends, field+ appends, field- removes", () => {
  const current = { tags: ["b", "c"], authors: ["r1"], docs: ["x.png", "y.png"] };
  assert.deepEqual(applyModifiers(c, { "+tags": "a" }, current), { tags: ["a", "b", "c"] });
  assert.deepEqual(applyModifiers(c, { "tags+": ["d", "b"] }, current), { tags: ["b", "c", "d"] });
  assert.deepEqual(applyModifiers(c, { "tags-": "b" }, current), { tags: ["c"] });
  assert.deepEqual(applyModifiers(c, { "authors+": '["r2","r3"]' }, current), {
    authors: ["r1", "r2", "r3"],
  });
  assert.deepEqual(applyModifiers(c, { "docs-": ["x.png"] }, current), { docs: ["y.png"] });
});

test("single select modifiers keep the last item, as PocketBase does", () => {
  assert.deepEqual(applyModifiers(c, { "status+": "b" }, { status: "a" }), { status: "b" });
  assert.deepEqual(applyModifiers(c, { "+status": "b" }, { status: "a" }), { status: "a" });
  assert.deepEqual(applyModifiers(c, { "status-": "a" }, { status: "a" }), { status: "" });
});

test("modifiers on a new record start from zero values", () => {
  assert.deepEqual(applyModifiers(c, { "total+": 3, "tags+": "a" }, {}), { total: 3, tags: ["a"] });
});

test("unknown keys and unsupported modifiers are left out", () => {
  assert.deepEqual(
    applyModifiers(c, { nope: 1, "title+": "x", "+total": 1, expand: "a", collectionId: "x" }, {}),
    {},
  );
});

test("autodate keys keep the current value", () => {
  assert.deepEqual(applyModifiers(c, { created: "2020-01-01" }, { created: "2024-01-01 00:00:00.000Z" }), {
    created: "2024-01-01 00:00:00.000Z",
  });
});

test("field:autogenerate appends a generated value", () => {
  const random = (alphabet: string) => alphabet[0] ?? "";
  assert.deepEqual(applyModifiers(c, { "slug:autogenerate": "post-" }, {}, { randomChar: random }), {
    slug: "post-aaa",
  });
  assert.deepEqual(applyModifiers(c, { "slug:autogenerate": "post-" }, {}), { slug: "post-" });
});

test("resolveKey names the field and the action", () => {
  assert.equal(resolveKey(c, "+authors")?.kind, "prepend");
  assert.equal(resolveKey(c, "authors")?.kind, "set");
  assert.equal(resolveKey(c, "total-")?.field.name, "total");
  assert.equal(resolveKey(c, "title-"), null);
});
