import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import type { CollectionModel } from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import { assertErrorShape, fieldCode, rejection, superuserClient } from "./sdk-fixture.ts";

let server: TestServer;
let pb: PocketBase;

/** Creates a small base collection with a `title` text field (id `text_title01`). */
async function makeNotes(name: string): Promise<CollectionModel> {
  return pb.collections.create({
    name,
    type: "base",
    listRule: "",
    viewRule: "",
    fields: [
      { id: "text_title01", name: "title", type: "text" },
      { id: "text_slug0001", name: "slug", type: "text" },
    ],
  });
}

/** The SDK types import() as full models; the server (like PocketBase) accepts partial ones. */
function partial(collections: readonly object[]): CollectionModel[] {
  return collections as unknown as CollectionModel[];
}

before(async () => {
  server = await startTestServer();
  pb = await superuserClient(server);
});

after(() => server?.close());

describe("SDK: collections.update", () => {
  test("adding a field appends it and keeps the existing fields", async () => {
    const c = await makeNotes("notes_add");
    const updated = await pb.collections.update(c.id, {
      fields: [...c.fields, { id: "number_rank01", name: "rank", type: "number", onlyInt: true }],
    });
    assert.deepEqual(
      updated.fields.map((f) => f.name),
      ["id", "title", "slug", "rank"],
    );
    const rank = updated.fields.find((f) => f.name === "rank");
    assert.equal(rank?.id, "number_rank01");
    assert.equal(rank?.["onlyInt"], true);
  });

  test("a record accepts the added field", async () => {
    const c = await makeNotes("notes_add_rec");
    await pb.collections.update(c.id, { fields: [...c.fields, { name: "rank", type: "number" }] });
    const rec = await pb.collection("notes_add_rec").create({ title: "t", rank: 7 });
    assert.equal(rec["rank"], 7);
  });

  test("renaming a field (same id, new name) keeps its data", async () => {
    const c = await makeNotes("notes_rename");
    const rec = await pb.collection("notes_rename").create({ title: "keep me" });
    const fields = c.fields.map((f) => (f.name === "title" ? { ...f, name: "headline" } : f));
    const updated = await pb.collections.update(c.id, { fields });
    const renamed = updated.fields.find((f) => f.id === "text_title01");
    assert.equal(renamed?.name, "headline");
    const again = await pb.collection("notes_rename").getOne(rec.id);
    assert.equal(again["headline"], "keep me");
    assert.equal("title" in again, false);
  });

  test("renaming the collection keeps its id and records", async () => {
    const c = await makeNotes("notes_old_name");
    const rec = await pb.collection("notes_old_name").create({ title: "x" });
    const updated = await pb.collections.update(c.id, { name: "notes_new_name" });
    assert.equal(updated.id, c.id);
    assert.equal(updated.name, "notes_new_name");
    const again = await pb.collection("notes_new_name").getOne(rec.id);
    assert.equal(again.id, rec.id);
  });

  test("adding a unique index returns it and enforces it", async () => {
    const c = await makeNotes("notes_unique");
    const index = "CREATE UNIQUE INDEX idx_notes_unique_slug ON notes_unique (slug)";
    const updated = await pb.collections.update(c.id, { indexes: [index] });
    assert.deepEqual(updated.indexes, [index]);
    await pb.collection("notes_unique").create({ title: "a", slug: "same" });
    const err = await rejection(pb.collection("notes_unique").create({ title: "b", slug: "same" }), 400);
    assertErrorShape(err);
    assert.equal(fieldCode(err, "slug"), "validation_not_unique");
  });

  test("a unique index over existing duplicates is rejected", async () => {
    const c = await makeNotes("notes_dupes");
    await pb.collection("notes_dupes").create({ title: "a", slug: "dup" });
    await pb.collection("notes_dupes").create({ title: "b", slug: "dup" });
    const err = await rejection(
      pb.collections.update(c.id, {
        indexes: ["CREATE UNIQUE INDEX idx_notes_dupes_slug ON notes_dupes (slug)"],
      }),
      400,
    );
    assertErrorShape(err);
  });

  test("updating rules returns the new rules", async () => {
    const c = await makeNotes("notes_rules");
    const updated = await pb.collections.update(c.id, {
      listRule: null,
      createRule: "@request.auth.id != ''",
    });
    assert.equal(updated.listRule, null);
    assert.equal(updated.createRule, "@request.auth.id != ''");
    assert.equal(updated.viewRule, "");
  });

  test("a rule referencing an unknown field is a 400", async () => {
    const c = await makeNotes("notes_badrule");
    const err = await rejection(pb.collections.update(c.id, { listRule: "nope = 1" }), 400);
    assertErrorShape(err);
    assert.ok("listRule" in (err.response["data"] as object), JSON.stringify(err.response));
  });
});

describe("SDK: collections.import", () => {
  test("import([...], false) creates new collections and returns true", async () => {
    const ok = await pb.collections.import(
      partial([
        { name: "imported_a", type: "base", fields: [{ id: "text_label001", name: "label", type: "text" }] },
        { name: "imported_b", type: "base", fields: [{ name: "count", type: "number" }] },
      ]),
      false,
    );
    assert.equal(ok, true);
    const a = await pb.collections.getOne("imported_a");
    assert.equal(a.fields.find((f) => f.name === "label")?.id, "text_label001");
    await pb.collections.getOne("imported_b");
  });

  test("import without deleteMissing keeps collections that are not listed", async () => {
    await makeNotes("notes_survivor");
    await pb.collections.import(partial([{ name: "imported_c", type: "base", fields: [] }]), false);
    const kept = await pb.collections.getOne("notes_survivor");
    assert.equal(kept.name, "notes_survivor");
  });

  test("import updates an existing collection matched by id", async () => {
    const c = await makeNotes("notes_reimport");
    await pb.collections.import(
      partial([{ ...c, fields: [...c.fields, { name: "extra", type: "bool" }] }]),
      false,
    );
    const again = await pb.collections.getOne(c.id);
    assert.deepEqual(
      again.fields.map((f) => f.name),
      ["id", "title", "slug", "extra"],
    );
  });

  test("an invalid import changes nothing and is a 400", async () => {
    const err = await rejection(
      pb.collections.import(
        partial([
          { name: "imported_good", type: "base", fields: [] },
          {
            name: "imported_bad",
            type: "base",
            fields: [{ name: "r", type: "relation", collectionId: "missing_collection" }],
          },
        ]),
        false,
      ),
      400,
    );
    assertErrorShape(err);
    await rejection(pb.collections.getOne("imported_good"), 404);
  });
});

describe("SDK: collections.truncate and delete", () => {
  test("truncate removes every record and returns true", async () => {
    await makeNotes("notes_truncate");
    for (const title of ["a", "b", "c"]) await pb.collection("notes_truncate").create({ title });
    assert.equal(await pb.collections.truncate("notes_truncate"), true);
    const list = await pb.collection("notes_truncate").getList(1, 10);
    assert.equal(list.totalItems, 0);
  });

  test("truncate keeps the collection itself", async () => {
    const c = await makeNotes("notes_truncate_keep");
    await pb.collections.truncate("notes_truncate_keep");
    const again = await pb.collections.getOne("notes_truncate_keep");
    assert.equal(again.id, c.id);
  });

  test("delete returns true and the collection is gone", async () => {
    const c = await makeNotes("notes_delete");
    assert.equal(await pb.collections.delete(c.id), true);
    const err = await rejection(pb.collections.getOne(c.id), 404);
    assertErrorShape(err);
    await rejection(pb.collection("notes_delete").getList(1, 10), 404);
  });

  test("deleting a collection another one relates to is a 400", async () => {
    const target = await makeNotes("notes_target");
    await pb.collections.create({
      name: "notes_referrer",
      type: "base",
      fields: [{ name: "ref", type: "relation", collectionId: target.id, maxSelect: 1 }],
    });
    const err = await rejection(pb.collections.delete(target.id), 400);
    assertErrorShape(err);
    await pb.collections.getOne(target.id);
  });

  test("a system collection cannot be deleted", async () => {
    const err = await rejection(pb.collections.delete("_superusers"), 400);
    assertErrorShape(err);
  });
});
