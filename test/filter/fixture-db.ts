// Builds the filter fixture (test/data/filter-expressions.json) in an in-memory SQLite database with
// PocketBase's storage layout, and resolves + compiles expressions against it.
import { readFileSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import type { Collection } from "../../src/core/collections/collection.ts";
import type { Field } from "../../src/core/collections/field.ts";
import type { ResolveContext, SchemaLookup } from "../../src/core/filter/index.ts";
import { resolveFilter, resolveSort } from "../../src/core/filter/index.ts";
import type { RequestInfo } from "../../src/core/request-info.ts";
import { guestRequest } from "../../src/core/request-info.ts";
import { compileFilter, compileSort } from "../../src/adapters/store/sql/compile-filter.ts";
import { sqliteDialect } from "../../src/adapters/store/sqlite/sqlite-dialect.ts";

/** One expression case of the data file. */
export interface ExpressionCase {
  readonly collection: string;
  readonly expr: string;
  readonly auth: string | null;
  readonly body?: Record<string, unknown>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly allowHiddenFields?: boolean;
  readonly expected?: string[];
  readonly error?: string;
  readonly note: string;
}

interface FixtureFile {
  readonly collections: Record<string, unknown>[];
  readonly records: Record<string, Record<string, unknown>[]>;
  readonly expressions: ExpressionCase[];
}

/** The parsed data file. */
export const fixture: FixtureFile = JSON.parse(
  readFileSync(new URL("../data/filter-expressions.json", import.meta.url), "utf8"),
) as FixtureFile;

function normalizeField(raw: Record<string, unknown>): Field {
  return {
    id: `f_${String(raw["name"])}`,
    system: false,
    hidden: false,
    presentable: false,
    required: false,
    maxSelect: 1,
    ...raw,
  } as unknown as Field;
}

/** The fixture collections with PocketBase's defaults filled in. */
export const collections: Collection[] = fixture.collections.map(
  (c) =>
    ({
      system: false,
      viewRule: "",
      createRule: null,
      updateRule: null,
      deleteRule: null,
      created: "",
      updated: "",
      ...c,
      fields: (c["fields"] as Record<string, unknown>[]).map(normalizeField),
    }) as unknown as Collection,
);

/** A schema lookup over the fixture collections. */
export const schema: SchemaLookup = {
  byNameOrId: (n) => collections.find((c) => c.name === n || c.id === n),
  all: () => collections,
};

function isMulti(f: Field): boolean {
  return (f.type === "select" || f.type === "relation" || f.type === "file") && f.maxSelect > 1;
}

function columnType(f: Field): string {
  if (f.name === "id") return "TEXT PRIMARY KEY NOT NULL";
  if (isMulti(f)) return "JSON NOT NULL DEFAULT '[]'";
  switch (f.type) {
    case "number":
      return "NUMERIC NOT NULL DEFAULT 0";
    case "bool":
      return "BOOLEAN NOT NULL DEFAULT FALSE";
    case "json":
      return "JSON DEFAULT NULL";
    case "geoPoint":
      return `JSON NOT NULL DEFAULT '{"lon":0,"lat":0}'`;
    default:
      return "TEXT NOT NULL DEFAULT ''";
  }
}

function encode(f: Field, v: unknown): string | number | null {
  if (f.type === "bool") return v ? 1 : 0;
  if (f.type === "json") return v === null || v === undefined ? null : JSON.stringify(v);
  if (f.type === "geoPoint" || isMulti(f)) return JSON.stringify(v);
  if (typeof v === "number") return v;
  return v === null || v === undefined ? "" : String(v);
}

/** A fresh in-memory database with the fixture tables and records. */
export function createFixtureDb(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  for (const c of collections) {
    const cols = c.fields.map((f) => `"${f.name}" ${columnType(f)}`).join(", ");
    db.exec(`CREATE TABLE "${c.name}" (${cols})`);
    for (const r of fixture.records[c.name] ?? []) {
      const fields = c.fields.filter((f) => f.name in r);
      const sql = `INSERT INTO "${c.name}" (${fields.map((f) => `"${f.name}"`).join(", ")}) VALUES (${fields.map(() => "?").join(", ")})`;
      db.prepare(sql).run(...fields.map((f) => encode(f, r[f.name])));
    }
  }
  return db;
}

/** The request a case describes (auth record taken from the fixture users). */
export function requestFor(
  auth: string | null,
  extra: Pick<ExpressionCase, "body" | "query" | "headers"> = {},
): RequestInfo {
  const users = collections.find((c) => c.name === "users")!;
  const record = auth ? fixture.records["users"]?.find((u) => u["id"] === auth) : undefined;
  return guestRequest({
    auth: record ? { collectionId: users.id, collectionName: users.name, record } : null,
    body: extra.body ?? {},
    query: extra.query ?? {},
    headers: extra.headers ?? {},
  });
}

/** A resolve context for a fixture collection. */
export function contextFor(
  collection: string,
  request: RequestInfo,
  allowHiddenFields = false,
  now = new Date(),
): ResolveContext {
  const c = schema.byNameOrId(collection);
  if (!c) throw new Error(`no fixture collection ${collection}`);
  return { collection: c, schema, request, now, allowHiddenFields };
}

/** Resolves, compiles and runs a filter (and optional sort); returns the ids and the SQL. */
export function runFilter(
  db: DatabaseSync,
  ctx: ResolveContext,
  expr: string,
  sort = "",
): { ids: string[]; sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const table = ctx.collection.name;
  const where = compileFilter(resolveFilter(expr, ctx), { dialect: sqliteDialect, params, table });
  const order = compileSort(resolveSort(sort, ctx), { dialect: sqliteDialect, params, table });
  const sql = `SELECT * FROM "${table}" WHERE ${where}${order ? ` ORDER BY ${order}` : ""}`;
  const rows = db.prepare(sql).all(...(params as (string | number | null)[]));
  return { ids: rows.map((r) => String(r["id"])), sql, params };
}
