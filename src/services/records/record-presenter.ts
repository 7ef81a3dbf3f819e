import type { Collection } from "../../core/collections/collection.ts";
import type { StoreSession } from "../../core/ports.ts";
import { isSuperuser, type RequestInfo } from "../../core/request-info.ts";
import { parseFieldsParam, pickFields, toPublicRecord } from "../../core/records/index.ts";
import type { ExpandedRecord } from "./record-expand.ts";
import { decideRule, type RuleEnv } from "./record-rules.ts";

interface PresentDeps {
  readonly session: StoreSession;
  readonly env: RuleEnv;
  readonly request: RequestInfo;
}

/** Ids of auth records the requester may manage (manageRule), checked in one query per collection. */
async function manageable(deps: PresentDeps, collection: Collection, ids: string[]): Promise<Set<string>> {
  if (collection.type !== "auth" || deps.request.auth === null || ids.length === 0) return new Set();
  const decision = decideRule(deps.env, collection, collection.manageRule, deps.request);
  if (decision.kind === "deny") return new Set();
  if (decision.kind === "allow") return new Set(ids);
  const rows = await deps.session.findRecords({ collection, ids, where: [decision.filter], sort: [] });
  return new Set(rows.map((r) => String(r["id"])));
}

function collect(records: readonly ExpandedRecord[], into: Map<Collection, Set<string>>): void {
  for (const r of records) {
    let set = into.get(r.collection);
    if (set === undefined) into.set(r.collection, (set = new Set()));
    set.add(String(r.row["id"]));
    for (const value of Object.values(r.expand)) collect(Array.isArray(value) ? value : [value], into);
  }
}

/** Shapes records as the REST API returns them to this requester: hidden fields, emailVisibility, expand, `fields`. */
export async function presentRecords(
  deps: PresentDeps,
  records: readonly ExpandedRecord[],
  fieldsParam: string | undefined,
): Promise<Record<string, unknown>[]> {
  const superuser = isSuperuser(deps.request);
  const byCollection = new Map<Collection, Set<string>>();
  collect(records, byCollection);
  const managed = new Map<string, Set<string>>();
  for (const [collection, ids] of byCollection) {
    if (!superuser && collection.type === "auth")
      managed.set(collection.id, await manageable(deps, collection, [...ids]));
  }
  const auth = deps.request.auth;

  const shape = (r: ExpandedRecord): Record<string, unknown> => {
    const id = String(r.row["id"]);
    const json = toPublicRecord(r.collection, r.row, {
      isSuperuser: superuser,
      isOwner: auth !== null && auth.collectionId === r.collection.id && auth.record["id"] === id,
      canManage: managed.get(r.collection.id)?.has(id) ?? false,
    });
    const keys = Object.keys(r.expand);
    if (keys.length > 0) {
      const expand: Record<string, unknown> = {};
      for (const key of keys) {
        const value = r.expand[key]!;
        expand[key] = Array.isArray(value) ? value.map(shape) : shape(value);
      }
      json["expand"] = expand;
    }
    return json;
  };

  const shaped = records.map(shape);
  if (!fieldsParam) return shaped;
  const picked = parseFieldsParam(fieldsParam);
  return shaped.map((json) => pickFields(json, picked));
}
