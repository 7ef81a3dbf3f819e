import type { Collection, Rule } from "../../core/collections/collection.ts";
import { PlinthError } from "../../core/errors.ts";
import { type ResolvedFilter, resolveFilter, type SchemaLookup } from "../../core/filter/index.ts";
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
    filter: resolveFilter(rule, {
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
