import assert from "node:assert/strict";
import { test } from "node:test";
import type { Collection } from "./core/collections/collection.ts";
import { creationOrder } from "./copy-deployment.ts";

function collection(name: string, viewQuery?: string): Collection {
  return {
    name,
    id: `pbc_${name}`,
    type: viewQuery === undefined ? "base" : "view",
    viewQuery,
  } as unknown as Collection;
}

const names = (cs: readonly Collection[]) => cs.map((c) => c.name);

test("tables come first in source order, then views", () => {
  const order = creationOrder([
    collection("v", "SELECT id FROM posts"),
    collection("posts"),
    collection("tags"),
  ]);
  assert.deepEqual(names(order), ["posts", "tags", "v"]);
});

test("a view comes after every view its query names, even when the source lists it first", () => {
  const order = creationOrder([
    collection("top", "SELECT id FROM middle JOIN other_view ON other_view.id = middle.id"),
    collection("middle", "SELECT id FROM bottom"),
    collection("bottom", "SELECT id FROM posts"),
    collection("other_view", "SELECT id FROM (SELECT id FROM bottom) AS b"),
    collection("posts"),
  ]);
  assert.deepEqual(names(order), ["posts", "bottom", "middle", "other_view", "top"]);
});

test("a name inside a longer identifier is no dependency", () => {
  const order = creationOrder([
    collection("a", "SELECT id, b_count FROM posts"),
    collection("b", "SELECT id FROM a"),
    collection("posts"),
  ]);
  assert.deepEqual(names(order), ["posts", "a", "b"]);
});

test("views naming each other (no working source has that) keep source order", () => {
  const order = creationOrder([collection("x", "SELECT id FROM y"), collection("y", "SELECT id FROM x")]);
  assert.deepEqual(names(order), ["x", "y"]);
});
