import assert from "node:assert/strict";
import { test } from "node:test";
import { buildIndex, findSingleColumnUniqueIndex, isValidIndex, parseIndex } from "./index-definition.ts";

test("returns null for text that is not a CREATE INDEX statement", () => {
  assert.equal(parseIndex("invalid"), null);
});

test("parses a simple index with or without a space before the columns", () => {
  for (const sql of [
    "create index indexname on tablename   (col1)",
    "create index indexname on tablename(col1)",
  ]) {
    assert.deepEqual(parseIndex(sql), {
      unique: false,
      optional: false,
      schema: "",
      name: "indexname",
      table: "tablename",
      columns: [{ name: "col1", collate: "", sort: "" }],
      where: "",
    });
  }
});

test("parses every part: unique, IF NOT EXISTS, schema, quoting, expressions, collate, sort, where", () => {
  const sql = `CREATE UNIQUE INDEX IF NOT EXISTS "schemaname".[indexname] on 'tablename' (
    col0,
    \`col1\`,
    json_extract("col2", "$.a") asc,
    "col3" collate NOCASE,
    "col4" collate RTRIM desc
  ) where test = 1`;
  assert.deepEqual(parseIndex(sql), {
    unique: true,
    optional: true,
    schema: "schemaname",
    name: "indexname",
    table: "tablename",
    columns: [
      { name: "col0", collate: "", sort: "" },
      { name: "col1", collate: "", sort: "" },
      { name: 'json_extract("col2", "$.a")', collate: "", sort: "ASC" },
      { name: "col3", collate: "NOCASE", sort: "" },
      { name: "col4", collate: "RTRIM", sort: "DESC" },
    ],
    where: "test = 1",
  });
});

test("builds single- and multi-column statements like PocketBase", () => {
  const one = parseIndex("CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''");
  assert.ok(one);
  assert.equal(buildIndex(one), "CREATE UNIQUE INDEX `idx_email_x` ON `users` (`email`) WHERE `email` != ''");
  const many = parseIndex("create index `idx` on posts (title collate nocase, lower(slug) desc)");
  assert.ok(many);
  assert.equal(
    buildIndex(many),
    "CREATE INDEX `idx` ON `posts` (\n  `title` COLLATE nocase,\n  lower(slug) DESC\n)",
  );
  assert.equal(
    buildIndex({ ...many, optional: true, schema: "main", columns: [{ name: "a", collate: "", sort: "" }] }),
    "CREATE INDEX IF NOT EXISTS `main`.`idx` ON `posts` (`a`)",
  );
});

test("builds nothing for an invalid index", () => {
  const base = { unique: false, optional: false, schema: "", name: "i", table: "t", where: "" };
  assert.equal(buildIndex({ ...base, columns: [] }), "");
  assert.equal(buildIndex({ ...base, name: "", columns: [{ name: "c", collate: "", sort: "" }] }), "");
  assert.equal(isValidIndex(parseIndex("CREATE INDEX ON t (a)")), false);
});

test("finds a single-column unique index case-insensitively", () => {
  const indexes = [
    "CREATE UNIQUE INDEX a ON t (x, y)",
    "CREATE INDEX b ON t (email)",
    "CREATE UNIQUE INDEX c ON t (`Email`) WHERE email != ''",
  ];
  assert.equal(findSingleColumnUniqueIndex(indexes, "email")?.name, "c");
  assert.equal(findSingleColumnUniqueIndex(indexes, "x"), undefined);
});
