import type { FilterNode, OperandNode } from "./ast.ts";
import type { ResolveContext } from "./context.ts";
import { FieldProblem, filterError, quote } from "./errors.ts";
import { type JoinRegistry, type ResolverScope, resolveField } from "./field-resolver.ts";
import type { Condition, Join, ResolvedFilter, Source } from "./ir.ts";
import { DATETIME_MACROS } from "./macros.ts";
import { buildComparison, type Operand, operand, paramOperand } from "./operand.ts";
import { parseFilter } from "./parser.ts";
import type { Collection } from "../collections/collection.ts";

// Rules stored in collections are not bound by the client filter length.
const RULE_LIMITS = { maxLength: 100_000, maxExpressions: 10_000 };

/** Resolves an operand token (PocketBase's resolveToken). */
export function resolveOperand(scope: ResolverScope, node: OperandNode): Operand {
  switch (node.kind) {
    case "text":
      return paramOperand(node.value);
    case "number":
      return paramOperand(node.value);
    case "identifier": {
      const macro = DATETIME_MACROS[node.name];
      if (macro) return paramOperand(macro(scope.ctx.now));
      try {
        return resolveField(scope, node.name);
      } catch (err) {
        // `null`, `true`, `false` (any case) are literals unless a field has that name
        const lower = node.name.toLowerCase();
        if (lower === "null") return operand({ kind: "null" });
        if (lower === "true" || lower === "false") return operand({ kind: "bool", value: lower === "true" });
        if (err instanceof FieldProblem) throw filterError(err.message, node.pos);
        throw err;
      }
    }
    case "function":
      return resolveFunction(scope, node);
    default: {
      const never: never = node;
      throw new Error(`unknown operand ${String(never)}`);
    }
  }
}

function resolveFunction(scope: ResolverScope, node: Extract<OperandNode, { kind: "function" }>): Operand {
  const args = node.args;
  if (node.name === "geoDistance") {
    if (args.length !== 4) throw filterError(`geoDistance expects 4 arguments, got ${args.length}`, node.pos);
    const resolved = args.map((a) => {
      if (a.kind !== "identifier" && a.kind !== "number") {
        throw filterError("geoDistance arguments must be identifiers or numbers", a.pos);
      }
      return resolveOperand(scope, a);
    });
    const [a, b, c, d] = resolved as [Operand, Operand, Operand, Operand];
    return operand(
      { kind: "geoDistance", args: [a.value, b.value, c.value, d.value] },
      { nullFallback: "disabled", params: resolved.flatMap((r) => r.params) },
    );
  }
  if (node.name === "strftime") {
    if (args.length < 1 || args.length > 10)
      throw filterError("strftime expects 1 to 10 arguments", node.pos);
    if (args[0]!.kind !== "text") throw filterError("strftime expects a format string first", args[0]!.pos);
    if (args[1] && args[1].kind === "function") throw filterError("invalid strftime time-value", args[1].pos);
    for (const m of args.slice(2))
      if (m.kind !== "text") throw filterError("strftime modifiers must be strings", m.pos);
    const resolved = args.map((a) => resolveOperand(scope, a));
    const values = resolved.map((r) => r.value);
    const timeValue = resolved[1];
    const mm = timeValue?.multiMatch;
    return operand(
      { kind: "strftime", args: values },
      {
        nullFallback: "enforced",
        params: resolved.flatMap((r) => r.params),
        ...(mm
          ? {
              multiMatch: {
                ...mm,
                value: { kind: "strftime", args: values.map((v, i) => (i === 1 ? mm.value : v)) },
              },
            }
          : {}),
      },
    );
  }
  throw filterError(`unknown function ${quote(node.name)}`, node.pos);
}

function resolveNode(scope: ResolverScope, node: FilterNode): Condition {
  switch (node.kind) {
    case "and":
    case "or":
      return { kind: node.kind, items: node.items.map((n) => resolveNode(scope, n)) };
    case "comparison":
      return buildComparison(resolveOperand(scope, node.left), node.op, resolveOperand(scope, node.right));
    default: {
      const never: never = node;
      throw new Error(`unknown node ${String(never)}`);
    }
  }
}

interface ScopeOptions {
  readonly base: Collection;
  readonly baseAlias: string;
  readonly baseSource: Source;
  readonly allowHidden: boolean;
  readonly suffix: string;
}

function makeScope(ctx: ResolveContext, registry: JoinRegistry, opts: ScopeOptions): ResolverScope {
  const scope: ResolverScope = {
    ctx,
    registry,
    ...opts,
    resolveText: (text) => resolveNode(scope, parseFilter(text, RULE_LIMITS)),
  };
  return scope;
}

/** A registry plus the main scope of a collection's own table. */
export function mainScope(ctx: ResolveContext, registry: JoinRegistry): ResolverScope {
  return makeScope(ctx, registry, {
    base: ctx.collection,
    baseAlias: ctx.collection.name,
    baseSource: null,
    allowHidden: ctx.allowHiddenFields,
    suffix: "",
  });
}

/**
 * The list-rule conditions of the collections a client filter joined (PocketBase binds them at the top
 * level so relation paths can't reveal records the client may not list).
 */
export function ruleJoinConditions(ctx: ResolveContext, registry: JoinRegistry): Condition[] {
  const out: Condition[] = [];
  // rule scopes allow hidden fields, so resolving them adds no further rule joins
  for (const { collection, key } of [...registry.ruleJoins]) {
    const rule = collection.listRule;
    if (rule === null || rule === "") continue;
    const scope = makeScope(ctx, registry, {
      base: collection,
      baseAlias: key,
      baseSource: key,
      allowHidden: true,
      suffix: `~${key}`,
    });
    try {
      // `id=''` keeps rows whose relation is empty (the LEFT JOIN yields NULL)
      out.push(resolveNode(scope, parseFilter(`id='' || (\n${rule}\n)`, RULE_LIMITS)));
    } catch (err) {
      if (!(err instanceof Error && err.name === "PlinthError")) throw err;
      throw filterError(`the list rule of ${quote(collection.name)} can't be applied`);
    }
  }
  return out;
}

/** Parses (if text) and resolves a filter or rule against the live schema and the request. */
export function resolveFilter(input: string | FilterNode, ctx: ResolveContext): ResolvedFilter {
  const ast = typeof input === "string" ? parseFilter(input, ctx.limits) : input;
  const registry: JoinRegistry = { joins: [], ruleJoins: [] };
  const where = resolveNode(mainScope(ctx, registry), ast);
  const rules = ruleJoinConditions(ctx, registry);
  return {
    kind: "filter",
    joins: registry.joins,
    where: rules.length ? { kind: "and", items: [...rules, where] } : where,
  };
}

/**
 * ANDs filters so they share joins by key, exactly as PocketBase applies a list rule and a client filter
 * with one resolver (the same relation path is one join row in both).
 */
export function mergeFilters(...filters: readonly ResolvedFilter[]): ResolvedFilter {
  const joins: Join[] = [];
  for (const f of filters) {
    for (const j of f.joins) {
      const i = joins.findIndex((x) => x.key === j.key);
      if (i >= 0) joins[i] = j;
      else joins.push(j);
    }
  }
  const items = filters.map((f) => f.where);
  return { kind: "filter", joins, where: items.length === 1 ? items[0]! : { kind: "and", items } };
}

/** A filter that matches every row (an empty rule). */
export function matchAll(): ResolvedFilter {
  return { kind: "filter", joins: [], where: { kind: "const", value: true } };
}
