import type { Collection } from "../../core/collections/collection.ts";
import type { Clock, IdGen } from "../../core/clock.ts";
import { formatDateTime } from "../../core/clock.ts";
import { PlinthError, validationError, FIELD_CODES } from "../../core/errors.ts";
import type { EventHub, RecordEvent } from "../../core/events.ts";
import { journalEvents } from "./record-journal.ts";
import { mergeFilters, type ResolvedFilter, resolveFilter, resolveSort } from "../../core/filter/index.ts";
import { normalizePaging } from "../../core/paging.ts";
import type { PasswordHasher, RecordRow, Store, StoreSession } from "../../core/ports.ts";
import {
  type BuildResult,
  buildRecordForCreate,
  buildRecordForUpdate,
  recordErrors,
  relationIdsToCheck,
} from "../../core/records/index.ts";
import { isSuperuser, type RequestInfo } from "../../core/request-info.ts";
import type { SchemaCache } from "../schema-cache.ts";
import { type BeforeDelete, deleteWithReferences } from "./record-delete.ts";
import { expandRecords, parseExpand } from "./record-expand.ts";
import {
  createRecordPasswords,
  type PasswordWork,
  savedPasswordHash,
  setsPassword,
} from "./record-passwords.ts";
import { presentRecords } from "./record-presenter.ts";
import {
  checkClientExpression,
  createRuleCache,
  decideRule,
  type RuleEnv,
  ruleWhere,
  superusersOnly,
} from "./record-rules.ts";

/** What the records service needs. */
export interface RecordServiceDeps {
  readonly store: Store;
  readonly schema: SchemaCache;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly hasher: PasswordHasher;
  readonly events: EventHub;
}

/** The list query parameters PocketBase accepts. */
export interface ListParams {
  readonly page?: number;
  readonly perPage?: number;
  readonly sort?: string;
  readonly filter?: string;
  readonly expand?: string;
  readonly fields?: string;
  readonly skipTotal?: boolean;
}

/** Options for single-record reads and writes. */
export interface ShapeParams {
  readonly expand?: string;
  readonly fields?: string;
}

/** A page of records in PocketBase's shape. */
export interface ListResult {
  readonly page: number;
  readonly perPage: number;
  readonly totalItems: number;
  readonly totalPages: number;
  readonly items: Record<string, unknown>[];
}

/** Events produced inside a transaction, published only after it commits. */
export type PendingEvents = RecordEvent[];

export { DEFAULT_PER_PAGE, MAX_PER_PAGE } from "../../core/paging.ts";

/** One create or update inside a transaction. */
interface WriteCall {
  readonly session: StoreSession;
  readonly pending: PendingEvents;
  readonly request: RequestInfo;
  readonly nameOrId: string;
  readonly body: RecordRow;
  readonly work: PasswordWork | undefined;
}

/** The records use cases; REST, batch and (later) GraphQL and realtime all call these. */
export function createRecordService(deps: RecordServiceDeps) {
  const { store, schema, clock } = deps;
  const rules = createRuleCache();
  const env = (): RuleEnv => ({ schema, now: clock.now(), rules });
  const randomChar = (alphabet: string) => deps.ids.random(1, alphabet);
  const passwords = createRecordPasswords(deps.hasher);
  const beforeDeletes: BeforeDelete[] = [];
  const beforeDelete: BeforeDelete = async (session, c, row) => {
    for (const hook of beforeDeletes) await hook(session, c, row);
  };

  function writable(nameOrId: string): Collection {
    const c = schema.require(nameOrId);
    if (c.type === "view") throw new PlinthError("invalid_input", "Unsupported collection type.");
    return c;
  }

  async function shapeOne(
    session: StoreSession,
    c: Collection,
    row: RecordRow,
    request: RequestInfo,
    params: ShapeParams,
  ) {
    const ctx = { session, env: env(), request };
    const [expanded] = await expandRecords(ctx, c, [row], parseExpand(params.expand));
    const [json] = await presentRecords(ctx, [expanded!], params.fields);
    return json!;
  }

  async function fetchOne(session: StoreSession, c: Collection, id: string): Promise<RecordRow | undefined> {
    return (await session.findRecords({ collection: c, ids: [id], where: [], sort: [] }))[0];
  }

  async function checkRelations(session: StoreSession, c: Collection, values: RecordRow): Promise<void> {
    const errors: Record<string, { code: string; message: string }> = {};
    for (const { field, collectionId, ids } of relationIdsToCheck(c, values)) {
      const target = schema.byNameOrId(collectionId);
      const found = target ? await session.findRecords({ collection: target, ids, where: [], sort: [] }) : [];
      if (found.length !== new Set(ids).size) {
        errors[field] = {
          code: FIELD_CODES.missingRelation,
          message: "Failed to find all relation records with the provided ids.",
        };
      }
    }
    if (Object.keys(errors).length > 0) throw validationError(errors);
  }

  function buildCreate(c: Collection, request: RequestInfo, body: RecordRow): BuildResult {
    const canManage = isSuperuser(request);
    return buildRecordForCreate(c, body, {
      now: formatDateTime(clock.now()),
      randomChar,
      canManage,
      isSuperuser: canManage,
    });
  }

  async function buildUpdate(
    session: StoreSession,
    c: Collection,
    id: string,
    current: RecordRow,
    request: RequestInfo,
    body: RecordRow,
  ): Promise<BuildResult> {
    const canManage =
      isSuperuser(request) || (c.type === "auth" && (await canManageRecord(session, c, id, request)));
    return buildRecordForUpdate(c, current, body, {
      now: formatDateTime(clock.now()),
      randomChar,
      canManage,
      isSuperuser: isSuperuser(request),
    });
  }

  /**
   * The argon2 work a create will need, done outside any transaction; undefined when there is none
   * or when the create is going to fail anyway (the transaction then answers, hashing nothing).
   */
  async function prepareCreate(
    request: RequestInfo,
    nameOrId: string,
    body: RecordRow,
  ): Promise<PasswordWork | undefined> {
    const c = schema.byNameOrId(nameOrId);
    if (c === undefined || c.type === "view" || !setsPassword(c, body)) return undefined;
    if (decideRule(env(), c, c.createRule, request).kind === "deny") return undefined;
    const built = buildCreate(c, request, body);
    if (Object.keys(built.errors).length > 0) return undefined;
    return passwords.prepare(built.plainPasswords);
  }

  /** As `prepareCreate`, for an update: reads the record as it is now, checks `oldPassword`, hashes. */
  async function prepareUpdate(
    request: RequestInfo,
    nameOrId: string,
    id: string,
    body: RecordRow,
  ): Promise<PasswordWork | undefined> {
    const c = schema.byNameOrId(nameOrId);
    if (c === undefined || c.type === "view" || !setsPassword(c, body)) return undefined;
    const decision = decideRule(env(), c, c.updateRule, request);
    if (decision.kind === "deny") return undefined;
    const [current] = await store.findRecords({
      collection: c,
      ids: [id],
      where: ruleWhere(decision),
      sort: [],
    });
    if (current === undefined) return undefined;
    const built = await buildUpdate(store, c, id, current, request, body);
    if (Object.keys(built.errors).length > 0) return undefined;
    const old = built.oldPassword;
    return passwords.prepare(
      built.plainPasswords,
      old === undefined ? undefined : { savedHash: savedPasswordHash(current), value: old },
    );
  }

  async function createWith({ session, pending, request, nameOrId, body, work }: WriteCall) {
    const c = writable(nameOrId);
    const decision = decideRule(env(), c, c.createRule, request);
    if (decision.kind === "deny") throw superusersOnly();
    const built = buildCreate(c, request, body);
    if (Object.keys(built.errors).length > 0) throw validationError(built.errors);
    const values = built.values;
    await passwords.hashInto(values, built.plainPasswords, work);
    await checkRelations(session, c, values);
    await session.insertRecord(c, values);
    const id = String(values["id"]);
    if (decision.kind === "filter") {
      const ok = await session.findRecords({
        collection: c,
        ids: [id],
        where: [decision.filter],
        sort: [],
      });
      if (ok.length === 0) throw new PlinthError("invalid_input", "Failed to create record.");
    }
    const row = (await fetchOne(session, c, id))!;
    pending.push({ kind: "create", collection: c, record: row });
    return { collection: c, row };
  }

  async function updateWith({ session, pending, request, nameOrId, body, work }: WriteCall, id: string) {
    const c = writable(nameOrId);
    const decision = decideRule(env(), c, c.updateRule, request);
    if (decision.kind === "deny") throw superusersOnly();
    const [current] = await session.findRecords({
      collection: c,
      ids: [id],
      where: ruleWhere(decision),
      sort: [],
    });
    if (current === undefined) throw new PlinthError("not_found", "The requested resource wasn't found.");
    const built = await buildUpdate(session, c, id, current, request, body);
    if (Object.keys(built.errors).length > 0) throw validationError(built.errors);
    if (built.oldPassword !== undefined) {
      if (!(await passwords.matches(savedPasswordHash(current), built.oldPassword, work))) {
        throw validationError({ ...built.formErrors, oldPassword: recordErrors.invalidOldPassword() });
      }
    }
    const values = built.values;
    await passwords.hashInto(values, built.plainPasswords, work);
    await checkRelations(session, c, values);
    await session.updateRecord(c, id, values);
    const row = (await fetchOne(session, c, String(values["id"] ?? id)))!;
    pending.push({ kind: "update", collection: c, record: row });
    return { collection: c, row };
  }

  const service = {
    async list(request: RequestInfo, nameOrId: string, params: ListParams): Promise<ListResult> {
      const c = schema.require(nameOrId);
      const decision = decideRule(env(), c, c.listRule, request);
      if (decision.kind === "deny") throw superusersOnly();
      if (params.filter) checkClientExpression(request, params.filter);
      if (params.sort) checkClientExpression(request, params.sort);
      const { page, perPage } = normalizePaging(params.page, params.perPage);
      const clientCtx = {
        collection: c,
        schema,
        request,
        now: clock.now(),
        allowHiddenFields: isSuperuser(request),
      };
      // rule and client filter share joins, as PocketBase applies them in one expression
      const parts = ruleWhere(decision);
      if (params.filter) parts.push(resolveFilter(params.filter, clientCtx));
      const where = parts.length > 1 ? [mergeFilters(...parts)] : parts;
      const sort = params.sort ? resolveSort(params.sort, clientCtx) : [];
      const query = { collection: c, where, sort };
      const rows = await store.findRecords({ ...query, limit: perPage, offset: (page - 1) * perPage });
      let totalItems = -1;
      let totalPages = -1;
      if (!params.skipTotal) {
        totalItems = await store.countRecords(query);
        totalPages = Math.ceil(totalItems / perPage);
      }
      const ctx = { session: store as StoreSession, env: env(), request };
      const expanded = await expandRecords(ctx, c, rows, parseExpand(params.expand));
      const items = await presentRecords(ctx, expanded, params.fields);
      return { page, perPage, totalItems, totalPages, items };
    },

    async view(request: RequestInfo, nameOrId: string, id: string, params: ShapeParams) {
      const c = schema.require(nameOrId);
      const decision = decideRule(env(), c, c.viewRule, request);
      if (decision.kind === "deny") throw superusersOnly();
      const [row] = await store.findRecords({
        collection: c,
        ids: [id],
        where: ruleWhere(decision),
        sort: [],
      });
      if (row === undefined) throw new PlinthError("not_found", "The requested resource wasn't found.");
      return shapeOne(store, c, row, request, params);
    },

    /** Creates inside the caller's transaction; events go to `pending`. */
    createIn(
      session: StoreSession,
      pending: PendingEvents,
      request: RequestInfo,
      nameOrId: string,
      body: RecordRow,
    ) {
      return createWith({ session, pending, request, nameOrId, body, work: undefined });
    },

    /** Updates inside the caller's transaction; events go to `pending`. */
    updateIn(
      session: StoreSession,
      pending: PendingEvents,
      request: RequestInfo,
      nameOrId: string,
      id: string,
      body: RecordRow,
    ) {
      return updateWith({ session, pending, request, nameOrId, body, work: undefined }, id);
    },

    async deleteIn(
      session: StoreSession,
      pending: PendingEvents,
      request: RequestInfo,
      nameOrId: string,
      id: string,
    ) {
      const c = writable(nameOrId);
      const decision = decideRule(env(), c, c.deleteRule, request);
      if (decision.kind === "deny") throw superusersOnly();
      const [row] = await session.findRecords({
        collection: c,
        ids: [id],
        where: ruleWhere(decision),
        sort: [],
      });
      if (row === undefined) throw new PlinthError("not_found", "The requested resource wasn't found.");
      await deleteWithReferences({ session, schema, clock, pending, beforeDelete }, c, row);
    },

    /**
     * What a record of `c` must pass for `request` to see it through the view rule (one record) or the
     * list rule, and the optional client `filter`: conditions for `StoreSession.matchRecord`, or null
     * when nothing can pass (denied, or a filter the requester may not use or that does not parse).
     * Realtime checks every subscriber of an event with these, in one query.
     */
    visibilityConditions(
      request: RequestInfo,
      c: Collection,
      options: { rule: "view" | "list"; filter?: string | undefined },
    ): ResolvedFilter[] | null {
      const decision = decideRule(env(), c, options.rule === "view" ? c.viewRule : c.listRule, request);
      if (decision.kind === "deny") return null;
      const where = ruleWhere(decision);
      if (options.filter) {
        try {
          checkClientExpression(request, options.filter);
          where.push(
            resolveFilter(options.filter, {
              collection: c,
              schema,
              request,
              now: clock.now(),
              allowHiddenFields: isSuperuser(request),
            }),
          );
        } catch {
          return null;
        }
      }
      return where;
    },

    /** Conditions a record of `c` must pass for `rule` (any rule text) as `request`; null when denied. */
    ruleConditions(request: RequestInfo, c: Collection, rule: string | null): ResolvedFilter[] | null {
      const decision = decideRule(env(), c, rule, request);
      return decision.kind === "deny" ? null : ruleWhere(decision);
    },

    /** A stored record as `request` would get it from the REST API (expand, fields, hidden fields). */
    shapeAs(
      request: RequestInfo,
      c: Collection,
      row: RecordRow,
      params: ShapeParams,
      session: StoreSession = store,
    ): Promise<Record<string, unknown>> {
      return shapeOne(session, c, row, request, params);
    },

    /** Registers work to run inside the transaction before any record is deleted (see BeforeDelete). */
    onBeforeDelete(hook: BeforeDelete): () => void {
      beforeDeletes.push(hook);
      return () => {
        const i = beforeDeletes.indexOf(hook);
        if (i >= 0) beforeDeletes.splice(i, 1);
      };
    },

    /** Shapes a written record for the response (outside the write transaction). */
    present(request: RequestInfo, c: Collection, row: RecordRow, params: ShapeParams) {
      return shapeOne(store, c, row, request, params);
    },

    async create(request: RequestInfo, nameOrId: string, body: RecordRow, params: ShapeParams) {
      const pending: PendingEvents = [];
      const work = await prepareCreate(request, nameOrId, body);
      const { collection, row } = await store.transaction(async (session) => {
        const written = await createWith({ session, pending, request, nameOrId, body, work });
        await journal(session, pending);
        return written;
      });
      publish(pending);
      return service.present(request, collection, row, params);
    },

    async update(request: RequestInfo, nameOrId: string, id: string, body: RecordRow, params: ShapeParams) {
      const pending: PendingEvents = [];
      const work = await prepareUpdate(request, nameOrId, id, body);
      const { collection, row } = await store.transaction(async (session) => {
        const written = await updateWith({ session, pending, request, nameOrId, body, work }, id);
        await journal(session, pending);
        return written;
      });
      publish(pending);
      return service.present(request, collection, row, params);
    },

    async delete(request: RequestInfo, nameOrId: string, id: string): Promise<void> {
      const pending: PendingEvents = [];
      await store.transaction(async (tx) => {
        await service.deleteIn(tx, pending, request, nameOrId, id);
        await journal(tx, pending);
      });
      publish(pending);
    },

    /** Deletes every record in one transaction, each as a single delete would (cascades, references, events). */
    async truncateAll(c: Collection): Promise<void> {
      const pending: PendingEvents = [];
      await store.transaction(async (tx) => {
        for (;;) {
          const rows = await tx.findRecords({ collection: c, where: [], sort: [], limit: 500 });
          if (rows.length === 0) break;
          for (const row of rows)
            await deleteWithReferences({ session: tx, schema, clock, pending, beforeDelete }, c, row);
        }
        await journal(tx, pending);
      });
      publish(pending);
    },

    /** Publishes events collected during a committed transaction. */
    publish,

    /** Numbers a transaction's events in the journal; the transaction's last statement. */
    journal,
  };

  async function journal(session: StoreSession, pending: PendingEvents): Promise<void> {
    await journalEvents(session, pending, clock.now().getTime());
  }

  function publish(pending: PendingEvents): void {
    for (const event of pending) deps.events.publish(event);
  }

  async function canManageRecord(
    session: StoreSession,
    c: Collection,
    id: string,
    request: RequestInfo,
  ): Promise<boolean> {
    if (c.type !== "auth" || request.auth === null) return false;
    const decision = decideRule(env(), c, c.manageRule, request);
    if (decision.kind === "deny") return false;
    if (decision.kind === "allow") return true;
    return (
      (await session.findRecords({ collection: c, ids: [id], where: [decision.filter], sort: [] })).length > 0
    );
  }

  return service;
}

/** The records service's type. */
export type RecordService = ReturnType<typeof createRecordService>;
