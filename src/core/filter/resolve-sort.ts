import type { ResolveContext } from "./context.ts";
import { FieldProblem, filterError, quote } from "./errors.ts";
import { type JoinRegistry, resolveField } from "./field-resolver.ts";
import type { ResolvedSort } from "./ir.ts";
import { mainScope } from "./resolve-filter.ts";

/** PocketBase's sort bounds: at most 8 fields, each at most 255 characters. */
export const SORT_LIMITS = { maxFields: 8, maxFieldLength: 255 } as const;

/**
 * Resolves a `sort` parameter (`-created,+title,@random,@rowid,author.name`) against the live schema.
 * Only columns and column expressions are sortable; values bound from the request are not.
 */
export function resolveSort(text: string, ctx: ResolveContext): ResolvedSort[] {
  if (text.trim() === "") return [];
  const parts = text.split(",");
  if (parts.length > SORT_LIMITS.maxFields) {
    throw filterError(`more than ${SORT_LIMITS.maxFields} sort fields`);
  }
  return parts.map((part): ResolvedSort => {
    const item = part.trim();
    const direction = item.startsWith("-") ? "desc" : "asc";
    const name = item.startsWith("-") || item.startsWith("+") ? item.slice(1) : item;
    if (name.length > SORT_LIMITS.maxFieldLength) throw filterError("sort field too long");
    if (name === "@random") return { kind: "random" };
    if (name === "@rowid") return { kind: "rowid", direction };
    const registry: JoinRegistry = { joins: [], ruleJoins: [] };
    let resolved: ReturnType<typeof resolveField>;
    try {
      resolved = resolveField(mainScope(ctx, registry), name);
    } catch (err) {
      if (err instanceof FieldProblem)
        throw filterError(`invalid sort field ${quote(name)} (${err.message})`);
      throw err;
    }
    if (resolved.params.length > 0 || resolved.value.kind === "null" || resolved.value.kind === "emptyText") {
      throw filterError(`invalid sort field ${quote(name)}`);
    }
    return { kind: "value", value: resolved.value, joins: registry.joins, direction };
  });
}
