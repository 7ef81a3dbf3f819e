import type { Collection } from "../../../core/collections/collection.ts";
import type { Field } from "../../../core/collections/field.ts";
import type { ParamValue } from "../../../core/filter/index.ts";
import type { StoreCapabilities } from "../../../core/ports.ts";
import type { DriverErrorKind } from "./sql-driver.ts";

/**
 * What differs between SQL databases. The shared SQL store and the filter compiler only ask this
 * interface; dialect-specific code lives in adapters/store/<dialect>/.
 */
export interface SqlDialect extends SqlFilterDialect {
  readonly capabilities: StoreCapabilities;
  /** Quotes an identifier (already checked against the schema). */
  quoteIdent(name: string): string;
  /** The placeholder for the n-th (1-based) bound parameter. */
  placeholder(n: number): string;
  /** Column definition (type, default, constraint) for a field, without the name. */
  columnDefinition(field: Field): string;
  /** A value as bound for a field (bool → 0/1 on SQLite, arrays/objects → JSON text ...). */
  encodeValue(field: Field, value: unknown): unknown;
  /** A stored value back to JS (0/1 → bool, JSON text → value ...). */
  decodeValue(field: Field, raw: unknown): unknown;
  /** SQL for "rows in random order". */
  randomOrder(): string;
}

/** Dialect-specific DDL for keeping a collection's table in step with its definition. */
export interface SqlSchemaDialect {
  /** Statements that bring a record table (or view) from `previous` to `next`; run in one transaction. */
  syncStatements(previous: Collection | null, next: Collection | null): readonly string[];
  /** Statements creating the system tables if missing. */
  systemTableStatements(): readonly string[];
  /** Classifies a driver error (unique violation, busy ...). */
  classifyError(err: unknown): DriverErrorKind;
}

/**
 * The filter compiler's questions to a dialect (compile-filter.ts). SQL passed in is already compiled and
 * parenthesized where needed; results must be usable as operands.
 */
export interface SqlFilterDialect {
  /** A boolean literal compared with stored values (SQLite: `1`/`0`, so `x IS NOT 1` keeps PocketBase's meaning). */
  booleanLiteral(value: boolean): string;
  /** A filter value as the driver binds it (SQLite: booleans as 1/0). */
  bindFilterValue(value: ParamValue): unknown;
  /** Null-safe (in)equality: SQLite `a IS b` / `a IS NOT b`. */
  nullSafeCompare(left: string, right: string, negate: boolean): string;
  /** Case-insensitive (ASCII) LIKE with `\` as the escape character. */
  like(left: string, pattern: string, negate: boolean): string;
  /** String concatenation of SQL operands. */
  concat(parts: readonly string[]): string;
  /**
   * The JSON value at `path` of a stored column; a column holding non-JSON text yields the text itself for
   * an empty path (PocketBase's normalized json_extract). Path items are identifiers (`\w+`) or indexes.
   */
  jsonExtract(column: string, path: readonly (string | number)[]): string;
  /** Items of a multi-value column: JSON array length, 0 for '' or NULL, 1 for a plain value. */
  jsonArrayLength(column: string): string;
  /**
   * A FROM item yielding one row per array item in a column named `value`, for use as `LEFT JOIN <it> <alias>`.
   * `normalize`: a non-array (plain) value counts as a one-item array. `array` may reference earlier joins.
   */
  jsonEach(array: string, normalize: boolean): string;
  /** Haversine distance in km between two lon/lat points. */
  geoDistance(lonA: string, latA: string, lonB: string, latB: string): string;
  /** SQLite's strftime(format, time-value, modifiers...) with NULL for invalid input. */
  strftime(args: readonly string[]): string;
  /** ORDER BY item for `@random`. */
  randomOrder(): string;
  /** The insertion-order column for `@rowid` of a (quoted) table. */
  rowidColumn(table: string): string;
}
