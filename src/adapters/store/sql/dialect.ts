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
  /** An aggregate of `expr` over the rows as comma-separated text; NULL when there are none. */
  listAggregate(expr: string): string;
}

/** Dialect-specific DDL for keeping a collection's table in step with its definition. */
export type SqlSchemaDialect = SqlSchemaStatements & (UnpinnedViews | PinnedViews);

/** The DDL every SQL dialect provides. */
export interface SqlSchemaStatements {
  /** Statements that bring a record table (or view) from `previous` to `next`; run in one transaction. */
  syncStatements(previous: Collection | null, next: Collection | null): readonly string[];
  /** Statements creating the system tables (and helper functions) if missing. */
  systemTableStatements(): readonly string[];
  /**
   * Run first in a transaction that changes the schema, so processes sharing the database change it one
   * at a time (SQLite's BEGIN IMMEDIATE already does; PostgreSQL takes an advisory lock).
   */
  schemaLockStatements(): readonly string[];
  /** Classifies a driver error (unique violation, busy ...). */
  classifyError(err: unknown): DriverErrorKind;
  /**
   * Why the database refused a statement, in SQLite's words (`no such column: x`), when the error names
   * only a missing table, column or function; absent where the driver's own message already reads so.
   */
  missingObjectReason?(err: unknown): string | undefined;
}

/** SQLite binds a view to its tables only when it is read: a table changes under its views freely. */
export interface UnpinnedViews {
  readonly viewsPinTables: false;
}

/**
 * PostgreSQL pins the tables (and views) a view reads: changing one means dropping the views that read
 * it first and creating them again after.
 */
export interface PinnedViews {
  readonly viewsPinTables: true;
  /**
   * A query whose rows (column `name`) are the views reading, directly or through other views, the
   * table or view whose quoted name is the first parameter (none when it doesn't exist); the views
   * reading it directly first.
   */
  readonly dependentViewsQuery: string;
}

/**
 * What the compiler knows of an operand's SQL type. SQLite compares values of any types by its own
 * rules; a strictly typed database needs these to reproduce them (see docs/filter.md).
 * `json` is a JSON scalar whose type is only known at run time (a JSON path, an array item).
 */
export type OperandType = "text" | "number" | "bool" | "json" | "jsonArray" | "null";

/** A compiled operand and its type. */
export interface TypedSql {
  readonly sql: string;
  readonly type: OperandType;
}

/** Ordering comparisons and plain equality. */
export type PlainCompareOp = "=" | "<" | "<=" | ">" | ">=";

/**
 * The filter compiler's questions to a dialect (compile-filter.ts). SQL passed in is already compiled and
 * parenthesized where needed; results must be usable as operands.
 */
export interface SqlFilterDialect {
  /** A boolean literal compared with stored values (SQLite: `1`/`0`, so `x IS NOT 1` keeps PocketBase's meaning). */
  booleanLiteral(value: boolean): string;
  /** A filter value as the driver binds it (SQLite: booleans as 1/0). */
  bindFilterValue(value: ParamValue): unknown;
  /** The SQL for a bound parameter at `placeholder` holding `value` (a typed database casts it). */
  paramSql(placeholder: string, value: ParamValue): string;
  /** `left op right` with SQLite's comparison rules for mixed types. */
  compare(op: PlainCompareOp, left: TypedSql, right: TypedSql): string;
  /** Null-safe (in)equality: SQLite `a IS b` / `a IS NOT b`. */
  nullSafeCompare(left: TypedSql, right: TypedSql, negate: boolean): string;
  /** `COALESCE(value, '')`, typed. */
  coalesceEmpty(value: TypedSql): TypedSql;
  /** `LOWER(value)` as text. */
  lower(value: TypedSql): string;
  /** Case-insensitive (ASCII) LIKE with `\` as the escape character; `pattern` is text SQL. */
  like(left: TypedSql, pattern: string, negate: boolean): string;
  /** A value as text SQL (for LIKE patterns built from columns). */
  asText(value: TypedSql): string;
  /** String concatenation of text SQL operands. */
  concat(parts: readonly string[]): string;
  /**
   * The JSON value at `path` of a stored column; a column holding non-JSON text yields the text itself for
   * an empty path (PocketBase's normalized json_extract). Path items are identifiers (`\w+`) or indexes.
   */
  jsonExtract(column: TypedSql, path: readonly (string | number)[]): TypedSql;
  /** Items of a multi-value column: JSON array length, 0 for '' or NULL, 1 for a plain value. */
  jsonArrayLength(column: TypedSql): string;
  /**
   * A FROM item yielding one row per array item in a column named `value`, for use as `LEFT JOIN <it> <alias>`.
   * `normalize`: a non-array (plain) value counts as a one-item array. `array` may reference earlier joins.
   */
  jsonEach(array: TypedSql, normalize: boolean): string;
  /** The type of a `jsonEach` row's `value` column. */
  readonly jsonEachValueType: OperandType;
  /** `value IN (items of array)`. */
  inJsonArray(value: TypedSql, array: TypedSql, alias: string): string;
  /** Haversine distance in km between two lon/lat points. */
  geoDistance(lonA: TypedSql, latA: TypedSql, lonB: TypedSql, latB: TypedSql): string;
  /** SQLite's strftime(format, time-value, modifiers...) with NULL for invalid input. */
  strftime(args: readonly TypedSql[]): string;
  /** ORDER BY item for `@random`. */
  randomOrder(): string;
  /** The insertion-order column for `@rowid` of a (quoted) table. */
  rowidColumn(table: string): string;
}
