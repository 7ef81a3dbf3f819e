import type { ParamValue } from "../../../core/filter/index.ts";
import type { SqlFilterDialect } from "../sql/dialect.ts";

function jsonPath(path: readonly (string | number)[]): string {
  // items are checked identifiers (\w+) or integer indexes, so they are safe inside the literal
  return path
    .map((p) => (typeof p === "number" ? `[${Math.trunc(p)}]` : `.${p.replace(/\W/g, "")}`))
    .join("");
}

/** SQLite's answers to the filter compiler's questions (spread into the SQLite dialect). */
export const sqliteFilterDialect: SqlFilterDialect = {
  booleanLiteral: (value) => (value ? "1" : "0"),
  bindFilterValue: (value: ParamValue) => (typeof value === "boolean" ? (value ? 1 : 0) : value),
  nullSafeCompare: (left, right, negate) => `${left} ${negate ? "IS NOT" : "IS"} ${right}`,
  like: (left, pattern, negate) => `${left} ${negate ? "NOT LIKE" : "LIKE"} ${pattern} ESCAPE '\\'`,
  concat: (parts) => `(${parts.join(" || ")})`,
  jsonExtract: (column, path) => {
    const p = jsonPath(path);
    return `(CASE WHEN json_valid(${column}) THEN json_extract(${column}, '$${p}') ELSE json_extract(json_object('pb', ${column}), '$.pb${p}') END)`;
  },
  jsonArrayLength: (c) =>
    `json_array_length(CASE WHEN iif(json_valid(${c}), json_type(${c}) = 'array', FALSE) THEN ${c} ELSE (CASE WHEN ${c} = '' OR ${c} IS NULL THEN json_array() ELSE json_array(${c}) END) END)`,
  jsonEach: (array, normalize) =>
    normalize
      ? `json_each(CASE WHEN iif(json_valid(${array}), json_type(${array}) = 'array', FALSE) THEN ${array} ELSE json_array(${array}) END)`
      : `json_each(${array})`,
  geoDistance: (lonA, latA, lonB, latB) =>
    `(6371 * acos(cos(radians(${latA})) * cos(radians(${latB})) * cos(radians(${lonB}) - radians(${lonA})) + sin(radians(${latA})) * sin(radians(${latB}))))`,
  strftime: (args) => `strftime(${args.join(", ")})`,
  randomOrder: () => "RANDOM()",
  rowidColumn: (table) => `${table}."_rowid_"`,
};
