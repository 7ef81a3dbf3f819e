import assert from "node:assert/strict";
import { test } from "node:test";
import type { Collection } from "./collection.ts";
import { importPlanOrThrow } from "./import-plan.test-helper.ts";
import { planImport } from "./import-plan.ts";
import { normalizeCollection } from "./normalize-collection.ts";
import { NOW } from "./pb-fixtures.test-helper.ts";
import { createSystemCollections } from "./system-collections.ts";

const opts = { now: NOW, randomSecret: () => "s".repeat(50) };
const system = createSystemCollections(opts);
const posts = normalizeCollection(
  {
    name: "posts",
    fields: [
      { type: "text", name: "title" },
      { type: "bool", name: "draft" },
    ],
  },
  null,
  opts,
);
const existing: Collection[] = [...system, posts];

test("creates unknown collections and updates ones matched by id or name", () => {
  const plan = importPlanOrThrow(
    planImport(
      [
        { name: "POSTS", listRule: "" },
        { name: "tags", fields: [{ type: "text", name: "label" }] },
      ],
      existing,
      false,
      opts,
    ),
  );
  assert.deepEqual(plan.deletes, []);
  const [updated, created] = plan.upserts;
  assert.equal(updated?.id, posts.id);
  assert.equal(updated?.name, "POSTS");
  assert.equal(updated?.listRule, "");
  assert.deepEqual(updated?.fields, posts.fields);
  assert.equal(created?.id, "pbc_1219621782");
});

test("keeps fields missing from the import unless deleteMissing (system fields always)", () => {
  const fields = [{ type: "text", name: "title" }];
  const keep = importPlanOrThrow(planImport([{ id: posts.id, fields }], existing, false, opts));
  assert.deepEqual(
    keep.upserts[0]?.fields.map((f) => f.name),
    ["id", "title", "draft"],
  );
  const drop = importPlanOrThrow(planImport([{ id: posts.id, fields }], existing, true, opts));
  assert.deepEqual(
    drop.upserts[0]?.fields.map((f) => f.name),
    ["id", "title"],
  );
});

test("deleteMissing deletes absent non-system collections only", () => {
  const plan = importPlanOrThrow(planImport([{ name: "users" }], existing, true, opts));
  assert.deepEqual(
    plan.deletes.map((c) => c.name),
    ["posts"],
  );
  // with deleteMissing an absent fields list means no custom fields; system ones stay
  // (users' created/updated are not system fields in PocketBase)
  assert.deepEqual(
    plan.upserts[0]?.fields.map((f) => f.name),
    ["id", "password", "tokenKey", "email", "emailVisibility", "verified"],
  );
});

test("orders views after tables so a view may select from a collection imported with it", () => {
  const plan = importPlanOrThrow(
    planImport(
      [
        { type: "view", name: "titles", viewQuery: "select id, title from articles" },
        { name: "articles", fields: [{ type: "text", name: "title" }] },
      ],
      existing,
      false,
      opts,
    ),
  );
  assert.deepEqual(
    plan.upserts.map((c) => c.name),
    ["articles", "titles"],
  );
  assert.deepEqual(
    plan.upserts[1]?.fields.map((f) => [f.name, f.type]),
    [
      ["id", "text"],
      ["title", "text"],
    ],
  );
});

test("reports malformed input as field errors", () => {
  assert.deepEqual(planImport([], existing, false, opts), {
    collections: { code: "validation_required", message: "Cannot be blank." },
  });
  const bad = planImport([{ name: "x", fields: [{ type: "nope", name: "a" }] }], existing, false, opts);
  assert.equal("collections" in bad ? bad.collections.code : "", "validation_collections_import_failure");
});
