// StoreSession.matchRecord on real stores (SQLite, and PostgreSQL when reachable): a condition the
// database refuses at run time matches nothing and costs the others nothing, also inside a
// transaction (PostgreSQL aborts a transaction at its first error: the check runs in a savepoint).
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { postgresForTests } from "../../../../test/support/postgres.ts";
import type { Collection } from "../../../core/collections/collection.ts";
import { type ResolvedFilter, resolveFilter } from "../../../core/filter/index.ts";
import type { Store } from "../../../core/ports.ts";
import { guestRequest } from "../../../core/request-info.ts";
import { baseCollection, num, text } from "../../../core/records/test-fixtures.ts";
import { createPostgresStore } from "../postgres/create-postgres-store.ts";
import { createSqliteStore } from "../sqlite/index.ts";

const items = baseCollection([text("label"), num("n")], "items");
/** The same collection with a field its table does not have: its conditions fail when they run. */
const ghostly: Collection = { ...items, fields: [...items.fields, num("ghost")] };
const ID = "a00000000000001";

function conditions(c: Collection, expr: string): ResolvedFilter[] {
  const schema = {
    byNameOrId: (name: string) => (name === c.name || name === c.id ? c : undefined),
    all: () => [c],
  };
  return [
    resolveFilter(expr, {
      collection: c,
      schema,
      request: guestRequest(),
      now: new Date(),
      allowHiddenFields: true,
    }),
  ];
}

async function seed(store: Store): Promise<void> {
  await store.init();
  await store.transaction(async (tx) => {
    await tx.syncRecordTable(null, items, [items]);
    await tx.saveCollection(items);
    await tx.insertRecord(items, { id: ID, label: "one", n: 5 });
  });
}

function suite(name: string, open: () => Promise<Store | undefined>, close: () => Promise<void>) {
  describe(`matchRecord on ${name}`, () => {
    let store: Store | undefined;
    before(async () => {
      store = await open();
    });
    after(close);

    test("a condition that fails at run time matches nothing; the others are answered", async (t) => {
      if (store === undefined) return t.skip("no database");
      const lists = [
        conditions(items, "n > 1"),
        conditions(ghostly, "ghost = 1"),
        conditions(items, "n > 10"),
        conditions(items, "label = 'one'"),
      ];
      for (let round = 0; round < 2; round++) {
        // the second round finds the refused shape remembered
        const result: Awaited<ReturnType<Store["matchRecord"]>> = await store.matchRecord(items, ID, lists);
        assert.ok(result !== null);
        assert.equal(result.row["label"], "one");
        assert.deepEqual(result.matches, [true, false, false, true]);
      }
    });

    test("inside a transaction, a failing condition leaves the transaction usable", async (t) => {
      if (store === undefined) return t.skip("no database");
      const lists = [conditions(ghostly, "ghost > 2"), conditions(items, "n = 5")];
      await store.transaction(async (tx) => {
        const result = await tx.matchRecord(items, ID, lists);
        assert.deepEqual(result?.matches, [false, true]);
        await tx.insertRecord(items, { id: "a00000000000002", label: "two", n: 1 });
      });
      const two = await store.matchRecord(items, "a00000000000002", [conditions(items, "n = 1")]);
      assert.deepEqual(two?.matches, [true]);
    });

    test("a record that is not there is null", async (t) => {
      if (store === undefined) return t.skip("no database");
      assert.equal(await store.matchRecord(items, "nope", [conditions(ghostly, "ghost = 1")]), null);
    });
  });
}

let sqlite: Store | undefined;
suite(
  "SQLite",
  async () => {
    sqlite = createSqliteStore({ path: ":memory:", synchronous: "NORMAL" });
    await seed(sqlite);
    return sqlite;
  },
  async () => sqlite?.close(),
);

const base = await postgresForTests("matchRecord on PostgreSQL");
const schemaName = `plinth_m_${randomBytes(6).toString("hex")}`;
let postgres: Store | undefined;
suite(
  "PostgreSQL",
  async () => {
    if (base === undefined) return undefined;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`CREATE SCHEMA "${schemaName}"`);
    await admin.end();
    const url = new URL(base);
    url.searchParams.set("options", `-c search_path=${schemaName}`);
    postgres = createPostgresStore({ url: url.toString(), poolSize: 2 });
    await seed(postgres);
    return postgres;
  },
  async () => {
    await postgres?.close();
    if (base === undefined) return;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
    await admin.end();
  },
);
