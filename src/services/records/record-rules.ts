import type { Collection, Rule } from "../../core/collections/collection.ts";
import { PlinthError } from "../../core/errors.ts";
import {
  type FilterNode,
  parseFilter,
  type ResolvedFilter,
  resolveFilter,
  type SchemaLookup,
} from "../../core/filter/index.ts";
import { isSuperuser, type RequestInfo } from "../../core/request-info.ts";

/** How a rule applies to a request: skip it (superuser or ""), deny (null), or filter rows. */
export type RuleDecision =
  | { readonly kind: "allow" }
  | { readonly kind: "deny" }
  | { readonly kind: "filter"; readonly filter: ResolvedFilter };

/** Everything rule resolution needs besides the rule text. */
export interface RuleEnv {
  readonly schema: SchemaLookup;
  readonly now: Date;
  /** Parsed-rule cache; without one each call parses the rule text. */
  readonly rules?: RuleCache;
}

/** Parsed rule texts; rules are few and reused on every request, so parsing once pays. Bounded. */
const PARSED_RULES_LIMIT = 1000;

/** A bounded cache of parsed rule expressions (one per service instance, never module-level). */
export interface RuleCache {
  parse(rule: string): FilterNode;
}

/** Creates an empty parsed-rule cache. */
export function createRuleCache(): RuleCache {
  const parsed = new Map<string, FilterNode>();
  return {
    parse(rule) {
      let ast = parsed.get(rule);
      if (ast === undefined) {
        ast = parseFilter(rule);
        if (parsed.size >= PARSED_RULES_LIMIT) parsed.clear();
        parsed.set(rule, ast);
      }
      return ast;
    },
  };
}

/** Resolves a collection rule for one request; rules may read hidden fields. */
export function decideRule(
  env: RuleEnv,
  collection: Collection,
  rule: Rule,
  request: RequestInfo,
): RuleDecision {
  if (isSuperuser(request)) return { kind: "allow" };
  if (rule === null) return { kind: "deny" };
  if (rule.trim() === "") return { kind: "allow" };
  return {
    kind: "filter",
    filter: resolveFilter(env.rules ? env.rules.parse(rule) : rule, {
      collection,
      schema: env.schema,
      request,
      now: env.now,
      allowHiddenFields: true,
    }),
  };
}

/** The PocketBase 403 for a null rule. */
export function superusersOnly(): PlinthError {
  return new PlinthError("forbidden", "Only superusers can perform this action.");
}

/** Rule filters as a `where` list (empty when allowed). */
export function ruleWhere(decision: RuleDecision): ResolvedFilter[] {
  return decision.kind === "filter" ? [decision.filter] : [];
}

/** Client filter/sort may not use @collection or @request unless a superuser sends them (PocketBase). */
export function checkClientExpression(request: RequestInfo, text: string): void {
  if (isSuperuser(request)) return;
  for (const prefix of ["@collection.", "@request."]) {
    if (text.includes(prefix)) throw new PlinthError("forbidden", `Only superusers can filter by ${prefix}`);
  }
}
