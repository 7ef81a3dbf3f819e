import type { SignOp } from "./ast.ts";
import { isAnyOp } from "./ast.ts";
import type { Condition, MultiMatchQuery, ParamValue, ValueExpr } from "./ir.ts";
import { likePattern } from "./like.ts";

/** How an operand's empty/NULL values are normalized in `=`/`!=` (PocketBase's NullFallbackPreference). */
export type NullFallback = "auto" | "disabled" | "enforced";

/** One resolved side of a comparison (PocketBase's ResolverResult). */
export interface Operand {
  readonly value: ValueExpr;
  readonly nullFallback: NullFallback;
  /** The values this operand binds; PocketBase's empty/non-empty decisions look at them. */
  readonly params: readonly ParamValue[];
  readonly multiMatch?: MultiMatchQuery;
  readonly afterBuild?: (c: Condition) => Condition;
}

/** An operand with defaults. */
export function operand(value: ValueExpr, extra: Partial<Operand> = {}): Operand {
  return { value, nullFallback: "auto", params: [], ...extra };
}

/** A bound value operand. */
export function paramOperand(value: ParamValue): Operand {
  return operand({ kind: "param", value }, { params: [value] });
}

function isEmptyIdentifier(o: Operand): boolean {
  return o.value.kind === "null" || o.value.kind === "emptyText";
}

function hasEmptyParam(o: Operand): boolean {
  return o.params.some((p) => p === null || p === "");
}

function isKnownNonEmpty(o: Operand): boolean {
  if (o.nullFallback === "enforced") return false;
  // PocketBase treats the identifiers 1, 0, TRUE and FALSE as known non-empty.
  if (o.value.kind === "bool") return true;
  if (o.value.kind === "int" && (o.value.value === 0 || o.value.value === 1)) return true;
  return o.params.length > 0 && !hasEmptyParam(o) && !isEmptyIdentifier(o);
}

const EMPTY: ValueExpr = { kind: "emptyText" };

/** `=` / `!=` with PocketBase's NULL-vs-'' normalization (resolveEqualExpr). */
function equality(equal: boolean, l: Operand, r: Operand): Condition {
  if (l.nullFallback === "disabled" || r.nullFallback === "disabled") {
    return { kind: "compare", op: equal ? "is" : "isNot", left: l.value, right: r.value };
  }
  const leftEmpty =
    isEmptyIdentifier(l) || (l.nullFallback === "auto" && l.params.length === 1 && hasEmptyParam(l));
  const rightEmpty =
    isEmptyIdentifier(r) || (r.nullFallback === "auto" && r.params.length === 1 && hasEmptyParam(r));
  if (leftEmpty && rightEmpty) return { kind: "const", value: equal };
  if (isKnownNonEmpty(l) || isKnownNonEmpty(r)) {
    return {
      kind: "compare",
      op: equal ? "=" : "isNot",
      left: leftEmpty ? EMPTY : l.value,
      right: rightEmpty ? EMPTY : r.value,
    };
  }
  const emptyCheck = (v: ValueExpr): Condition =>
    equal
      ? {
          kind: "or",
          items: [
            { kind: "compare", op: "=", left: v, right: EMPTY },
            { kind: "isNull", negate: false, value: v },
          ],
        }
      : {
          kind: "and",
          items: [
            { kind: "compare", op: "isNot", left: v, right: EMPTY },
            { kind: "isNull", negate: true, value: v },
          ],
        };
  if (leftEmpty) return emptyCheck(r.value);
  if (rightEmpty) return emptyCheck(l.value);
  return { kind: "coalesceCompare", negate: !equal, left: l.value, right: r.value };
}

/** Replaces every bound value inside `v` with its LIKE pattern. */
function wrapLikeParams(v: ValueExpr): ValueExpr {
  switch (v.kind) {
    case "param":
      return { kind: "param", value: likePattern(v.value) };
    case "lower":
      return { kind: "lower", value: wrapLikeParams(v.value) };
    case "geoDistance":
      return {
        kind: "geoDistance",
        args: [
          wrapLikeParams(v.args[0]),
          wrapLikeParams(v.args[1]),
          wrapLikeParams(v.args[2]),
          wrapLikeParams(v.args[3]),
        ],
      };
    case "strftime":
      return { kind: "strftime", args: v.args.map(wrapLikeParams) };
    default:
      return v;
  }
}

function baseCondition(l: Operand, op: SignOp, r: Operand): Condition {
  switch (op) {
    case "=":
    case "?=":
      return equality(true, l, r);
    case "!=":
    case "?!=":
      return equality(false, l, r);
    case "~":
    case "?~":
    case "!~":
    case "?!~": {
      const negate = op === "!~" || op === "?!~";
      if (r.params.length === 0) return { kind: "like", negate, left: l.value, pattern: r.value, wrap: true };
      return { kind: "like", negate, left: l.value, pattern: wrapLikeParams(r.value), wrap: false };
    }
    case "<":
    case "?<":
      return { kind: "compare", op: "<", left: l.value, right: r.value };
    case "<=":
    case "?<=":
      return { kind: "compare", op: "<=", left: l.value, right: r.value };
    case ">":
    case "?>":
      return { kind: "compare", op: ">", left: l.value, right: r.value };
    case ">=":
    case "?>=":
      return { kind: "compare", op: ">=", left: l.value, right: r.value };
    default: {
      const never: never = op;
      throw new Error(`unknown operator ${String(never)}`);
    }
  }
}

const negate = (c: Condition): Condition => ({ kind: "not", condition: c });

/**
 * Builds one comparison exactly as PocketBase's buildResolversExpr: the plain condition, plus — for the
 * non-`?` operators on multi-value paths — a NOT EXISTS check that every related value matches.
 */
export function buildComparison(l: Operand, op: SignOp, r: Operand): Condition {
  let expr = baseCondition(l, op, r);
  if (!isAnyOp(op)) {
    if (l.multiMatch && r.multiMatch) {
      const where = buildComparison(
        operand({ kind: "multiMatchValue", side: "left" }, { nullFallback: l.nullFallback }),
        op,
        operand(
          { kind: "multiMatchValue", side: "right" },
          { nullFallback: r.nullFallback, afterBuild: negate },
        ),
      );
      expr = {
        kind: "and",
        items: [expr, { kind: "multiMatchPair", left: l.multiMatch, right: r.multiMatch, where }],
      };
    } else if (l.multiMatch) {
      const mm = operand(
        { kind: "multiMatchValue", side: "single" },
        { nullFallback: l.nullFallback, afterBuild: negate },
      );
      const where = buildComparison(mm, op, operand(r.value, { params: r.params }));
      expr = { kind: "and", items: [expr, { kind: "multiMatch", subquery: l.multiMatch, where }] };
    } else if (r.multiMatch) {
      const mm = operand(
        { kind: "multiMatchValue", side: "single" },
        { nullFallback: r.nullFallback, afterBuild: negate },
      );
      const where = buildComparison(operand(l.value, { params: l.params }), op, mm);
      expr = { kind: "and", items: [expr, { kind: "multiMatch", subquery: r.multiMatch, where }] };
    }
  }
  if (l.afterBuild) expr = l.afterBuild(expr);
  if (r.afterBuild) expr = r.afterBuild(expr);
  return expr;
}
