import type { Collection } from "../../core/collections/collection.ts";
import type { RecordRow, Store, StoreSession } from "../../core/ports.ts";
import type { AuthInfo } from "../../core/request-info.ts";
import type { RecordService } from "../records/index.ts";
import type { SchemaCache } from "../schema-cache.ts";
import type { SequencedEvent } from "./event-sequencer.ts";
import type { RealtimeClient } from "./realtime-client.ts";
import { createRecordMatcher, type Delivery } from "./record-matcher.ts";
import type { Subscription } from "./subscriptions.ts";

/** What record delivery needs. */
export interface RecordDeliveryDeps {
  readonly schema: SchemaCache;
  readonly records: RecordService;
  readonly store: Store;
  readonly log: { warn(obj: object, msg: string): void };
  /** The live connections, by client id. */
  readonly clients: ReadonlyMap<string, RealtimeClient>;
  /** Ends a connection that could not be written to. */
  readonly disconnect: (clientId: string) => void;
  /** A connection's auth was dropped or replaced by a newer version of its record (was `previous`). */
  readonly authChanged: (client: RealtimeClient, previous: AuthInfo) => void;
}

/** How long messages prepared for a delete wait for its commit before they are dropped (rolled back). */
const DELETE_MESSAGES_TTL_MS = 60_000;

/** Revoked token keys a connection remembers (a handful of password changes on one connection). */
const MAX_REVOKED_TOKEN_KEYS = 16;

/** Thrown to roll back the check of a record put back for its subscribers. */
const ROLLBACK = Symbol("rollback");

/**
 * Turns record events into messages for the connections allowed to see them, and sends them: each
 * subscriber is checked against the record as it is now (or, once gone, as it was written), shaped as
 * the REST API would return it to that subscriber. Also keeps connections' auth in step with their
 * auth record (PocketBase's rules).
 */
export function createRecordDelivery(deps: RecordDeliveryDeps) {
  const { clients } = deps;
  const matcher = createRecordMatcher(deps.records);
  /**
   * Messages for deletes that are about to commit, by "collectionId/recordId", with the token key of
   * each recipient's auth when they were checked (undefined for a guest).
   */
  const deleteMessages = new Map<
    string,
    { at: number; deliveries: Delivery[]; tokenKeys: (string | undefined)[] }
  >();

  /** The subscriptions (of every client, or only `only`) that record `recordId` of `c` concerns. */
  function subscribersOf(
    c: Collection,
    recordId: string,
    only?: RealtimeClient,
  ): [RealtimeClient, Subscription][] {
    const out: [RealtimeClient, Subscription][] = [];
    for (const client of only ? [only] : clients.values()) {
      for (const sub of client.subscriptions) {
        if (sub.collection !== c.name && sub.collection !== c.id) continue;
        if (sub.target === "*" || sub.target === recordId) out.push([client, sub]);
      }
    }
    return out;
  }

  /** Writes messages to their clients; `replaying`: only to clients whose replay this is part of. */
  function deliver(deliveries: readonly Delivery[], id: number | undefined, replaying = false): void {
    for (const [client, topic, data] of deliveries) {
      if (clients.get(client.id) !== client) continue; // disconnected meanwhile
      if (client.replaying !== replaying) continue; // the replay sends it
      try {
        client.sink.event(topic, data, id);
        if (id !== undefined) {
          client.seen = id;
          client.delivered = true;
        }
      } catch (err) {
        deps.log.warn({ err, clientId: client.id }, "realtime client could not be written to");
        deps.disconnect(client.id);
      }
    }
  }

  /** The connections authenticated as record `recordId` of collection `c`, with that auth. */
  function* authenticatedAs(c: Collection, recordId: unknown): Generator<[RealtimeClient, AuthInfo]> {
    if (c.type !== "auth") return;
    for (const client of clients.values()) {
      const auth = client.auth;
      if (auth !== null && auth.collectionId === c.id && auth.record["id"] === recordId) yield [client, auth];
    }
  }

  /** An auth record changed or went: connections authenticated as it follow (PocketBase's rules). */
  function followAuthRecord(c: Collection, event: SequencedEvent): void {
    if (event.action === "create") return;
    for (const [client, auth] of authenticatedAs(c, event.recordId)) {
      const row = event.row;
      // a new token key (password, email change…) or a delete ends the connection's authentication;
      // without the row (too large to travel) the change cannot be judged: drop it too
      if (event.action === "delete" || row === undefined || auth.record["tokenKey"] !== row["tokenKey"]) {
        client.auth = null;
        if (client.revokedTokenKeys.size >= MAX_REVOKED_TOKEN_KEYS) client.revokedTokenKeys.clear();
        client.revokedTokenKeys.add(String(auth.record["tokenKey"]));
      } else client.auth = { ...auth, record: row };
      deps.authChanged(client, auth);
    }
  }

  /**
   * Checks subscribers against a row that no longer exists, put back in a transaction that rolls
   * back. Putting it back can fail (another record took its unique value since): then it cannot be
   * checked, and nobody is sent it.
   */
  async function withRowPutBack(
    action: string,
    c: Collection,
    row: RecordRow,
    subscribers: readonly [RealtimeClient, Subscription][],
  ): Promise<Delivery[]> {
    let deliveries: Delivery[] = [];
    await deps.store
      .transaction(async (tx) => {
        await tx.insertRecord(c, row);
        const found = await matcher.deliveries(action, c, String(row["id"]), subscribers, tx);
        deliveries = found === "missing" ? [] : found;
        throw ROLLBACK;
      })
      .catch((err: unknown) => {
        if (err === ROLLBACK) return;
        deliveries = [];
        deps.log.warn(
          { err, collection: c.name, recordId: row["id"] },
          "realtime could not check a record that is gone; its event is not sent",
        );
      });
    return deliveries;
  }

  /** The messages one event produces for `subscribers`, checked as the record is now (or was, if gone). */
  async function deliveriesOf(
    c: Collection,
    event: SequencedEvent,
    subscribers: readonly [RealtimeClient, Subscription][],
  ): Promise<Delivery[]> {
    if (event.action !== "delete") {
      const found = await matcher.deliveries(event.action, c, event.recordId, subscribers, deps.store);
      if (found !== "missing") return found;
      // deleted since (even while the checks ran): check the row the write left instead
    }
    if (event.row === undefined) return []; // too large to travel: its subscribers elsewhere miss it
    return withRowPutBack(event.action, c, event.row, subscribers);
  }

  return {
    /** Forgets resolved rule conditions (the schema changed: rules may have). */
    reset(): void {
      matcher.reset();
    },

    /**
     * Sends one event to every subscriber allowed to see it (`id`: its number, absent for an event
     * written without the journal). An auth record's change first updates the connections
     * authenticated as it (PocketBase's order).
     */
    async handle(event: SequencedEvent, id: number | undefined): Promise<void> {
      const c = deps.schema.byNameOrId(event.collectionId);
      if (c === undefined) return;
      followAuthRecord(c, event);
      if (clients.size === 0) return;
      const key = `${c.id}/${event.recordId}`;
      const prepared = event.action === "delete" ? deleteMessages.get(key) : undefined;
      if (prepared !== undefined) {
        deleteMessages.delete(key);
        // not to a connection whose auth was dropped since the check (the same commit may have done it)
        deliver(
          prepared.deliveries.filter(([client], i) => {
            const key = prepared.tokenKeys[i];
            return key === undefined || !client.revokedTokenKeys.has(key);
          }),
          id,
        );
        return;
      }
      const subscribers = subscribersOf(c, event.recordId);
      if (subscribers.length > 0) deliver(await deliveriesOf(c, event, subscribers), id);
    },

    /** Sends `client` alone one journaled event, as part of its replay. */
    async replayTo(client: RealtimeClient, event: SequencedEvent): Promise<void> {
      const c = deps.schema.byNameOrId(event.collectionId);
      if (c === undefined) return;
      const subscribers = subscribersOf(c, event.recordId, client);
      if (subscribers.length > 0) deliver(await deliveriesOf(c, event, subscribers), event.seq, true);
    },

    /**
     * A local delete, inside its transaction while the record still exists (a rule may follow its
     * relations): prepares its messages, sent once the delete's event arrives after the commit.
     */
    async prepareDelete(session: StoreSession, c: Collection, row: RecordRow): Promise<void> {
      if (clients.size === 0) return;
      const now = Date.now();
      for (const [key, entry] of deleteMessages)
        if (now - entry.at > DELETE_MESSAGES_TTL_MS) deleteMessages.delete(key);
      const subscribers = subscribersOf(c, String(row["id"]));
      if (subscribers.length === 0) return;
      const found = await matcher.deliveries("delete", c, String(row["id"]), subscribers, session);
      if (found !== "missing" && found.length > 0)
        deleteMessages.set(`${c.id}/${String(row["id"])}`, {
          at: now,
          deliveries: found,
          tokenKeys: found.map(([client]) =>
            client.auth === null ? undefined : String(client.auth.record["tokenKey"]),
          ),
        });
    },
  };
}

/** Record delivery's type. */
export type RecordDelivery = ReturnType<typeof createRecordDelivery>;
