import type { Collection } from "../../core/collections/collection.ts";
import type { RelationField } from "../../core/collections/field.ts";
import { findField } from "../../core/collections/collection.ts";
import { resolveFilter } from "../../core/filter/index.ts";
import type { RecordRow, StoreSession } from "../../core/ports.ts";
import type { RequestInfo } from "../../core/request-info.ts";
import { anyOfIdsFilter } from "./internal-filter.ts";
import { decideRule, type RuleEnv, ruleWhere } from "./record-rules.ts";

/** PocketBase's limits: 6 nested levels, 1000 back-related records per expand. */
export const MAX_EXPAND_DEPTH = 6;
const MAX_BACK_RELATIONS = 1000;

/** A parsed `expand` parameter: key → nested expands. */
export type ExpandTree = Map<string, ExpandTree>;

/** Parses `a,b.c,comments_via_post.author` into a tree; deeper paths are cut at the limit. */
export function parseExpand(param: string | undefined): ExpandTree {
  const root: ExpandTree = new Map();
  if (!param) return root;
  for (const path of param.split(",")) {
    let node = root;
    for (const part of path.trim().split(".").slice(0, MAX_EXPAND_DEPTH)) {
      if (part === "") break;
      let next = node.get(part);
      if (next === undefined) {
        next = new Map();
        node.set(part, next);
      }
      node = next;
    }
  }
  return root;
}

/** A record with the related records it expands (each already expanded in turn). */
export interface ExpandedRecord {
  readonly collection: Collection;
  readonly row: RecordRow;
  readonly expand: Record<string, ExpandedRecord | ExpandedRecord[]>;
}

interface ExpandDeps {
  readonly session: StoreSession;
  readonly env: RuleEnv;
  readonly request: RequestInfo;
}

function idsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string" && v !== "");
  return typeof value === "string" && value !== "" ? [value] : [];
}

/** Fetches related records the requester may view (the related collection's viewRule applies). */
async function fetchViewable(
  deps: ExpandDeps,
  collection: Collection,
  query: { ids?: string[]; filterText?: string },
) {
  const request = { ...deps.request, context: "expand" };
  const decision = decideRule(deps.env, collection, collection.viewRule, request);
  if (decision.kind === "deny") return [];
  const where = ruleWhere(decision);
  if (query.filterText !== undefined) {
    where.push(
      resolveFilter(query.filterText, {
        collection,
        schema: deps.env.schema,
        request,
        now: deps.env.now,
        allowHiddenFields: true,
      }),
    );
  }
  return deps.session.findRecords({
    collection,
    ...(query.ids ? { ids: query.ids } : {}),
    where,
    sort: [],
    limit: query.ids ? undefined : MAX_BACK_RELATIONS,
  });
}

/** Expands relations and back-relations level by level: one query per relation per level, not per record. */
export async function expandRecords(
  deps: ExpandDeps,
  collection: Collection,
  rows: readonly RecordRow[],
  tree: ExpandTree,
): Promise<ExpandedRecord[]> {
  const out: ExpandedRecord[] = rows.map((row) => ({ collection, row, expand: {} }));
  if (tree.size === 0 || rows.length === 0) return out;

  for (const [key, subtree] of tree) {
    const field = findField(collection, key);
    if (field?.type === "relation") {
      const target = deps.env.schema.byNameOrId(field.collectionId);
      if (target === undefined) continue;
      const ids = [...new Set(rows.flatMap((r) => idsOf(r[key])))];
      if (ids.length === 0) continue;
      const related = await expandRecords(deps, target, await fetchViewable(deps, target, { ids }), subtree);
      const byId = new Map(related.map((r) => [String(r.row["id"]), r]));
      for (const rec of out) {
        const found = idsOf(rec.row[key]).flatMap((id) => byId.get(id) ?? []);
        if (found.length === 0) continue;
        (rec.expand as Record<string, ExpandedRecord | ExpandedRecord[]>)[key] =
          (field as RelationField).maxSelect > 1 ? found : found[0]!;
      }
      continue;
    }
    const back = /^(\w+)_via_(\w+)$/.exec(key);
    if (back === null) continue;
    const source = deps.env.schema.byNameOrId(back[1]!);
    const via = source ? findField(source, back[2]!) : undefined;
    if (source === undefined || via?.type !== "relation" || via.collectionId !== collection.id) continue;
    const ids = rows.map((r) => String(r["id"]));
    const relatedRows = await fetchViewable(deps, source, { filterText: anyOfIdsFilter(via.name, ids) });
    const related = await expandRecords(deps, source, relatedRows, subtree);
    for (const rec of out) {
      const id = String(rec.row["id"]);
      const found = related.filter((r) => idsOf(r.row[via.name]).includes(id));
      if (found.length > 0) (rec.expand as Record<string, ExpandedRecord[]>)[key] = found;
    }
  }
  return out;
}
