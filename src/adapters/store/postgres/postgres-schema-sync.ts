import type { Collection, ViewCollection } from "../../../core/collections/collection.ts";
import type { Field } from "../../../core/collections/field.ts";
import { isMultiValue } from "../../../core/collections/field.ts";
import { indexStatement } from "../sql/index-statement.ts";
import { indexNames, keptFields, sameColumns } from "../sql/schema-diff.ts";
import { postgresDialect, quotePostgresIdent as q } from "./postgres-dialect.ts";

function columns(collection: Collection): string {
  return collection.fields.map((f) => `${q(f.name)} ${postgresDialect.columnDefinition(f)}`).join(", ");
}

/**
 * Index definitions are PocketBase's (SQLite) syntax. Backtick-quoted identifiers (in a partial index's
 * WHERE) become double-quoted; `COLLATE NOCASE` has no PostgreSQL collation, so such a column is
 * indexed as `lower(column)`, which gives the same uniqueness.
 */
function postgresIndex(definition: string, table: string): string {
  return indexStatement(definition, table, q)
    .replace(/`([^`"]+)`/g, '"$1"')
    .replace(/("(?:[^"]|"")+") COLLATE NOCASE/gi, "lower($1)");
}

/** A view column converted to the type a table column of the same field has. */
function viewColumn(f: Field, column: string): string {
  if (f.name === "id") return `(${column})::text`;
  const kind = storage(f);
  switch (kind) {
    case "number":
      return `(${column})::double precision`;
    case "bool":
      return `(${column})::boolean`;
    case "json":
      return `plinth_json(${column})`;
    case "jsonb":
      return `(${column})::jsonb`;
    case "text":
      return `(${column})::text`;
    default: {
      const never: never = kind;
      throw new Error(`unknown storage ${String(never)}`);
    }
  }
}

/**
 * A view over the collection's query whose columns have the types table columns of the same fields have
 * (an `id` from ROW_NUMBER() is text, an expression typed json is json), so filters, sorts and reads treat
 * views and tables alike, as SQLite's loose typing does. The query's columns are the fields in order
 * (its fields are inferred from it), renamed positionally to the field names. The newline keeps a
 * trailing `--` comment from swallowing the closing parenthesis.
 */
function createViewStatement(c: ViewCollection): string {
  const query = c.viewQuery.trim().replace(/[\s;]+$/, "");
  const source = q("_plinth_view");
  const select = c.fields.map((f) => `${viewColumn(f, `${source}.${q(f.name)}`)} AS ${q(f.name)}`);
  return `CREATE VIEW ${q(c.name)} AS SELECT ${select.join(", ")} FROM (\n${query}\n) AS ${source} (${c.fields
    .map((f) => q(f.name))
    .join(", ")})`;
}

function createStatements(c: Collection): string[] {
  // PostgreSQL checks a view's query when it is created, inside the schema transaction.
  if (c.type === "view") return [createViewStatement(c)];
  return [`CREATE TABLE ${q(c.name)} (${columns(c)})`, ...c.indexes.map((i) => postgresIndex(i, c.name))];
}

function dropStatement(c: Collection): string {
  return c.type === "view" ? `DROP VIEW IF EXISTS ${q(c.name)}` : `DROP TABLE IF EXISTS ${q(c.name)}`;
}

type Storage = "number" | "bool" | "json" | "jsonb" | "text";

function storage(f: Field): Storage {
  if (f.type === "number") return "number";
  if (f.type === "bool") return "bool";
  if (f.type === "json") return "json";
  if (f.type === "geoPoint" || isMultiValue(f)) return "jsonb";
  return "text";
}

/** An SQL expression converting the old column to the new field's storage, keeping what can be kept. */
function convert(from: Field, to: Field): string {
  const col = q(from.name);
  const a = storage(from);
  const b = storage(to);
  const sameStorage = from.type === to.type && isMultiValue(from) === isMultiValue(to);
  if (sameStorage) return col;
  const asText =
    a === "text"
      ? col
      : a === "bool"
        ? `(CASE WHEN ${col} THEN 'true' ELSE 'false' END)`
        : a === "number"
          ? `(${col})::text`
          : a === "jsonb" && isMultiValue(from)
            ? `COALESCE(${col} ->> -1, '')`
            : `COALESCE(plinth_txt((${col})::jsonb), '')`;
  if (to.type === "geoPoint") return `'{"lon":0,"lat":0}'::jsonb`;
  switch (b) {
    case "number":
      if (a === "bool") return `(CASE WHEN ${col} THEN 1 ELSE 0 END)`;
      return `COALESCE(plinth_to_number(${asText}), 0)`;
    case "bool":
      if (a === "number") return `(${col} <> 0)`;
      return `(${asText} IN ('1', 'true'))`;
    case "jsonb":
      if (a === "json" || a === "jsonb")
        return `(CASE WHEN jsonb_typeof((${col})::jsonb) = 'array' THEN (${col})::jsonb ELSE '[]'::jsonb END)`;
      return `(CASE WHEN ${asText} = '' THEN '[]'::jsonb ELSE jsonb_build_array(${asText}) END)`;
    case "json":
      if (a === "number" || a === "bool") return `to_json(${col})`;
      if (a === "jsonb") return `(${col})::json`;
      return `(CASE WHEN ${col} = '' THEN NULL ELSE plinth_try_jsonb(${col})::json END)`;
    case "text":
      return asText;
  }
}

/**
 * Statements that move a table from one definition to the next, run in one transaction. Like the
 * SQLite dialect it rebuilds the table when columns change, so every conversion is one expression and
 * column order matches the collection's field order.
 */
export function postgresSyncStatements(previous: Collection | null, next: Collection | null): string[] {
  if (previous === null && next === null) return [];
  if (previous === null) return createStatements(next!);
  if (next === null) return [dropStatement(previous)];
  if (previous.type === "view" || next.type === "view")
    return [dropStatement(previous), ...createStatements(next)];

  const out: string[] = indexNames(previous).map((n) => `DROP INDEX IF EXISTS ${q(n)}`);
  if (previous.name !== next.name) out.push(`ALTER TABLE ${q(previous.name)} RENAME TO ${q(next.name)}`);
  if (!sameColumns(previous, next)) {
    const tmp = `_plinth_rebuild_${next.name}`;
    const kept = keptFields(previous, next);
    out.push(
      `CREATE TABLE ${q(tmp)} (${columns(next)})`,
      `INSERT INTO ${q(tmp)} (${kept.map((k) => q(k.to.name)).join(", ")}) SELECT ${kept
        .map((k) => convert(k.from, k.to))
        .join(", ")} FROM ${q(next.name)}`,
      `DROP TABLE ${q(next.name)}`,
      `ALTER TABLE ${q(tmp)} RENAME TO ${q(next.name)}`,
      // the primary key's index keeps the temporary table's name; give it the table's own
      `ALTER INDEX IF EXISTS ${q(`${tmp}_pkey`)} RENAME TO ${q(`${next.name}_pkey`)}`,
    );
  }
  out.push(...next.indexes.map((i) => postgresIndex(i, next.name)));
  return out;
}
