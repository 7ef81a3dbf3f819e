import type { Collection } from "../../../core/collections/collection.ts";
import type { Field } from "../../../core/collections/field.ts";
import { isMultiValue } from "../../../core/collections/field.ts";
import { indexStatement } from "../sql/index-statement.ts";
import { indexNames, keptFields, sameColumns } from "../sql/schema-diff.ts";
import { quoteSqliteIdent as q, sqliteDialect } from "./sqlite-dialect.ts";

function columns(collection: Collection): string {
  return collection.fields.map((f) => `${q(f.name)} ${sqliteDialect.columnDefinition(f)}`).join(", ");
}

function createStatements(c: Collection): string[] {
  // SQLite accepts a view over missing columns or functions and fails only when it is read,
  // so reading it once (no rows) makes a bad query fail here, inside the schema transaction
  if (c.type === "view")
    return [`CREATE VIEW ${q(c.name)} AS ${c.viewQuery}`, `SELECT * FROM ${q(c.name)} LIMIT 0`];
  return [`CREATE TABLE ${q(c.name)} (${columns(c)})`, ...c.indexes.map((i) => indexStatement(i, c.name, q))];
}

function dropStatement(c: Collection): string {
  return c.type === "view" ? `DROP VIEW IF EXISTS ${q(c.name)}` : `DROP TABLE IF EXISTS ${q(c.name)}`;
}

const JSON_STORED = (f: Field) => f.type === "json" || f.type === "geoPoint";

/** An SQL expression converting the old column to the new field's storage, keeping what can be kept. */
function convert(from: Field, to: Field): string {
  const col = q(from.name);
  const fromMulti = isMultiValue(from);
  const toMulti = isMultiValue(to);
  const sameStorage = from.type === to.type && fromMulti === toMulti;
  if (sameStorage) return col;
  if (to.type === "number") {
    if (from.type === "bool") return `(CASE WHEN ${col} THEN 1 ELSE 0 END)`;
    return `COALESCE(CAST(NULLIF(TRIM(${col}), '') AS NUMERIC), 0)`;
  }
  if (to.type === "bool") return `(CASE WHEN ${col} IN (1, '1', 'true') THEN 1 ELSE 0 END)`;
  if (to.type === "geoPoint") return `'{"lon":0,"lat":0}'`;
  if (toMulti) {
    if (fromMulti || JSON_STORED(from))
      return `(CASE WHEN json_valid(${col}) AND json_type(${col}) = 'array' THEN ${col} ELSE '[]' END)`;
    return `(CASE WHEN ${col} IS NULL OR ${col} = '' THEN '[]' ELSE json_array(${col}) END)`;
  }
  if (to.type === "json") {
    if (from.type === "number" || from.type === "bool" || fromMulti) return col;
    return `(CASE WHEN ${col} IS NULL OR ${col} = '' THEN NULL WHEN json_valid(${col}) THEN ${col} ELSE json_quote(${col}) END)`;
  }
  // a text-like target
  if (fromMulti) return `COALESCE(CAST(json_extract(${col}, '$[#-1]') AS TEXT), '')`;
  if (from.type === "bool") return `(CASE WHEN ${col} THEN 'true' ELSE 'false' END)`;
  if (JSON_STORED(from))
    return `(CASE WHEN ${col} IS NULL THEN '' WHEN json_valid(${col}) AND json_type(${col}) = 'text' THEN json_extract(${col}, '$') ELSE CAST(${col} AS TEXT) END)`;
  return `COALESCE(CAST(${col} AS TEXT), '')`;
}

/** Statements that move a table from one definition to the next; SQLite cannot ALTER column types, so it rebuilds. */
export function sqliteSyncStatements(previous: Collection | null, next: Collection | null): string[] {
  if (previous === null && next === null) return [];
  if (previous === null) return createStatements(next!);
  if (next === null) return [dropStatement(previous)];
  if (previous.type === "view" || next.type === "view")
    return [dropStatement(previous), ...createStatements(next)];

  const out: string[] = indexNames(previous).map((n) => `DROP INDEX IF EXISTS ${q(n)}`);
  if (previous.name.toLowerCase() === next.name.toLowerCase() && previous.name !== next.name) {
    // SQLite names are case-insensitive: a case-only rename collides with itself unless it goes through another name
    const via = `_plinth_rename_${next.name}`;
    out.push(
      `ALTER TABLE ${q(previous.name)} RENAME TO ${q(via)}`,
      `ALTER TABLE ${q(via)} RENAME TO ${q(next.name)}`,
    );
  } else if (previous.name !== next.name) {
    out.push(`ALTER TABLE ${q(previous.name)} RENAME TO ${q(next.name)}`);
  }
  if (!sameColumns(previous, next)) {
    const tmp = `_plinth_rebuild_${next.name}`;
    const kept = keptFields(previous, next);
    out.push(
      `CREATE TABLE ${q(tmp)} (${columns(next)})`,
      `INSERT INTO ${q(tmp)} (${kept.map((k) => q(k.to.name)).join(", ")}) SELECT ${kept
        .map((k) => convert(k.from, k.to))
        .join(", ")} FROM ${q(next.name)}`,
      "PRAGMA legacy_alter_table = ON",
      `DROP TABLE ${q(next.name)}`,
      `ALTER TABLE ${q(tmp)} RENAME TO ${q(next.name)}`,
      "PRAGMA legacy_alter_table = OFF",
    );
  }
  out.push(...next.indexes.map((i) => indexStatement(i, next.name, q)));
  return out;
}
