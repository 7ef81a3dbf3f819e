import type { Collection } from "../../core/collections/collection.ts";
import type { IdGen } from "../../core/clock.ts";
import { type ErrorCode, isPlinthError, PlinthError, validationError } from "../../core/errors.ts";
import type { EventHub } from "../../core/events.ts";
import { BUS_MAX_MESSAGE_BYTES, type Bus } from "../../core/bus.ts";
import type { RecordRow, Store, StoreSession } from "../../core/ports.ts";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import type { RecordService } from "../records/index.ts";
import type { SchemaCache } from "../schema-cache.ts";
import type { Settings } from "../settings/index.ts";
import { CHANNEL_PREFIX, type ChannelMessage, createChannels } from "./channels.ts";
import { createSequencer, type SequencedEvent } from "./event-sequencer.ts";
import type { RealtimeClient, RealtimeSink } from "./realtime-client.ts";
import { createRecordMatcher, type Delivery } from "./record-matcher.ts";
import {
  MAX_SUBSCRIPTION_LENGTH,
  MAX_SUBSCRIPTIONS,
  parseSubscription,
  type Subscription,
} from "./subscriptions.ts";

/** How long and how much of the event journal is kept for replay. */
export interface ReplayLimits {
  /** Events older than this (ms) are forgotten; a client that missed more must resync. */
  readonly windowMs: number;
  /** At most this many events are kept, and replayed to one client. */
  readonly maxEvents: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { windowMs: 5 * 60_000, maxEvents: 100_000 };

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
  readonly replay?: ReplayLimits;
  /** Resolves an Authorization header, for subscription requests forwarded from other instances. */
  readonly authenticate: (token: string | undefined) => Promise<AuthInfo | null>;
  /** How many other instances are alive: each answers a forwarded request, so a miss is known early. */
  readonly peers: () => number;
  /** The current settings (broadcast channels and their rules). */
  readonly settings: () => Promise<Settings>;
}

/** A record event as it travels between instances (the row when it fits a bus message). */
interface RemoteRecordEvent {
  readonly t?: undefined;
  readonly o: string;
  readonly s: number;
  readonly a: SequencedEvent["action"];
  readonly c: string;
  readonly r: string;
  readonly row?: RecordRow;
}

/**
 * A subscription request for a connection held by another instance (a load balancer sent the POST
 * elsewhere than the stream): the instance holding it applies it and answers.
 */
interface ForwardedSubscriptions {
  readonly t: "sub";
  readonly o: string;
  /** Request id, echoed in the answer. */
  readonly q: string;
  readonly clientId: string;
  readonly token?: string | undefined;
  readonly subscriptions: string[];
}

interface ForwardedAnswer {
  readonly t: "sub-r";
  readonly o: string;
  readonly q: string;
  /** This instance does not hold the connection. */
  readonly miss?: true;
  readonly error?: { code: ErrorCode; message: string } | undefined;
}

/** How long a forwarded subscription request waits for the instance holding the connection. */
const FORWARD_TIMEOUT_MS = 3_000;

/** Thrown to roll back the check of a record put back for its subscribers. */
const ROLLBACK = Symbol("rollback");

const CLIENT_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** How long messages prepared for a delete wait for its commit before they are dropped (rolled back). */
const DELETE_MESSAGES_TTL_MS = 60_000;
/** How often the journal is read for events the bus did not bring, and pruned. */
const POLL_MS = 1_000;
const PRUNE_MS = 30_000;
/** Journal entries one replay read takes. */
const REPLAY_PAGE = 200;

function sameAuth(a: AuthInfo | null, b: AuthInfo | null): boolean {
  if (a === null || b === null) return a === b;
  return a.collectionId === b.collectionId && a.record["id"] === b.record["id"];
}

/**
 * Realtime over PocketBase's protocol (and Plinth's WebSocket one): a client connects, is told its
 * id, then sets its subscriptions, which also binds the request's auth to the connection. Every
 * committed create, update and delete, from this instance or another, is sent to each subscription
 * whose collection's rule (view rule for one record, list rule for `*`) and optional filter let that
 * client see the record right now, shaped as the REST API would return it to that client.
 *
 * Every event carries its number from the event journal (commit order, no gaps, the same on every
 * instance); a client that reconnects with the last number it saw gets what it missed, in order and
 * checked as live events are, or is told to resync when that is no longer kept.
 *
 * A local delete is checked inside its transaction, while the record still exists (a rule may follow
 * its relations); a record that is gone by the time its event is checked is put back, inside a
 * transaction that always rolls back, as it was written.
 */
export async function startRealtimeService(deps: RealtimeServiceDeps) {
  const limits = deps.replay ?? DEFAULT_REPLAY_LIMITS;
  const clients = new Map<string, RealtimeClient>();
  /** Messages for deletes that are about to commit, by "collectionId/recordId". */
  const deleteMessages = new Map<string, { at: number; deliveries: Delivery[] }>();
  const matcher = createRecordMatcher(deps.records);
  const channels = createChannels({
    settings: deps.settings,
    schema: deps.schema,
    records: deps.records,
    store: deps.store,
    bus: deps.bus,
    channel: deps.channel,
    origin: deps.origin,
    log: deps.log,
    clients: () => clients.values(),
  });
  const bounds = await deps.store.eventBounds();
  const sequencer = createSequencer({
    after: bounds.last,
    fetch: (after, limit) => deps.store.readEvents(after, limit),
    lastHandedOut: async () => (await deps.store.eventBounds()).last,
    handle,
    log: deps.log,
  });

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

  function deliver(deliveries: readonly Delivery[], id: number | undefined, replaying = false): void {
    for (const [client, topic, data] of deliveries) {
      if (clients.get(client.id) !== client) continue; // disconnected meanwhile
      if (client.replaying !== replaying) continue; // the replay sends it
      try {
        client.sink.event(topic, data, id);
        if (id !== undefined) client.seen = id;
      } catch (err) {
        deps.log.warn({ err, clientId: client.id }, "realtime client could not be written to");
        service.disconnect(client.id);
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
      if (event.action === "delete" || row === undefined || auth.record["tokenKey"] !== row["tokenKey"])
        client.auth = null;
      else client.auth = { ...auth, record: row };
    }
  }

  /** Checks subscribers against a row that no longer exists, put back in a transaction that rolls back. */
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
        if (err !== ROLLBACK) throw err;
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

  async function handle(event: SequencedEvent): Promise<void> {
    const c = deps.schema.byNameOrId(event.collectionId);
    if (c === undefined) return;
    // an updated auth record first updates the connections authenticated as it (PocketBase's order)
    followAuthRecord(c, event);
    if (clients.size === 0) return;
    const key = `${c.id}/${event.recordId}`;
    const prepared = event.action === "delete" ? deleteMessages.get(key) : undefined;
    if (prepared !== undefined) {
      deleteMessages.delete(key);
      deliver(prepared.deliveries, event.seq);
      return;
    }
    const subscribers = subscribersOf(c, event.recordId);
    if (subscribers.length > 0) deliver(await deliveriesOf(c, event, subscribers), event.seq);
  }

  /** Sends `client` alone the journal's events in (from, upTo]; returns the last one it got to. */
  async function replayRange(client: RealtimeClient, from: number, upTo: number): Promise<number> {
    while (from < upTo && clients.get(client.id) === client) {
      const page = await deps.store.readEvents(from, Math.min(REPLAY_PAGE, upTo - from));
      if (page.length === 0) break;
      for (const event of page) {
        from = event.seq;
        const c = deps.schema.byNameOrId(event.collectionId);
        if (c === undefined) continue;
        const subscribers = subscribersOf(c, event.recordId, client);
        if (subscribers.length > 0) deliver(await deliveriesOf(c, event, subscribers), event.seq, true);
      }
    }
    return from;
  }

  /**
   * Sends `client` the events after `after` it missed, then makes it live; or tells it to resync.
   * Most of the replay runs beside live delivery (which holds this client's events back meanwhile,
   * since the replay covers them); only the last stretch runs in line, so one client's long replay
   * never delays everyone's events.
   */
  async function replay(client: RealtimeClient, after: number): Promise<void> {
    const upTo = sequencer.processed;
    const kept = await deps.store.eventBounds();
    const reason =
      Number.isNaN(after) || after > upTo
        ? "unknown event id"
        : after === upTo
          ? undefined
          : after + 1 < kept.first
            ? "missed events are no longer kept"
            : upTo - after > limits.maxEvents
              ? "too many missed events"
              : undefined;
    if (reason !== undefined) {
      await sequencer.run(async () => {
        client.sink.resync(sequencer.processed, reason);
        client.replaying = false;
      });
      return;
    }
    let from = after;
    for (let round = 0; round < 10 && sequencer.processed - from > REPLAY_PAGE; round++)
      from = await replayRange(client, from, sequencer.processed);
    await sequencer.run(async () => {
      await replayRange(client, from, sequencer.processed);
      client.replaying = false;
    });
  }

  deps.events.subscribe((event) => {
    if (event.kind === "schema" || event.kind === "caches-stale") matcher.reset();
    if (event.kind !== "create" && event.kind !== "update" && event.kind !== "delete") return;
    const sequenced: SequencedEvent = {
      seq: event.seq ?? 0,
      action: event.kind,
      collectionId: event.collection.id,
      recordId: String(event.record["id"]),
      row: event.record,
    };
    if (event.seq === undefined) {
      // written without the journal: delivered here only, with no id
      void sequencer.run(() => handleUnsequenced(sequenced));
      return;
    }
    sequencer.arrive(sequenced);
    announce(sequenced);
  });

  async function handleUnsequenced(event: SequencedEvent): Promise<void> {
    const c = deps.schema.byNameOrId(event.collectionId);
    if (c === undefined) return;
    followAuthRecord(c, event);
    const subscribers = subscribersOf(c, event.recordId);
    if (subscribers.length > 0) deliver(await deliveriesOf(c, event, subscribers), undefined);
  }

  /** Tells the other instances at once (they would find it in the journal within a poll anyway). */
  function announce(event: SequencedEvent): void {
    const message: RemoteRecordEvent = {
      o: deps.origin,
      s: event.seq,
      a: event.action,
      c: event.collectionId,
      r: event.recordId,
      row: event.row,
    };
    let text = JSON.stringify(message);
    if (Buffer.byteLength(text) > BUS_MAX_MESSAGE_BYTES)
      text = JSON.stringify({ ...message, row: undefined });
    deps.bus
      .publish(deps.channel, text)
      .catch((err: unknown) =>
        deps.log.warn({ err }, "realtime could not tell other instances of a record event"),
      );
  }

  const unsubscribeBus = await deps.bus.subscribe(deps.channel, (text) => {
    let message: RemoteRecordEvent | ForwardedSubscriptions | ForwardedAnswer | ChannelMessage;
    try {
      message = JSON.parse(text) as
        | RemoteRecordEvent
        | ForwardedSubscriptions
        | ForwardedAnswer
        | ChannelMessage;
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null || message.o === deps.origin) return;
    if (message.t === "sub") void answerForwarded(message);
    else if (message.t === "sub-r") forwarded.get(message.q)?.(message);
    else if (message.t === "bc" || message.t === "pr" || message.t === "pr-sync") channels.receive(message);
    if (message.t !== undefined) return;
    if (message.o === deps.origin || typeof message.c !== "string" || typeof message.r !== "string") return;
    if (message.a !== "create" && message.a !== "update" && message.a !== "delete") return;
    if (!Number.isSafeInteger(message.s)) return;
    sequencer.arrive({
      seq: message.s,
      action: message.a,
      collectionId: message.c,
      recordId: message.r,
      row: message.row,
    });
  });

  deps.records.onBeforeDelete(async (session: StoreSession, c, row) => {
    if (clients.size === 0) return;
    const now = Date.now();
    for (const [key, entry] of deleteMessages)
      if (now - entry.at > DELETE_MESSAGES_TTL_MS) deleteMessages.delete(key);
    const subscribers = subscribersOf(c, String(row["id"]));
    if (subscribers.length === 0) return;
    const found = await matcher.deliveries("delete", c, String(row["id"]), subscribers, session);
    if (found !== "missing" && found.length > 0)
      deleteMessages.set(`${c.id}/${String(row["id"])}`, { at: now, deliveries: found });
  });

  let polling = false;
  const poll = setInterval(() => {
    if (polling) return;
    polling = true;
    sequencer
      .poll()
      .catch((err: unknown) => deps.log.warn({ err }, "realtime could not read the event journal"))
      .finally(() => {
        polling = false;
      });
  }, POLL_MS);
  poll.unref();
  const prune = setInterval(() => {
    deps.store
      .pruneEvents(Date.now() - limits.windowMs, limits.maxEvents)
      .catch((err: unknown) => deps.log.warn({ err }, "realtime could not prune the event journal"));
  }, PRUNE_MS);
  prune.unref();

  function requireClient(clientId: unknown): RealtimeClient {
    const client = typeof clientId === "string" ? clients.get(clientId) : undefined;
    if (client === undefined) throw new PlinthError("not_found", "Missing or invalid client id.");
    return client;
  }

  /** Only a guest connection may become a user; any other change of identity is refused. */
  function checkIdentity(client: RealtimeClient, auth: AuthInfo | null): void {
    if (client.auth !== null && !sameAuth(client.auth, auth)) {
      throw new PlinthError("forbidden", "The current and the previous request authorization don't match.");
    }
  }

  /** Binds `auth` to a connection (see checkIdentity). */
  function bindAuth(client: RealtimeClient, auth: AuthInfo | null): void {
    checkIdentity(client, auth);
    if (client.auth === auth) return;
    client.auth = auth;
    // listening was allowed for the previous auth
    for (const [name, grant] of client.channels) if (grant !== auth) client.channels.delete(name);
  }

  function validateTopics(subscriptions: unknown, errors: Record<string, { code: string; message: string }>) {
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
  }

  /** Starts a pending replay once the client has said what it wants. */
  function startReplay(client: RealtimeClient): Promise<void> {
    const after = client.resumeAfter;
    if (after === undefined || client.subscriptions.length === 0) return Promise.resolve();
    client.resumeAfter = undefined;
    client.replaying = true;
    return replay(client, after)
      .catch((err: unknown) => deps.log.warn({ err, clientId: client.id }, "realtime replay failed"))
      .finally(() => {
        client.replaying = false;
      });
  }

  /** Forwarded subscription requests waiting for their answer, by request id. */
  const forwarded = new Map<string, (answer: ForwardedAnswer) => void>();

  /**
   * Checks the channel topics among `topics` for a connection about to have `auth`; returns what
   * applies them. Nothing changes unless every one is allowed.
   */
  async function checkChannels(client: RealtimeClient, auth: AuthInfo | null, topics: readonly string[]) {
    const apply: (() => void)[] = [];
    for (const topic of topics)
      if (topic.startsWith(CHANNEL_PREFIX))
        apply.push(await channels.listen(client, auth, topic.slice(CHANNEL_PREFIX.length)));
    return () => {
      for (const f of apply) f();
    };
  }

  function recordSubscriptions(topics: readonly string[]): Subscription[] {
    return topics.flatMap((s) => (s.startsWith(CHANNEL_PREFIX) ? [] : (parseSubscription(s) ?? [])));
  }

  /** Replaces a local connection's subscriptions (the request's auth is bound to it). */
  async function applySubscriptions(client: RealtimeClient, auth: AuthInfo | null, topics: string[]) {
    checkIdentity(client, auth);
    const listen = await checkChannels(client, auth, topics);
    bindAuth(client, auth);
    client.subscriptions = recordSubscriptions(topics);
    client.channels = new Map();
    listen();
    void startReplay(client);
  }

  async function answerForwarded(m: ForwardedSubscriptions): Promise<void> {
    const client = clients.get(m.clientId);
    let answer: ForwardedAnswer = { t: "sub-r", o: deps.origin, q: m.q, miss: true };
    if (client !== undefined && Array.isArray(m.subscriptions)) {
      let error: ForwardedAnswer["error"];
      try {
        await applySubscriptions(client, await deps.authenticate(m.token), m.subscriptions);
      } catch (err) {
        error = isPlinthError(err)
          ? { code: err.code, message: err.message }
          : { code: "internal", message: "" };
      }
      answer = { t: "sub-r", o: deps.origin, q: m.q, error };
    }
    await deps.bus.publish(deps.channel, JSON.stringify(answer)).catch((err: unknown) => {
      deps.log.warn({ err }, "realtime could not answer a forwarded subscription request");
    });
  }

  /** Asks the other instances to apply subscriptions for a connection this one does not hold. */
  async function forwardSubscriptions(clientId: string, token: string | undefined, subscriptions: string[]) {
    const peers = deps.peers();
    if (peers === 0) throw new PlinthError("not_found", "Missing or invalid client id.");
    const q = deps.ids.random(20, CLIENT_ID_ALPHABET);
    const request: ForwardedSubscriptions = { t: "sub", o: deps.origin, q, clientId, token, subscriptions };
    let timer: NodeJS.Timeout | undefined;
    let misses = 0;
    const answer = await new Promise<ForwardedAnswer | undefined>((resolve) => {
      forwarded.set(q, (a) => {
        if (a.miss === undefined) resolve(a);
        else if (++misses >= peers) resolve(undefined);
      });
      timer = setTimeout(() => resolve(undefined), FORWARD_TIMEOUT_MS);
      deps.bus.publish(deps.channel, JSON.stringify(request)).catch(() => resolve(undefined));
    }).finally(() => {
      clearTimeout(timer);
      forwarded.delete(q);
    });
    if (answer === undefined) throw new PlinthError("not_found", "Missing or invalid client id.");
    if (answer.error !== undefined) throw new PlinthError(answer.error.code, answer.error.message);
  }

  /** Where recently ended connections were in the event order, for a client that resumes by its old id. */
  const departed = new Map<string, number>();
  const MAX_DEPARTED = 10_000;

  /** The event id a reconnecting client gives: a number, or its old client id (it saw no event since). */
  function resumePoint(lastEventId: string | undefined): number | undefined {
    if (lastEventId === undefined || lastEventId === "") return undefined;
    if (/^\d{1,15}$/.test(lastEventId)) return Number(lastEventId);
    return departed.get(lastEventId) ?? Number.NaN; // NaN: unknown here, told to resync
  }

  const service = {
    /**
     * Registers a connection and tells it its client id. `resumeAfter`: the last event id the client
     * saw on an earlier connection; what it missed is replayed once it has subscriptions.
     */
    connect(sink: RealtimeSink, lastEventId?: string): string {
      const id = deps.ids.random(40, CLIENT_ID_ALPHABET);
      const resumeAfter = resumePoint(lastEventId);
      const client: RealtimeClient = {
        id,
        sink,
        auth: null,
        subscriptions: [],
        resumeAfter,
        replaying: false,
        seen: 0,
        channels: new Map(),
        joined: new Set(),
      };
      clients.set(id, client);
      client.seen = sequencer.processed;
      sink.connected(id, sequencer.processed);
      return id;
    },

    disconnect(clientId: string, reason?: Parameters<RealtimeSink["close"]>[0]): void {
      const client = clients.get(clientId);
      if (client === undefined) return;
      clients.delete(clientId);
      departed.delete(clientId);
      departed.set(clientId, client.seen);
      if (departed.size > MAX_DEPARTED) departed.delete(departed.keys().next().value as string);
      channels.disconnected(client);
      client.sink.close(reason);
    },

    /**
     * `POST /api/realtime`: replaces a client's subscriptions and binds the request's auth to it. A
     * connection held by another instance is reached over the bus (`token`: the request's
     * Authorization header, which that instance resolves itself).
     */
    async setSubscriptions(request: RequestInfo, body: unknown, token: string | undefined): Promise<void> {
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
      validateTopics(subscriptions, errors);
      if (Object.keys(errors).length > 0) throw validationError(errors);
      const client = clients.get(clientId as string);
      if (client !== undefined) await applySubscriptions(client, request.auth, subscriptions as string[]);
      else await forwardSubscriptions(clientId as string, token, subscriptions as string[]);
    },

    /** WebSocket `auth`: binds `auth` to the connection (the same rules as a subscription request). */
    authenticate(clientId: string, auth: AuthInfo | null): void {
      bindAuth(requireClient(clientId), auth);
    },

    /** WebSocket `subscribe`: adds subscriptions (an existing one with the same name is replaced). */
    async subscribe(clientId: string, topics: readonly string[]): Promise<void> {
      const client = requireClient(clientId);
      const errors: Record<string, { code: string; message: string }> = {};
      const names = new Set([
        ...client.subscriptions.map((s) => s.name),
        ...client.channels.keys(),
        ...topics,
      ]);
      validateTopics([...names], errors);
      if (Object.keys(errors).length > 0) throw validationError(errors);
      const added = recordSubscriptions(topics);
      if (added.length !== topics.filter((t) => !t.startsWith(CHANNEL_PREFIX)).length)
        throw validationError({
          subscriptions: {
            code: "validation_invalid_value",
            message: "Expected COLLECTION/*, COLLECTION/ID or @CHANNEL.",
          },
        });
      const listen = await checkChannels(client, client.auth, topics);
      const kept = client.subscriptions.filter((s) => !topics.includes(s.name));
      client.subscriptions = [...kept, ...added];
      listen();
    },

    /** WebSocket `unsubscribe`. */
    unsubscribe(clientId: string, topics: readonly string[]): void {
      const client = requireClient(clientId);
      client.subscriptions = client.subscriptions.filter((s) => !topics.includes(s.name));
      for (const t of topics)
        if (t.startsWith(CHANNEL_PREFIX)) client.channels.delete(t.slice(CHANNEL_PREFIX.length));
    },

    /**
     * Sends a custom event to every listener of a channel, on every instance: from a client
     * (`clientId` when it has a connection) if the channel's publish rule lets `auth` publish.
     */
    async broadcast(
      auth: AuthInfo | null,
      clientId: string | undefined,
      channel: string,
      event: unknown,
      data: unknown,
    ): Promise<void> {
      const client = clientId === undefined ? null : requireClient(clientId);
      if (client !== null) checkIdentity(client, auth);
      await channels.broadcast({ client, auth }, channel, event, data);
    },

    /** Server-side code (hooks, embedding apps): broadcasts without a publish rule check. */
    publish(channel: string, event: string, data: unknown): Promise<void> {
      return channels.broadcast({ client: null, auth: null, trusted: true }, channel, event, data);
    },

    /** Joins a channel's presence (or updates the connection's state there); returns its members. */
    async join(clientId: string, auth: AuthInfo | null, channel: string, state: unknown) {
      const client = requireClient(clientId);
      bindAuth(client, auth);
      return channels.join(client, channel, state);
    },

    leave(clientId: string, channel: string): void {
      channels.leave(requireClient(clientId), channel);
    },

    /** Who is in a channel's presence now, on every instance. */
    members(channel: string) {
      return channels.members(channel);
    },

    /** WebSocket `resume`: replays what the client missed after event `after`; resolves when sent. */
    resume(clientId: string, lastEventId: string): Promise<void> {
      const client = requireClient(clientId);
      client.resumeAfter = resumePoint(lastEventId) ?? Number.NaN;
      return startReplay(client);
    },

    /** Ends every connection, telling clients to reconnect (to another instance if there is one). */
    closeAll(reason?: Parameters<RealtimeSink["close"]>[0]): void {
      for (const id of [...clients.keys()]) service.disconnect(id, reason);
    },

    /** Stops hearing other instances' events. */
    async close(): Promise<void> {
      clearInterval(poll);
      clearInterval(prune);
      channels.close();
      service.closeAll("shutdown");
      await unsubscribeBus().catch(() => {});
    },

    get connections(): number {
      return clients.size;
    },

    /** The last event number delivered (or skipped) here. */
    get lastEventId(): number {
      return sequencer.processed;
    },
  };
  return service;
}

/** The realtime service's type. */
export type RealtimeService = Awaited<ReturnType<typeof startRealtimeService>>;
