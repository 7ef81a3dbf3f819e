import type { Collection } from "../../core/collections/collection.ts";
import type { IdGen } from "../../core/clock.ts";
import { PlinthError, validationError } from "../../core/errors.ts";
import type { EventHub, RecordEvent } from "../../core/events.ts";
import { BUS_MAX_MESSAGE_BYTES, type Bus } from "../../core/bus.ts";
import type { RecordRow, Store, StoreSession } from "../../core/ports.ts";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import type { RecordService } from "../records/index.ts";
import type { SchemaCache } from "../schema-cache.ts";
import {
  MAX_SUBSCRIPTION_LENGTH,
  MAX_SUBSCRIPTIONS,
  parseSubscription,
  type Subscription,
} from "./subscriptions.ts";

/** Where a client's messages go: the SSE response of its connection. */
export interface RealtimeSink {
  /** Writes one event for client `clientId` (PocketBase's SSE `id:` line). */
  send(name: string, data: string, clientId: string): void;
  /** Ends the connection (the SDK reconnects). */
  close(): void;
}

interface Client {
  readonly id: string;
  readonly sink: RealtimeSink;
  auth: AuthInfo | null;
  subscriptions: Subscription[];
}

/** What the realtime service needs. */
export interface RealtimeServiceDeps {
  readonly schema: SchemaCache;
  readonly records: RecordService;
  readonly store: Store;
  readonly events: EventHub;
  readonly ids: IdGen;
  readonly log: { warn(obj: object, msg: string): void };
  /** Record events of other instances arrive here, and this instance's go out. */
  readonly bus: Bus;
  readonly channel: string;
  /** This instance's id, to skip its own messages. */
  readonly origin: string;
}

/** A record event as it travels between instances (a deleted record travels whole, when it fits). */
interface RemoteRecordEvent {
  readonly o: string;
  readonly a: RecordEvent["kind"];
  readonly c: string;
  readonly r: string;
  readonly row?: RecordRow;
}

/** Thrown to roll back the check of a deleted record from another instance. */
const ROLLBACK = Symbol("rollback");

const CLIENT_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** How long messages prepared for a delete wait for its commit before they are dropped (rolled back). */
const DELETE_MESSAGES_TTL_MS = 60_000;

function sameAuth(a: AuthInfo | null, b: AuthInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return a.collectionId === b.collectionId && a.record["id"] === b.record["id"];
}

/**
 * Realtime over PocketBase's protocol: a client connects (`GET /api/realtime`, SSE), is told its id
 * (`PB_CONNECT`), then sets its subscriptions with `POST /api/realtime`, which also binds the
 * request's auth to the connection. Every committed create, update and delete is sent to each
 * subscription whose collection's rule (view rule for one record, list rule for `*`) and optional
 * filter let that client see the record right now, shaped as the REST API would return it to that
 * client (expand, fields, hidden fields, email visibility).
 *
 * A delete is checked inside its transaction, while the record still exists (a rule may follow its
 * relations); the messages are sent once the delete commits.
 */
export async function startRealtimeService(deps: RealtimeServiceDeps) {
  const clients = new Map<string, Client>();
  /** Messages for deletes that are about to commit, by "collectionId/recordId". */
  const deleteMessages = new Map<string, { at: number; messages: [Client, string, string][] }>();
  // Events are handled one after another, so each client gets them in commit order.
  let queue: Promise<void> = Promise.resolve();

  function subscribersOf(c: Collection, recordId: string): [Client, Subscription][] {
    const out: [Client, Subscription][] = [];
    for (const client of clients.values()) {
      for (const sub of client.subscriptions) {
        if (sub.collection !== c.name && sub.collection !== c.id) continue;
        if (sub.target === "*" || sub.target === recordId) out.push([client, sub]);
      }
    }
    return out;
  }

  function requestOf(client: Client, sub: Subscription): RequestInfo {
    return {
      auth: client.auth,
      method: "GET",
      context: "realtime",
      headers: sub.headers,
      query: sub.query,
      body: {},
    };
  }

  /** The messages `action` on `row` produces, each checked against its subscriber's rules. */
  async function messagesFor(
    action: RecordEvent["kind"],
    c: Collection,
    row: RecordRow,
    session?: StoreSession,
  ): Promise<[Client, string, string][]> {
    const id = String(row["id"]);
    const out: [Client, string, string][] = [];
    for (const [client, sub] of subscribersOf(c, id)) {
      const record = await deps.records.visibleAs(
        requestOf(client, sub),
        c,
        id,
        {
          rule: sub.target === "*" ? "list" : "view",
          filter: sub.query["filter"],
          expand: sub.query["expand"],
          fields: sub.query["fields"],
        },
        session,
      );
      if (record !== null) out.push([client, sub.name, JSON.stringify({ action, record })]);
    }
    return out;
  }

  function deliver(messages: readonly [Client, string, string][]): void {
    for (const [client, name, data] of messages) {
      if (clients.get(client.id) !== client) continue; // disconnected meanwhile
      try {
        client.sink.send(name, data, client.id);
      } catch (err) {
        deps.log.warn({ err, clientId: client.id }, "realtime client could not be written to");
        service.disconnect(client.id);
      }
    }
  }

  /** An auth record changed or went: connections authenticated as it follow (PocketBase's rules). */
  /** The connections authenticated as record `recordId` of collection `c`, with that auth. */
  function* authenticatedAs(c: Collection, recordId: unknown): Generator<[Client, AuthInfo]> {
    if (c.type !== "auth") return;
    for (const client of clients.values()) {
      const auth = client.auth;
      if (auth !== null && auth.collectionId === c.id && auth.record["id"] === recordId) yield [client, auth];
    }
  }

  function followAuthRecord(event: RecordEvent): void {
    const { collection: c, record } = event;
    for (const [client, auth] of authenticatedAs(c, record["id"])) {
      // a new token key (password, email change…) or a delete ends the connection's authentication
      if (event.kind === "delete" || auth.record["tokenKey"] !== record["tokenKey"]) client.auth = null;
      else client.auth = { ...auth, record };
    }
  }

  async function handle(event: RecordEvent): Promise<void> {
    const key = `${event.collection.id}/${String(event.record["id"])}`;
    if (event.kind === "delete") {
      const prepared = deleteMessages.get(key);
      deleteMessages.delete(key);
      if (prepared) deliver(prepared.messages);
      followAuthRecord(event);
      return;
    }
    // an updated auth record first updates the connections authenticated as it (PocketBase's order)
    followAuthRecord(event);
    if (clients.size > 0) deliver(await messagesFor(event.kind, event.collection, event.record));
  }

  function enqueue(work: () => Promise<void>): void {
    queue = queue
      .then(work)
      .catch((err: unknown) => deps.log.warn({ err }, "realtime could not deliver a record event"));
  }

  deps.events.subscribe((event) => {
    if (event.kind !== "create" && event.kind !== "update" && event.kind !== "delete") return;
    enqueue(() => handle(event));
    announce(event);
  });

  /** Tells the other instances, whose subscribers check the record themselves. */
  function announce(event: RecordEvent): void {
    const message: RemoteRecordEvent = {
      o: deps.origin,
      a: event.kind,
      c: event.collection.id,
      r: String(event.record["id"]),
      row: event.record,
    };
    let text = JSON.stringify(message);
    if (new TextEncoder().encode(text).length > BUS_MAX_MESSAGE_BYTES)
      text = JSON.stringify({ ...message, row: undefined });
    deps.bus
      .publish(deps.channel, text)
      .catch((err: unknown) =>
        deps.log.warn({ err }, "realtime could not tell other instances of a record event"),
      );
  }

  /**
   * A record event from another instance. Creates and updates are checked against the record as
   * stored now. A deleted record no longer exists here, so it is put back for the check inside a
   * transaction that is always rolled back (rules may follow its relations, as for a local delete).
   */
  async function handleRemote(message: RemoteRecordEvent): Promise<void> {
    const c = deps.schema.byNameOrId(message.c);
    if (c === undefined) return;
    followRemoteAuth(c, message);
    if (clients.size === 0) return;
    if (message.a !== "delete") {
      const messages = await messagesFor(message.a, c, { id: message.r });
      // Nothing visible may mean the record was deleted since (a delete right after this write, even
      // while the checks ran): then check the row the write left instead.
      const gone =
        messages.length === 0 &&
        message.row !== undefined &&
        (await deps.store.findRecords({ collection: c, ids: [message.r], where: [], sort: [] })).length === 0;
      if (!gone) {
        deliver(messages);
        return;
      }
    }
    if (message.row === undefined) return; // too large to travel: its subscribers elsewhere miss it
    deliver(await withRowPutBack(message.a, c, message.row));
  }

  /** Checks subscribers against a row that no longer exists, put back in a transaction that rolls back. */
  async function withRowPutBack(
    action: RecordEvent["kind"],
    c: Collection,
    row: RecordRow,
  ): Promise<[Client, string, string][]> {
    let messages: [Client, string, string][] = [];
    await deps.store
      .transaction(async (tx) => {
        await tx.insertRecord(c, row);
        messages = await messagesFor(action, c, row, tx);
        throw ROLLBACK;
      })
      .catch((err: unknown) => {
        if (err !== ROLLBACK) throw err;
      });
    return messages;
  }

  /** Another instance changed or deleted an auth record: connections authenticated as it follow. */
  function followRemoteAuth(c: Collection, message: RemoteRecordEvent): void {
    if (message.a === "create") return;
    for (const [client] of authenticatedAs(c, message.r)) {
      // the record as it is now is not at hand: drop the auth (the client re-authenticates on resubscribe)
      client.auth = null;
    }
  }

  const unsubscribeBus = await deps.bus.subscribe(deps.channel, (text) => {
    let message: RemoteRecordEvent;
    try {
      message = JSON.parse(text) as RemoteRecordEvent;
    } catch {
      return;
    }
    if (message.o === deps.origin || typeof message.c !== "string" || typeof message.r !== "string") return;
    if (message.a !== "create" && message.a !== "update" && message.a !== "delete") return;
    enqueue(() => handleRemote(message));
  });

  deps.records.onBeforeDelete(async (session, c, row) => {
    if (clients.size === 0) return;
    const now = Date.now();
    for (const [key, entry] of deleteMessages)
      if (now - entry.at > DELETE_MESSAGES_TTL_MS) deleteMessages.delete(key);
    const messages = await messagesFor("delete", c, row, session);
    if (messages.length > 0) deleteMessages.set(`${c.id}/${String(row["id"])}`, { at: now, messages });
  });

  const service = {
    /** Registers a connection and sends it PB_CONNECT with its client id. */
    connect(sink: RealtimeSink): string {
      const id = deps.ids.random(40, CLIENT_ID_ALPHABET);
      const client: Client = { id, sink, auth: null, subscriptions: [] };
      clients.set(id, client);
      sink.send("PB_CONNECT", JSON.stringify({ clientId: id }), id);
      return id;
    },

    disconnect(clientId: string): void {
      const client = clients.get(clientId);
      if (client === undefined) return;
      clients.delete(clientId);
      client.sink.close();
    },

    /** `POST /api/realtime`: replaces a client's subscriptions and binds the request's auth to it. */
    setSubscriptions(request: RequestInfo, body: unknown): void {
      const input = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
      const clientId = input["clientId"];
      const subscriptions = input["subscriptions"] ?? [];
      const errors: Record<string, { code: string; message: string }> = {};
      if (typeof clientId !== "string" || clientId.length === 0)
        errors["clientId"] = { code: "validation_required", message: "Cannot be blank." };
      else if (clientId.length > 255)
        errors["clientId"] = {
          code: "validation_length_out_of_range",
          message: "The length must be between 1 and 255.",
        };
      if (!Array.isArray(subscriptions) || subscriptions.some((s) => typeof s !== "string"))
        errors["subscriptions"] = { code: "validation_invalid_value", message: "Must be a list of strings." };
      else if (subscriptions.length > MAX_SUBSCRIPTIONS)
        errors["subscriptions"] = {
          code: "validation_length_too_long",
          message: `The length must be no more than ${MAX_SUBSCRIPTIONS}.`,
        };
      else if (subscriptions.some((s: string) => s.length > MAX_SUBSCRIPTION_LENGTH))
        errors["subscriptions"] = {
          code: "validation_length_too_long",
          message: `Each subscription must be at most ${MAX_SUBSCRIPTION_LENGTH} characters.`,
        };
      if (Object.keys(errors).length > 0) throw validationError(errors);
      const client = clients.get(clientId as string);
      if (client === undefined) throw new PlinthError("not_found", "Missing or invalid client id.");
      // only a guest connection may become a user; any other change of identity is refused
      if (client.auth !== null && !sameAuth(client.auth, request.auth)) {
        throw new PlinthError("forbidden", "The current and the previous request authorization don't match.");
      }
      client.auth = request.auth;
      client.subscriptions = (subscriptions as string[]).flatMap((s) => parseSubscription(s) ?? []);
    },

    /** Ends every connection (shutdown: clients reconnect, to another instance if there is one). */
    closeAll(): void {
      for (const id of [...clients.keys()]) service.disconnect(id);
    },

    /** Stops hearing other instances' events. */
    async close(): Promise<void> {
      service.closeAll();
      await unsubscribeBus().catch(() => {});
    },

    get connections(): number {
      return clients.size;
    },
  };
  return service;
}

/** The realtime service's type. */
export type RealtimeService = Awaited<ReturnType<typeof startRealtimeService>>;
