import type { ParamValue } from "../../../core/filter/index.ts";
import type { SqlFilterDialect, TypedSql } from "../sql/dialect.ts";

const SCALAR = new Set(["text", "number", "bool"]);

/** An operand as a JSON scalar with SQLite's meaning (booleans as 0/1, whole JSON columns as their text). */
function toJsonb(t: TypedSql): string {
  switch (t.type) {
    case "text":
      return `to_jsonb((${t.sql})::text)`;
    case "number":
      return `to_jsonb((${t.sql})::double precision)`;
    case "bool":
      return `to_jsonb((${t.sql})::integer)`;
    case "json":
      return t.sql;
    case "jsonArray":
      return `to_jsonb((${t.sql})::text)`;
    case "null":
      return "NULL::jsonb";
  }
}

function asText(t: TypedSql): string {
  switch (t.type) {
    case "text":
      return t.sql;
    case "number":
      return `(${t.sql})::text`;
    case "bool":
      return `((${t.sql})::integer)::text`;
    case "json":
      return `plinth_txt(${t.sql})`;
    case "jsonArray":
      return `(${t.sql})::text`;
    case "null":
      return "NULL::text";
  }
}

/** A JSON column or value as jsonb (json columns keep their text; jsonb compares and indexes). */
function asJsonb(t: TypedSql): string {
  if (t.type === "text") return `plinth_try_jsonb(${t.sql})`;
  if (t.type === "json") return t.sql;
  if (t.type === "jsonArray") return `(${t.sql})::jsonb`;
  return toJsonb(t);
}

function pathLiteral(path: readonly (string | number)[]): string {
  // items are checked identifiers (\w+) or integer indexes, so they are safe inside the literal
  return `'{${path.map((p) => (typeof p === "number" ? String(Math.trunc(p)) : p.replace(/\W/g, ""))).join(",")}}'`;
}

function asArray(t: TypedSql, normalize: boolean): string {
  if (t.type === "text" || t.type === "number" || t.type === "bool") return `jsonb_build_array(${t.sql})`;
  const j = asJsonb(t);
  return `(CASE WHEN jsonb_typeof(${j}) = 'array' THEN ${j} ELSE ${normalize ? `jsonb_build_array(${j})` : "'[]'::jsonb"} END)`;
}

/**
 * PostgreSQL's answers to the filter compiler. Operands of one scalar type compare natively (and use
 * indexes); mixed or run-time-typed operands go through plinth_cmp, which orders them as SQLite does.
 * Text ordering is byte-wise (COLLATE "C"), as in SQLite.
 */
export const postgresFilterDialect: SqlFilterDialect = {
  booleanLiteral: (value) => (value ? "TRUE" : "FALSE"),
  bindFilterValue: (value: ParamValue) => value,
  paramSql: (placeholder, value) =>
    typeof value === "number"
      ? `${placeholder}::double precision`
      : typeof value === "boolean"
        ? `${placeholder}::boolean`
        : `${placeholder}::text`,
  compare(op, l, r) {
    if (l.type === "null" || r.type === "null") return "(NULL::boolean)";
    if (l.type === r.type && SCALAR.has(l.type)) {
      return l.type === "text" && op !== "="
        ? `${l.sql} COLLATE "C" ${op} ${r.sql}`
        : `${l.sql} ${op} ${r.sql}`;
    }
    if (l.type === "number" && r.type === "bool") return `${l.sql} ${op} (${r.sql})::integer`;
    if (l.type === "bool" && r.type === "number") return `(${l.sql})::integer ${op} ${r.sql}`;
    if (op === "=" && l.type === "text" && r.type === "json")
      return `(jsonb_typeof(${r.sql}) = 'string' AND ${l.sql} = (${r.sql} #>> '{}'))`;
    if (op === "=" && l.type === "json" && r.type === "text")
      return `(jsonb_typeof(${l.sql}) = 'string' AND (${l.sql} #>> '{}') = ${r.sql})`;
    return `plinth_cmp(${toJsonb(l)}, ${toJsonb(r)}) ${op} 0`;
  },
  nullSafeCompare(l, r, negate) {
    if (l.type === "null" && r.type === "null") return negate ? "FALSE" : "TRUE";
    if (l.type === "null" || r.type === "null") {
      const other = l.type === "null" ? r : l;
      if (other.type === "json")
        return `(${other.sql} IS NULL OR jsonb_typeof(${other.sql}) = 'null') ${negate ? "= FALSE" : "= TRUE"}`;
      return `${other.sql} ${negate ? "IS NOT NULL" : "IS NULL"}`;
    }
    if (l.type === r.type && SCALAR.has(l.type))
      return `${l.sql} ${negate ? "IS DISTINCT FROM" : "IS NOT DISTINCT FROM"} ${r.sql}`;
    return `${negate ? "NOT " : ""}plinth_is(${toJsonb(l)}, ${toJsonb(r)})`;
  },
  coalesceEmpty(t) {
    if (t.type === "text") return { sql: `COALESCE(${t.sql}, '')`, type: "text" };
    if (t.type === "null") return { sql: "''", type: "text" };
    if (t.type === "number" || t.type === "bool") return t; // stored NOT NULL
    return { sql: `COALESCE(NULLIF(${toJsonb(t)}, 'null'::jsonb), '""'::jsonb)`, type: "json" };
  },
  lower: (t) => `LOWER(${asText(t)})`,
  like: (l, pattern, negate) => `${asText(l)} ${negate ? "NOT ILIKE" : "ILIKE"} ${pattern} ESCAPE '\\'`,
  asText,
  concat: (parts) => `(${parts.join(" || ")})`,
  jsonExtract(column, path) {
    const base = asJsonb(column);
    const at = path.length === 0 ? base : `(${base} #> ${pathLiteral(path)})`;
    return { sql: `NULLIF(${at}, 'null'::jsonb)`, type: "json" };
  },
  jsonArrayLength(c) {
    if (c.type === "text") return `(CASE WHEN ${c.sql} IS NULL OR ${c.sql} = '' THEN 0 ELSE 1 END)`;
    const j = asJsonb(c);
    return `(CASE WHEN ${j} IS NULL THEN 0 WHEN jsonb_typeof(${j}) = 'array' THEN jsonb_array_length(${j}) ELSE 1 END)`;
  },
  jsonEach: (array, normalize) => `LATERAL jsonb_array_elements(${asArray(array, normalize)})`,
  jsonEachValueType: "json",
  inJsonArray(value, array, alias) {
    const item: TypedSql = { sql: `${alias}."value"`, type: "json" };
    return `EXISTS (SELECT 1 FROM jsonb_array_elements(${asArray(array, true)}) ${alias} WHERE ${this.compare("=", value, item)})`;
  },
  geoDistance(lonA, latA, lonB, latB) {
    const n = (t: TypedSql): string =>
      t.type === "number"
        ? t.sql
        : `plinth_num(${toJsonb(t.type === "text" ? { sql: `plinth_to_number(${t.sql})`, type: "number" } : t)})`;
    const [a, b, c, d] = [n(lonA), n(latA), n(lonB), n(latB)];
    return `(6371 * acos(LEAST(1, GREATEST(-1, cos(radians(${b})) * cos(radians(${d})) * cos(radians(${c}) - radians(${a})) + sin(radians(${b})) * sin(radians(${d}))))))`;
  },
  // SQLite's format language through plinth_strftime; modifiers are not supported (docs/filter.md).
  strftime: (args) =>
    args.length > 2 || args[0] === undefined
      ? "NULL::text"
      : `plinth_strftime(${asText(args[0])}, ${args[1] === undefined ? "'now'" : asText(args[1])})`,
  randomOrder: () => "RANDOM()",
  // PostgreSQL has no insertion-order rowid; the physical position is the closest equivalent.
  rowidColumn: (table) => `${table}.ctid`,
};
