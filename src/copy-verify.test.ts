import assert from "node:assert/strict";
import { test } from "node:test";
import type { Collection } from "./core/collections/collection.ts";
import { canonicalJson, checkPassed, createRowDigest } from "./copy-verify.ts";

const posts = {
  id: "pbc_posts",
  name: "posts",
  type: "base",
  system: false,
  fields: [
    { id: "f1", name: "id", type: "text" },
    { id: "f2", name: "title", type: "text" },
    { id: "f3", name: "views", type: "number" },
    { id: "f4", name: "data", type: "json" },
  ],
  indexes: [],
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
  created: "",
  updated: "",
} as unknown as Collection;

function digestOf(rows: Record<string, unknown>[]): string {
  const d = createRowDigest(posts);
  for (const r of rows) d.add(r);
  return d.hex();
}

test("canonical JSON sorts object keys at every depth and keeps array order", () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: null } }), '{"a":{"c":null,"d":[2,1]},"b":1}');
});

test("canonical JSON writes -0 as 0 and a bigint like the number it is", () => {
  assert.equal(canonicalJson(-0), "0");
  assert.equal(canonicalJson(12n), canonicalJson(12));
});

test("canonical JSON keeps apart values of different meaning", () => {
  assert.notEqual(canonicalJson(""), canonicalJson(null));
  assert.notEqual(canonicalJson("1"), canonicalJson(1));
  assert.notEqual(canonicalJson(true), canonicalJson(1));
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
});

test("a json value whose keys a database reordered has the same checksum", () => {
  const a = digestOf([{ id: "a1", title: "x", views: 1, data: { lon: 1, lat: 2 } }]);
  const b = digestOf([{ id: "a1", title: "x", views: 1, data: { lat: 2, lon: 1 } }]);
  assert.equal(a, b);
});

test("columns outside the collection's fields don't count; a changed value does", () => {
  const row = { id: "a1", title: "x", views: 1, data: null };
  assert.equal(digestOf([row]), digestOf([{ ...row, rowid: 7 }]));
  assert.notEqual(digestOf([row]), digestOf([{ ...row, views: 2 }]));
  assert.notEqual(digestOf([row]), digestOf([{ ...row, title: "x " }]));
});

test("a check passes only when both counts and both checksums are equal", () => {
  const base = { name: "posts", rows: 1, checksum: "a", targetRows: 1, targetChecksum: "a" };
  assert.equal(checkPassed(base), true);
  assert.equal(checkPassed({ ...base, targetRows: 2 }), false);
  assert.equal(checkPassed({ ...base, targetChecksum: "b" }), false);
});
