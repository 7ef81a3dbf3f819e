/** The filter/rule language: text → AST → resolved IR (no SQL; stores compile the IR). */
export type { FilterNode, OperandNode, SignOp } from "./ast.ts";
export { isAnyOp, SIGN_OPS } from "./ast.ts";
export type { ResolveContext, SchemaLookup } from "./context.ts";
export type {
  CompareOp,
  Condition,
  Join,
  JoinTable,
  MultiMatchQuery,
  ParamValue,
  ResolvedFilter,
  ResolvedSort,
  Source,
  ValueExpr,
} from "./ir.ts";
export { DATETIME_MACROS } from "./macros.ts";
export type { ParseLimits } from "./parser.ts";
export { DEFAULT_PARSE_LIMITS, parseFilter } from "./parser.ts";
export { matchAll, mergeFilters, resolveFilter } from "./resolve-filter.ts";
export { resolveSort, SORT_LIMITS } from "./resolve-sort.ts";
