import type { ParamValue } from "../../../core/filter/index.ts";
import type { SqlFilterDialect } from "../sql/dialect.ts";

function jsonPath(path: readonly (string | number)[]): string {
  // items are checked identifiers (\w+) or integer indexes, so they are safe inside the literal
  return path
    .map((p) => (typeof p === "number" ? `[${Math.trunc(p)}]` : `.${p.replace(/\W/g, "")}`))
    .join("");
}

/**
 * SQLite's answers to the filter compiler's questions (spread into the SQLite dialect). SQLite's own
 * comparison and affinity rules are the reference semantics, so operand types are not needed here.
 */
export const sqliteFilterDialect: SqlFilterDialect = {
  booleanLiteral: (value) => (value ? "1" : "0"),
  bindFilterValue: (value: ParamValue) => (typeof value === "boolean" ? (value ? 1 : 0) : value),
  paramSql: (placeholder) => placeholder,
  compare: (op, left, right) => `${left.sql} ${op} ${right.sql}`,
  nullSafeCompare: (left, right, negate) => `${left.sql} ${negate ? "IS NOT" : "IS"} ${right.sql}`,
  coalesceEmpty: (value) => ({ sql: `COALESCE(${value.sql}, '')`, type: value.type }),
  lower: (value) => `LOWER(${value.sql})`,
  like: (left, pattern, negate) => `${left.sql} ${negate ? "NOT LIKE" : "LIKE"} ${pattern} ESCAPE '\\'`,
  asText: (value) => value.sql,
  concat: (parts) => `(${parts.join(" || ")})`,
  jsonExtract: ({ sql: c }, path) => {
    const p = jsonPath(path);
    return {
      sql: `(CASE WHEN json_valid(${c}) THEN json_extract(${c}, '$${p}') ELSE json_extract(json_object('pb', ${c}), '$.pb${p}') END)`,
      type: "json",
    };
  },
  jsonArrayLength: ({ sql: c }) =>
    `json_array_length(CASE WHEN iif(json_valid(${c}), json_type(${c}) = 'array', FALSE) THEN ${c} ELSE (CASE WHEN ${c} = '' OR ${c} IS NULL THEN json_array() ELSE json_array(${c}) END) END)`,
  jsonEach: ({ sql: array }, normalize) =>
    normalize
      ? `json_each(CASE WHEN iif(json_valid(${array}), json_type(${array}) = 'array', FALSE) THEN ${array} ELSE json_array(${array}) END)`
      : `json_each(${array})`,
  jsonEachValueType: "json",
  inJsonArray(value, array, alias) {
    return `${value.sql} IN (SELECT ${alias}."value" FROM ${this.jsonEach(array, true)} ${alias})`;
  },
  geoDistance: (lonA, latA, lonB, latB) =>
    `(6371 * acos(cos(radians(${latA.sql})) * cos(radians(${latB.sql})) * cos(radians(${lonB.sql}) - radians(${lonA.sql})) + sin(radians(${latA.sql})) * sin(radians(${latB.sql}))))`,
  strftime: (args) => `strftime(${args.map((a) => a.sql).join(", ")})`,
  randomOrder: () => "RANDOM()",
  rowidColumn: (table) => `${table}."_rowid_"`,
};
