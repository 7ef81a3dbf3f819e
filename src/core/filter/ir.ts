/**
 * The resolved form of a filter or sort: plain data a store compiles to its own SQL. Nothing here is SQL
 * text. Table references are join keys (strings unique within one filter, derived from the relation path
 * the way PocketBase names its join aliases); `null` means the collection's own table.
 */
import type { FieldType } from "../collections/field.ts";

/** A value bound as a query parameter. */
export type ParamValue = string | number | boolean | null;

/** Where a column comes from: the main table (`null`) or a join key. */
export type Source = string | null;

/** A scalar value expression. */
export type ValueExpr =
  | {
      readonly kind: "column";
      readonly source: Source;
      readonly column: string;
      readonly fieldType?: FieldType;
      /** A multi-value field (stored as a JSON array), so the column's type differs from a single value's. */
      readonly multiple?: boolean;
    }
  | { readonly kind: "param"; readonly value: ParamValue }
  | { readonly kind: "null" }
  | { readonly kind: "emptyText" }
  | { readonly kind: "bool"; readonly value: boolean }
  /** A small integer computed by the resolver (e.g. the length of a body array), never user text. */
  | { readonly kind: "int"; readonly value: number }
  /** JSON value at `path` of a column (PocketBase's normalized json_extract; non-JSON text is the value itself). */
  | {
      readonly kind: "jsonExtract";
      readonly source: Source;
      readonly column: string;
      readonly path: readonly (string | number)[];
      /** Whether the column holds JSON or a plain value (a strictly typed store stores them differently). */
      readonly stored?: "json" | "plain";
    }
  /** Number of items of a multi-value column (0 for '' or NULL, 1 for a plain value). */
  | {
      readonly kind: "jsonArrayLength";
      readonly source: Source;
      readonly column: string;
      readonly stored?: "json" | "plain";
    }
  | { readonly kind: "lower"; readonly value: ValueExpr }
  /** The `value` column of a json-each join. */
  | { readonly kind: "eachValue"; readonly source: string }
  /** The value column of the innermost enclosing multi-match subquery (`left`/`right` in a many-vs-many). */
  | { readonly kind: "multiMatchValue"; readonly side: "single" | "left" | "right" }
  | { readonly kind: "geoDistance"; readonly args: readonly [ValueExpr, ValueExpr, ValueExpr, ValueExpr] }
  | { readonly kind: "strftime"; readonly args: readonly ValueExpr[] }
  /** A boolean condition used as a value (PocketBase's `:changed`). */
  | { readonly kind: "condition"; readonly condition: Condition };

/** Binary comparison operators (`is`/`isNot` are null-safe equality). */
export type CompareOp = "=" | "<" | "<=" | ">" | ">=" | "is" | "isNot";

/** A boolean expression. */
export type Condition =
  | { readonly kind: "and"; readonly items: readonly Condition[] }
  | { readonly kind: "or"; readonly items: readonly Condition[] }
  | { readonly kind: "not"; readonly condition: Condition }
  | { readonly kind: "const"; readonly value: boolean }
  | { readonly kind: "compare"; readonly op: CompareOp; readonly left: ValueExpr; readonly right: ValueExpr }
  /** `COALESCE(left, '') = / IS NOT COALESCE(right, '')`. */
  | {
      readonly kind: "coalesceCompare";
      readonly negate: boolean;
      readonly left: ValueExpr;
      readonly right: ValueExpr;
    }
  | { readonly kind: "isNull"; readonly negate: boolean; readonly value: ValueExpr }
  /** LIKE with `\` as escape; `wrap` surrounds the pattern with `%` in SQL (pattern is a column). */
  | {
      readonly kind: "like";
      readonly negate: boolean;
      readonly left: ValueExpr;
      readonly pattern: ValueExpr;
      readonly wrap: boolean;
    }
  | { readonly kind: "in"; readonly value: ValueExpr; readonly items: readonly ValueExpr[] }
  /** `value IN (SELECT each.value FROM json_each(array))`: back-relations through multi-relations. */
  | { readonly kind: "inJsonArray"; readonly value: ValueExpr; readonly array: ValueExpr }
  /** `NOT EXISTS (SELECT 1 FROM (subquery) WHERE where)`: every related value must satisfy the comparison. */
  | { readonly kind: "multiMatch"; readonly subquery: MultiMatchQuery; readonly where: Condition }
  /** Many-vs-many form: `NOT EXISTS (SELECT 1 FROM (left) LEFT JOIN (right) WHERE where)`. */
  | {
      readonly kind: "multiMatchPair";
      readonly left: MultiMatchQuery;
      readonly right: MultiMatchQuery;
      readonly where: Condition;
    };

/** A table a join brings in. */
export type JoinTable =
  | { readonly kind: "collection"; readonly name: string }
  /** Items of a JSON array (a multi-value column or a bound array); rows have a `value` column. */
  | { readonly kind: "jsonEach"; readonly array: ValueExpr; readonly normalize: boolean };

/** A LEFT JOIN: `key` names it, `on` may reference earlier joins (null: cross join). */
export interface Join {
  readonly key: string;
  readonly table: JoinTable;
  readonly on: Condition | null;
}

/**
 * PocketBase's multi-match subquery: re-selects the row (`baseTable` as `baseKey`, matched on id with
 * `target`), walks the same relation path with its own joins and yields `value` once per related item.
 */
export interface MultiMatchQuery {
  readonly baseTable: string;
  readonly baseKey: string;
  readonly target: Source;
  readonly joins: readonly Join[];
  readonly value: ValueExpr;
}

/** A filter checked against the live schema, ready for a store to compile. */
export interface ResolvedFilter {
  readonly kind: "filter";
  /** LEFT JOINs the condition reads; the row matches when some combination of joined rows satisfies it. */
  readonly joins: readonly Join[];
  readonly where: Condition;
}

/** One resolved ORDER BY item. */
export type ResolvedSort =
  | { readonly kind: "random" }
  | { readonly kind: "rowid"; readonly direction: "asc" | "desc" }
  | {
      readonly kind: "value";
      readonly value: ValueExpr;
      readonly joins: readonly Join[];
      readonly direction: "asc" | "desc";
    };
