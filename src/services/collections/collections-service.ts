import type { Collection } from "../../core/collections/collection.ts";
import {
  createSystemCollections,
  normalizeCollection,
  planImport,
  toApiCollection,
  validateCollection,
} from "../../core/collections/index.ts";
import type { Clock, IdGen } from "../../core/clock.ts";
import { formatDateTime } from "../../core/clock.ts";
import {
  FIELD_CODES,
  type FieldErrors,
  isPlinthError,
  PlinthError,
  validationError,
} from "../../core/errors.ts";
import type { EventHub } from "../../core/events.ts";
import { resolveFilter } from "../../core/filter/index.ts";
import type { Store, StoreSession } from "../../core/ports.ts";
import { guestRequest, isSuperuser, type RequestInfo } from "../../core/request-info.ts";
import { normalizePaging } from "../../core/paging.ts";
import type { SchemaCache } from "../schema-cache.ts";
import { resyncViews } from "./view-resync.ts";
import { filterCollections, sortCollections } from "./collection-filter.ts";

/** What the collections service needs. */
export interface CollectionServiceDeps {
  readonly store: Store;
  readonly schema: SchemaCache;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly events: EventHub;
  /** Deletes every record of a collection the way single deletes do (cascades, references, events). */
  readonly truncateRecords: (collection: Collection) => Promise<void>;
}

/** The cached schema no longer matches the database: plan the change again. */
class StaleSchema extends Error {}

/** How many times a change is planned again because another instance changed the schema meanwhile. */
const MAX_REPLANS = 10;

/**
 * Runs schema changes one at a time in this process (so they never invalidate each other's plans),
 * and each one again while its plan turns out stale because another process changed the schema.
 */
function createSchemaChangeQueue() {
  let tail: Promise<unknown> = Promise.resolve();
  return function replanWhenStale<T>(plan: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await plan();
        } catch (err) {
          if (!(err instanceof StaleSchema)) throw err;
          if (attempt >= MAX_REPLANS)
            throw new PlinthError("unavailable", "The schema is being changed elsewhere; please retry.");
        }
      }
    };
    const result = tail.then(run, run);
    tail = result.catch(() => undefined);
    return result;
  };
}

/** Whether two loads of the schema are the same collections with the same definitions. */
function sameCollections(a: readonly Collection[], b: readonly Collection[]): boolean {
  if (a.length !== b.length) return false;
  const byId = new Map(b.map((c) => [c.id, JSON.stringify(c)]));
  return a.every((c) => byId.get(c.id) === JSON.stringify(c));
}

const SECRET_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function requireSuperuser(request: RequestInfo): void {
  if (request.auth === null)
    throw new PlinthError("unauthenticated", "The request requires valid record authorization token.");
  if (!isSuperuser(request))
    throw new PlinthError("forbidden", "The authorized record is not allowed to perform this action.");
}

/** Database reasons that name only the user's own identifiers, so they are safe and useful to show. */
const SAFE_REASON = /^no such (?:table|column|function): [\w.$]{1,100}$/;

/** A view whose query the database refused becomes a viewQuery error; the raw database text stays out. */
function viewQueryError(err: PlinthError): PlinthError {
  const cause = err.cause instanceof Error ? err.cause.message.replace(/^.*?:\s*(?=no such)/, "") : "";
  const reason = SAFE_REASON.test(cause) ? cause : "the database can't run it against the current schema";
  return new PlinthError("validation_failed", "Failed to validate the submitted data.", {
    cause: err,
    fields: { viewQuery: { code: FIELD_CODES.invalidQuery, message: `Invalid query - ${reason}.` } },
  });
}

/** Collection definitions: CRUD, import and truncate, each migrating the real table in one transaction. */
export function createCollectionService(deps: CollectionServiceDeps) {
  const { store, schema, clock } = deps;
  const opts = (collections: readonly Collection[] = schema.all()) => ({
    now: formatDateTime(clock.now()),
    randomSecret: () => deps.ids.random(50, SECRET_ALPHABET),
    collections,
  });

  function checkRuleOver(all: readonly Collection[]) {
    const lookup = schema.lookupOver(all);
    return (rule: string, collection: Collection): string | null => {
      try {
        resolveFilter(rule, {
          collection,
          schema: lookup,
          request: guestRequest(),
          now: clock.now(),
          allowHiddenFields: true,
        });
        return null;
      } catch (err) {
        return err instanceof PlinthError ? err.message : "Invalid rule.";
      }
    };
  }

  function check(next: Collection, previous: Collection | null, all: readonly Collection[]): void {
    const errors: FieldErrors = validateCollection(next, previous, { all, checkRule: checkRuleOver(all) });
    if (Object.keys(errors).length > 0) throw validationError(errors);
  }

  /** Applies a schema change inside the caller's transaction and reloads the cache from it. */
  async function apply(
    tx: StoreSession,
    previous: Collection | null,
    next: Collection | null,
    all: readonly Collection[],
  ) {
    try {
      await tx.syncRecordTable(previous, next, all);
    } catch (err) {
      if (next?.type === "view" && isPlinthError(err) && err.code === "validation_failed")
        throw viewQueryError(err);
      throw err;
    }
    if (next === null) await tx.deleteCollection(previous!.id);
    else await tx.saveCollection(next);
  }

  /**
   * Runs a schema change planned against `basis`, the cached schema when planning began. Inside the
   * transaction it first takes the schema lock and checks `basis` still matches the database: another
   * instance (or worker) may have changed the schema since, and a plan made from a stale copy would
   * apply the wrong DDL. Then it throws StaleSchema; the cache is reloaded and the caller plans again.
   */
  const replanWhenStale = createSchemaChangeQueue();

  async function commit(
    basis: readonly Collection[],
    fn: (tx: StoreSession) => Promise<void>,
  ): Promise<void> {
    try {
      await store.transaction(async (tx) => {
        await tx.lockSchema();
        if (!sameCollections(await tx.loadCollections(), basis)) throw new StaleSchema();
        await fn(tx);
        await schema.reload(tx);
      });
      // Once more from the committed database: a reload that started while this transaction was
      // committing (another instance's announcement, say) read the schema from before it, and may
      // have finished after the reload above.
      await schema.reload(store).catch(() => {});
    } catch (err) {
      // the transaction rolled back; the cache must match the database again
      await schema.reload(store);
      throw err;
    }
    deps.events.publish({ kind: "schema" });
  }

  function referencedBy(target: Collection): Collection[] {
    return schema
      .all()
      .filter(
        (c) =>
          c.id !== target.id && c.fields.some((f) => f.type === "relation" && f.collectionId === target.id),
      );
  }

  return {
    /** Creates the system collections on a new database. */
    async bootstrap(): Promise<void> {
      await store.init();
      await schema.reload(store);
      // instances starting together on a new database: the first creates, the others find it done
      await replanWhenStale(async () => {
        const basis = schema.all();
        if (basis.length > 0) return;
        const system = createSystemCollections(opts([]));
        await commit(basis, async (tx) => {
          for (const c of system) await apply(tx, null, c, system);
        });
      });
    },

    list(request: RequestInfo, params: { page?: number; perPage?: number; filter?: string; sort?: string }) {
      requireSuperuser(request);
      const all = sortCollections(filterCollections(schema.all(), params.filter), params.sort).map(
        toApiCollection,
      );
      const { page, perPage } = normalizePaging(params.page, params.perPage);
      const items = all.slice((page - 1) * perPage, page * perPage);
      return { page, perPage, totalItems: all.length, totalPages: Math.ceil(all.length / perPage), items };
    },

    view(request: RequestInfo, nameOrId: string) {
      requireSuperuser(request);
      return toApiCollection(schema.require(nameOrId));
    },

    async create(request: RequestInfo, input: unknown) {
      requireSuperuser(request);
      return replanWhenStale(() => createPlanned(input));
    },

    async update(request: RequestInfo, nameOrId: string, input: unknown) {
      requireSuperuser(request);
      return replanWhenStale(() => updatePlanned(nameOrId, input));
    },

    async delete(request: RequestInfo, nameOrId: string): Promise<void> {
      requireSuperuser(request);
      return replanWhenStale(() => deletePlanned(nameOrId));
    },

    async truncate(request: RequestInfo, nameOrId: string): Promise<void> {
      requireSuperuser(request);
      const c = schema.require(nameOrId);
      if (c.type === "view") throw new PlinthError("invalid_input", "View collections can't be truncated.");
      await deps.truncateRecords(c);
    },

    async import(
      request: RequestInfo,
      body: { collections?: unknown; deleteMissing?: unknown },
    ): Promise<void> {
      requireSuperuser(request);
      return replanWhenStale(() => importPlanned(body));
    },
  };

  async function createPlanned(input: unknown) {
    const basis = schema.all(); // read synchronously with the plan; commit() checks it
    const next = normalizeCollection(input, null, opts());
    const all = [...schema.all(), next];
    check(next, null, all);
    await commit(basis, (tx) => apply(tx, null, next, all));
    return toApiCollection(schema.require(next.id));
  }

  async function updatePlanned(nameOrId: string, input: unknown) {
    const basis = schema.all(); // read synchronously with the plan; commit() checks it
    const previous = schema.require(nameOrId);
    const next = normalizeCollection(input, previous, opts());
    const all = schema.all().map((c) => (c.id === previous.id ? next : c));
    check(next, previous, all);
    await commit(basis, async (tx) => {
      await apply(tx, previous, next, all);
      await resyncViews(tx, all, new Set([next.id]), opts().now, apply);
    });
    return toApiCollection(schema.require(next.id));
  }

  async function deletePlanned(nameOrId: string): Promise<void> {
    const basis = schema.all(); // read synchronously with the plan; commit() checks it
    const previous = schema.require(nameOrId);
    if (previous.system) throw new PlinthError("invalid_input", "System collections can't be deleted.");
    const refs = referencedBy(previous);
    if (refs.length > 0) {
      throw new PlinthError(
        "invalid_input",
        `The collection is referenced by ${refs.map((c) => c.name).join(", ")}; remove those relation fields first.`,
      );
    }
    const all = schema.all().filter((c) => c.id !== previous.id);
    await commit(basis, async (tx) => {
      await apply(tx, previous, null, all);
      await resyncViews(tx, all, new Set(), opts().now, apply);
    });
  }

  async function importPlanned(body: { collections?: unknown; deleteMissing?: unknown }): Promise<void> {
    const basis = schema.all(); // read synchronously with the plan; commit() checks it
    if (!Array.isArray(body.collections) || body.collections.length === 0) {
      throw validationError({ collections: { code: "validation_required", message: "Cannot be blank." } });
    }
    const plan = planImport(body.collections, schema.all(), body.deleteMissing === true, opts());
    if (!("upserts" in plan)) throw validationError(plan as FieldErrors);
    const byId = new Map(schema.all().map((c) => [c.id, c]));
    const deleted = new Set(plan.deletes.map((c) => c.id));
    const upserted = new Map(plan.upserts.map((c) => [c.id, c]));
    const all = [
      ...schema
        .all()
        .filter((c) => !deleted.has(c.id))
        .map((c) => upserted.get(c.id) ?? c),
      ...plan.upserts.filter((c) => !byId.has(c.id)),
    ];
    const errors: Record<string, FieldErrors> = {};
    plan.upserts.forEach((next, i) => {
      const e = validateCollection(next, byId.get(next.id) ?? null, { all, checkRule: checkRuleOver(all) });
      if (Object.keys(e).length > 0) errors[String(i)] = e;
    });
    if (Object.keys(errors).length > 0) throw validationError({ collections: errors });
    await commit(basis, async (tx) => {
      for (const c of plan.deletes) await apply(tx, c, null, all);
      // tables first, views last: a view may select from a table created in the same import
      const ordered = [...plan.upserts].sort((a, b) => Number(a.type === "view") - Number(b.type === "view"));
      for (const next of ordered) await apply(tx, byId.get(next.id) ?? null, next, all);
      await resyncViews(tx, all, new Set(upserted.keys()), opts().now, apply);
    });
  }
}

/** The collections service's type. */
export type CollectionService = ReturnType<typeof createCollectionService>;
