import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { postgresForTests } from "../../../../test/support/postgres.ts";
import type { Collection, ViewCollection } from "../../../core/collections/collection.ts";
import { inferViewFields } from "../../../core/collections/index.ts";
import type { Store } from "../../../core/ports.ts";
import { baseCollection, num, text } from "../../../core/records/test-fixtures.ts";
import { createPostgresStore } from "./create-postgres-store.ts";

// PostgreSQL pins a view to the tables it reads: these check that the store drops and creates such
// views again around a table change, inside the change's transaction.

function view(name: string, viewQuery: string, all: readonly Collection[]): ViewCollection {
  const inferred = inferViewFields(viewQuery, all);
  if (!("fields" in inferred)) throw new Error(inferred.error);
  const { fields: _fields, type: _type, ...common } = baseCollection([], name);
  return { ...common, type: "view", viewQuery, fields: inferred.fields };
}

const base = await postgresForTests("PostgreSQL view tests");

describe("PostgreSQL views over changing tables", { skip: base === undefined }, () => {
  const schemaName = `plinth_t_${randomBytes(6).toString("hex")}`;
  let store: Store;
  const items = baseCollection([text("label"), num("n")], "items");
  const wide = view("wide", "SELECT id, label, n FROM items WHERE n > 1", [items]);
  const labels = view("labels", "SELECT id, label FROM wide", [items, wide]);
  const all = [items, wide, labels];

  async function labelsRows(): Promise<string[]> {
    const rows = await store.findRecords({ collection: labels, where: [], sort: [] });
    return rows.map((r) => String(r["label"])).sort();
  }

  before(async () => {
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schemaName}"`);
    await admin.end();
    const url = new URL(base ?? "");
    url.searchParams.set("options", `-c search_path=${schemaName}`);
    store = createPostgresStore({ url: url.toString(), poolSize: 2 });
    await store.init();
    await store.transaction(async (tx) => {
      for (const c of all) {
        await tx.syncRecordTable(null, c, all);
        await tx.saveCollection(c);
      }
      await tx.insertRecord(items, { id: "a00000000000001", label: "one", n: 5 });
      await tx.insertRecord(items, { id: "a00000000000002", label: "two", n: 0 });
    });
  });

  after(async () => {
    await store?.close();
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
    await admin.end();
  });

  it("creates the views reading a rebuilt table (and views over them) again in the same transaction", async () => {
    const next = { ...items, fields: [...items.fields, text("extra")] };
    await store.transaction(async (tx) => {
      await tx.syncRecordTable(items, next, [next, wide, labels]);
      await tx.saveCollection(next);
    });
    assert.deepEqual(await labelsRows(), ["one"]);
    await store.transaction(async (tx) => {
      await tx.syncRecordTable(next, items, all);
      await tx.saveCollection(items);
    });
    assert.deepEqual(await labelsRows(), ["one"]);
  });

  it("rolls back a change after which a view can't be created again, naming the view", async () => {
    const next = { ...items, fields: items.fields.filter((f) => f.name !== "label") };
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.syncRecordTable(items, next, [next, wide, labels]);
        await tx.saveCollection(next);
      }),
      /view collection "wide"/,
    );
    assert.deepEqual(await labelsRows(), ["one"]);
    const rows = await store.findRecords({ collection: items, where: [], sort: [] });
    assert.deepEqual(rows.map((r) => r["label"]).sort(), ["one", "two"]);
  });

  it("waits for a later change of the transaction that makes a dropped view work again", async () => {
    const renamed = { ...items, name: "items2" };
    const wide2 = { ...wide, viewQuery: "SELECT id, label, n FROM items2 WHERE n > 1" };
    await store.transaction(async (tx) => {
      // the view's own new query comes after the table change, as in an import
      const later = [renamed, wide2, labels];
      await tx.syncRecordTable(items, renamed, later);
      await tx.saveCollection(renamed);
      await tx.syncRecordTable(wide, wide2, later);
      await tx.saveCollection(wide2);
    });
    assert.deepEqual(await labelsRows(), ["one"]);
  });

  it("gives view columns the types table columns of the same fields have", async () => {
    const current = [{ ...items, name: "items2" }];
    const computed = view(
      "computed",
      "SELECT (ROW_NUMBER() OVER (ORDER BY id)) AS id, (n * 2) AS doubled, (label) AS raw FROM items2;",
      current,
    );
    await store.transaction(async (tx) => {
      await tx.syncRecordTable(null, computed, [...current, computed]);
    });
    const rows = await store.findRecords({ collection: computed, ids: ["1"], where: [], sort: [] });
    assert.deepEqual(rows, [{ id: "1", doubled: 10, raw: "one" }]);
  });
});
