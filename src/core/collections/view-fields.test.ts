import assert from "node:assert/strict";
import { test } from "node:test";
import type { Collection } from "./collection.ts";
import { crc32Checksum } from "./crc32.ts";
import type { Field } from "./field.ts";
import { normalizeCollection } from "./normalize-collection.ts";
import { NOW } from "./pb-fixtures.test-helper.ts";
import { createSystemCollections } from "./system-collections.ts";
import { inferViewFields } from "./view-fields.ts";

const opts = { now: NOW, randomSecret: () => "s".repeat(50) };
const system = createSystemCollections(opts);
const demo = normalizeCollection(
  {
    name: "demo1",
    fields: [
      { type: "text", name: "text" },
      { type: "bool", name: "bool" },
      { type: "url", name: "url" },
      { type: "number", name: "number", min: 1 },
      { type: "file", name: "file_many", maxSelect: 5 },
      { type: "autodate", name: "created", onCreate: true },
    ],
  },
  null,
  opts,
);
const all: Collection[] = [...system, demo];

function types(query: string): [string, string][] {
  const r = inferViewFields(query, all);
  if ("error" in r) throw new Error(r.error);
  return r.fields.map((f) => [f.name, f.type]);
}
function error(query: string): string {
  const r = inferViewFields(query, all);
  assert.ok("error" in r, `expected an error for ${query}`);
  return r.error;
}

test("maps source columns to their field definitions under the output name", () => {
  const r = inferViewFields("select id, demo1.number as n, [text], `bool` from demo1", all);
  assert.ok("fields" in r);
  const n = r.fields[1] as Extract<Field, { type: "number" }>;
  assert.equal(n.name, "n");
  assert.equal(n.min, 1);
  assert.match(n.id, /^_clone_/);
  assert.deepEqual(
    r.fields.map((f) => [f.name, f.type]),
    [
      ["id", "text"],
      ["n", "number"],
      ["text", "text"],
      ["bool", "bool"],
    ],
  );
  assert.deepEqual(r.fields[0], {
    autogeneratePattern: "",
    help: "",
    hidden: false,
    id: "text3208210256",
    max: 0,
    min: 0,
    name: "id",
    pattern: "^[a-z0-9]+$",
    presentable: false,
    primaryKey: true,
    required: true,
    system: true,
    type: "text",
  });
});

test("turns other collections' ids into single relations and handles joins, aliases and comments", () => {
  const q = `
    select
      -- comment
      a.id, b.id as bid, /* block */ b.email, a.created
    from demo1 a
    left join users b on b.id = a.text
    where 1 = 1 group by a.id limit 10`;
  assert.deepEqual(types(q), [
    ["id", "text"],
    ["bid", "relation"],
    ["email", "email"],
    ["created", "autodate"],
  ]);
  const r = inferViewFields("select a.id, b.id as bid from demo1 a join users b", all);
  assert.ok("fields" in r);
  assert.deepEqual(
    { ...r.fields[1] },
    {
      cascadeDelete: false,
      collectionId: "_pb_users_auth_",
      help: "",
      hidden: false,
      id: `relation${crc32Checksum("bid")}`,
      maxSelect: 1,
      minSelect: 0,
      name: "bid",
      presentable: false,
      required: false,
      system: false,
      type: "relation",
    },
  );
});

test("infers numbers, bools, text and JSON from aggregates, casts and expressions", () => {
  assert.deepEqual(
    types(`select a.id, count(a.id) c, total(a.id) t, cast(a.id as int) ci, cast(a.id as real) cr,
      cast(a.id as text) ct, cast(a.id as bool) cb, sum(a.id) s, 'x' as 'lit' from demo1 a`),
    [
      ["id", "text"],
      ["c", "number"],
      ["t", "number"],
      ["ci", "number"],
      ["cr", "number"],
      ["ct", "text"],
      ["cb", "bool"],
      ["s", "json"],
      ["lit", "json"],
    ],
  );
  const r = inferViewFields("select id, count(*) as c from demo1", all);
  assert.ok("fields" in r);
  assert.equal((r.fields[1] as Extract<Field, { type: "number" }>).onlyInt, true);
});

test("refuses wildcards, a missing id, unknown tables and columns", () => {
  assert.match(error("select * from demo1"), /wildcard/);
  assert.match(error("select a.id, a.* from demo1 a"), /wildcard/);
  assert.match(error("select text from demo1"), /missing required id column/);
  assert.equal(error("select id from missing"), "no such table: missing");
  assert.equal(error("select id, nope from demo1"), "no such column: nope");
  assert.equal(error("select a.id, a.nope from demo1 a"), "no such column: a.nope");
});

test("refuses more than one statement and anything that writes", () => {
  assert.equal(error("select id from demo1; select id from users"), "multiple statements are not supported");
  assert.equal(error("delete from demo1"), "only SELECT queries are supported");
  assert.match(error("with x as (select 1) delete from demo1"), /DELETE is not allowed/);
  assert.match(error("select id from demo1 where 1; drop table demo1"), /multiple statements/);
  assert.equal(error(""), "the query must not be empty");
  // keywords inside strings and as qualified names are fine
  assert.deepEqual(types("select id, 'delete' as word from demo1;"), [
    ["id", "text"],
    ["word", "json"],
  ]);
});
