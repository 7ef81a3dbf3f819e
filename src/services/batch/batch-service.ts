import type { Collection } from "../../core/collections/collection.ts";
import type { Clock } from "../../core/clock.ts";
import { type FieldError, isPlinthError, PlinthError } from "../../core/errors.ts";
import type { SchemaLookup } from "../../core/filter/index.ts";
import type { Store, StoreSession } from "../../core/ports.ts";
import type { RequestInfo } from "../../core/request-info.ts";
import type { PendingEvents, RecordService } from "../records/index.ts";
import type { SettingsService } from "../settings/index.ts";
import { type BatchAction, matchBatchAction } from "./batch-action.ts";
import { type EmbeddedErrorBody, embeddedErrorBody } from "./batch-error-body.ts";
import { type BatchFiles, type BatchRequest, parseBatchRequests } from "./batch-request.ts";

/** What the batch service needs. */
export interface BatchServiceDeps {
  readonly store: Store;
  readonly records: RecordService;
  readonly settings: Pick<SettingsService, "current">;
  readonly clock: Clock;
  /** The live schema, for the upsert existence check; without it the check reads the collections in the transaction. */
  readonly schema?: SchemaLookup;
}

/** One entry of a successful batch response. */
export interface BatchResult {
  /** 200 with the record for a create or update, 204 with a null body for a delete. */
  readonly status: 200 | 204;
  readonly body: unknown;
}

/** `POST /api/batch`. */
export interface BatchService {
  /**
   * Runs every request of the batch in one transaction: all commit or none does. Throws
   * PocketBase's errors (403 when disabled, 400 for a bad body, 400 "Batch transaction failed." naming
   * the failed request, or with empty data on timeout); events are published only after the commit.
   */
  run(request: RequestInfo, body: unknown, files?: BatchFiles): Promise<BatchResult[]>;
}

/** Used when the configured timeout is 0, as PocketBase does ("for now always limit"). */
const DEFAULT_TIMEOUT_SECONDS = 3;

/** The failed request's index and error, carried out of the transaction so it rolls back. */
class RequestFailed extends Error {
  readonly index: number;
  readonly error: PlinthError;
  constructor(index: number, error: PlinthError) {
    super(error.message);
    this.index = index;
    this.error = error;
  }
}

/** Thrown by the guarded session once the deadline has passed. */
class TimedOut extends Error {}

/**
 * The transaction's session, refusing every call once the deadline has passed, so a batch that
 * overruns stops at its next database call and the transaction rolls back. Checking the injected clock
 * (rather than a timer) also works when the driver is synchronous and the event loop never idles.
 */
function guardSession(session: StoreSession, check: () => void): StoreSession {
  return new Proxy(session, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        try {
          check();
        } catch (err) {
          return Promise.reject(err);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Header names as RequestInfo exposes them. */
function headerKey(name: string): string {
  return name.toLowerCase().replaceAll("-", "_");
}

/**
 * The RequestInfo one batch entry runs with: the batch's auth (an entry's own Authorization header
 * has no effect), the batch's headers overridden by the entry's, the entry's method, query and body.
 * PocketBase replays each entry as a multipart request, so rules see that content type.
 */
function entryRequest(
  base: RequestInfo,
  entry: BatchRequest,
  method: string,
  query: Readonly<Record<string, string>>,
): RequestInfo {
  const headers: Record<string, string> = { ...base.headers };
  for (const [name, value] of Object.entries(entry.headers)) {
    const key = headerKey(name);
    if (key !== "authorization") headers[key] = value;
  }
  headers["content_type"] = "multipart/form-data";
  return { auth: base.auth, method, context: "batch", headers, query, body: entry.body };
}

/** The id an upsert looks for: the body's `id` as a string, "" when there is none. */
function upsertId(body: Readonly<Record<string, unknown>>): string {
  const id = body["id"];
  return typeof id === "string" || typeof id === "number" || typeof id === "boolean" ? String(id) : "";
}

/** Creates the batch service. */
export function createBatchService(deps: BatchServiceDeps): BatchService {
  const { store, records, settings, clock } = deps;

  async function findCollection(session: StoreSession, nameOrId: string): Promise<Collection | undefined> {
    if (deps.schema !== undefined) return deps.schema.byNameOrId(nameOrId);
    const lower = nameOrId.toLowerCase();
    return (await session.loadCollections()).find((c) => c.id === nameOrId || c.name.toLowerCase() === lower);
  }

  /** Whether a record exists, regardless of rules (the rules apply in the update or create that follows). */
  async function recordExists(session: StoreSession, nameOrId: string, id: string): Promise<boolean> {
    const collection = await findCollection(session, nameOrId);
    if (collection === undefined) return false;
    return (await session.findRecords({ collection, ids: [id], where: [], sort: [] })).length > 0;
  }

  async function runEntry(
    session: StoreSession,
    pending: PendingEvents,
    base: RequestInfo,
    entry: BatchRequest,
    action: BatchAction,
  ): Promise<BatchResult> {
    const shape = { expand: action.query["expand"], fields: action.query["fields"] };
    const body = entry.body as Record<string, unknown>;
    switch (action.kind) {
      case "create": {
        const info = entryRequest(base, entry, "POST", action.query);
        const { collection, row } = await records.createIn(session, pending, info, action.collection, body);
        return { status: 200, body: await records.present(info, collection, row, shape) };
      }
      case "update": {
        const info = entryRequest(base, entry, "PATCH", action.query);
        const { collection, row } = await records.updateIn(
          session,
          pending,
          info,
          action.collection,
          action.id,
          body,
        );
        return { status: 200, body: await records.present(info, collection, row, shape) };
      }
      case "upsert": {
        const id = upsertId(entry.body);
        if (id !== "" && (await recordExists(session, action.collection, id))) {
          return runEntry(session, pending, base, entry, { ...action, kind: "update", id });
        }
        return runEntry(session, pending, base, entry, { ...action, kind: "create" });
      }
      case "delete": {
        const info = entryRequest(base, entry, "DELETE", action.query);
        await records.deleteIn(session, pending, info, action.collection, action.id);
        return { status: 204, body: null };
      }
      default: {
        const unreachable: never = action;
        return unreachable;
      }
    }
  }

  return {
    async run(request, body, files) {
      const config = (await settings.current()).batch;
      if (!config.enabled || config.maxRequests <= 0) {
        throw new PlinthError("forbidden", "Batch requests are not allowed.");
      }
      const entries = parseBatchRequests(body, config.maxRequests, files);
      const timeoutSeconds = config.timeout > 0 ? config.timeout : DEFAULT_TIMEOUT_SECONDS;
      const deadline = clock.now().getTime() + timeoutSeconds * 1000;
      let timedOut = false;
      const check = () => {
        if (timedOut || clock.now().getTime() > deadline) {
          timedOut = true;
          throw new TimedOut("batch transaction timeout");
        }
      };

      const pending: PendingEvents = [];
      let results: BatchResult[];
      try {
        results = await store.transaction(async (tx) => {
          const session = guardSession(tx, check);
          const out: BatchResult[] = [];
          for (let i = 0; i < entries.length; i++) {
            check();
            const entry = entries[i]!;
            try {
              const action = matchBatchAction(entry.method, entry.url);
              if (action === null) {
                throw new PlinthError("invalid_input", "Something went wrong while processing your request.");
              }
              out.push(await runEntry(session, pending, request, entry, action));
            } catch (err) {
              // A request that failed because the deadline passed is a timeout, not that request's failure.
              if (timedOut) throw new TimedOut("batch transaction timeout", { cause: err });
              // Our own bugs (non-Plinth and internal errors) fail the whole batch as a 500, logged by the transport.
              if (isPlinthError(err) && err.code !== "internal") throw new RequestFailed(i, err);
              throw err;
            }
          }
          await records.journal(tx, pending);
          // Finishing after the deadline is still a timeout: the transaction must not commit late.
          check();
          return out;
        });
      } catch (err) {
        if (err instanceof TimedOut)
          throw new PlinthError("invalid_input", "Batch transaction failed.", { cause: err });
        if (err instanceof RequestFailed)
          throw batchFailed(err.index, embeddedErrorBody(err.error), err.error);
        throw err;
      }
      records.publish(pending);
      return results;
    },
  };
}

/** PocketBase's answer when one request of a batch fails: only the failed index is reported. */
function batchFailed(index: number, response: EmbeddedErrorBody, cause: PlinthError): PlinthError {
  const failure: FieldError & { readonly response: EmbeddedErrorBody } = {
    code: "batch_request_failed",
    message: "Batch request failed.",
    response,
  };
  return new PlinthError("invalid_input", "Batch transaction failed.", {
    fields: { requests: { [String(index)]: failure } },
    cause,
  });
}
