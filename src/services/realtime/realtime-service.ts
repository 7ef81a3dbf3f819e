import type { IdGen } from "../../core/clock.ts";
import { PlinthError, validationError } from "../../core/errors.ts";
import type { EventHub } from "../../core/events.ts";
import { BUS_MAX_MESSAGE_BYTES, type Bus } from "../../core/bus.ts";
import type { RecordRow, Store } from "../../core/ports.ts";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import type { RecordService } from "../records/index.ts";
import type { SchemaCache } from "../schema-cache.ts";
import type { Settings } from "../settings/index.ts";
import { CHANNEL_PREFIX, type ChannelMessage, createChannels, type PresenceMember } from "./channels.ts";
import { createEventReplay, DEFAULT_REPLAY_LIMITS, type ReplayLimits } from "./event-replay.ts";
import { createSequencer, type SequencedEvent } from "./event-sequencer.ts";
import type { RealtimeClient, RealtimeSink } from "./realtime-client.ts";
import { createRecordDelivery } from "./record-delivery.ts";
import {
  type ConnectionRequest,
  createRequestForwarding,
  type ForwardedAnswer,
  type ForwardedRequest,
} from "./request-forwarding.ts";
import { parseSubscription, type Subscription, validateTopics } from "./subscriptions.ts";

export { DEFAULT_REPLAY_LIMITS, type ReplayLimits } from "./event-replay.ts";

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

const CLIENT_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** How often the journal is read for events the bus did not bring, and pruned. */
const POLL_MS = 1_000;
const PRUNE_MS = 30_000;

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
  const delivery = createRecordDelivery({
    schema: deps.schema,
    records: deps.records,
    store: deps.store,
    log: deps.log,
    clients,
    disconnect: (clientId) => service.disconnect(clientId),
    authChanged: (client, previous) => channels.authChanged(client, previous),
  });
  const bounds = await deps.store.eventBounds();
  const sequencer = createSequencer({
    after: bounds.last,
    fetch: (after, limit) => deps.store.readEvents(after, limit),
    lastHandedOut: async () => (await deps.store.eventBounds()).last,
    handle: (event) => delivery.handle(event, event.seq),
    log: deps.log,
  });
  const replay = createEventReplay({
    store: deps.store,
    sequencer,
    delivery,
    limits,
    clients,
    log: deps.log,
  });
  const forwarding = createRequestForwarding({
    bus: deps.bus,
    channel: deps.channel,
    origin: deps.origin,
    ids: deps.ids,
    log: deps.log,
    peers: deps.peers,
    async apply(clientId, token, request) {
      const client = clients.get(clientId);
      if (client === undefined) return { held: false };
      // nothing comes back over the bus but the outcome: a join's member list could exceed a bus
      // message, and the asking instance knows the members itself
      await applyRequest(client, await deps.authenticate(token), request);
      return { held: true };
    },
  });

  deps.events.subscribe((event) => {
    if (event.kind === "schema" || event.kind === "caches-stale") delivery.reset();
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
      void sequencer.run(() => delivery.handle(sequenced, undefined));
      return;
    }
    sequencer.arrive(sequenced);
    announce(sequenced);
  });

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
    let message: RemoteRecordEvent | ForwardedRequest | ForwardedAnswer | ChannelMessage;
    try {
      message = JSON.parse(text) as RemoteRecordEvent | ForwardedRequest | ForwardedAnswer | ChannelMessage;
    } catch {
      return;
    }
    if (typeof message !== "object" || message === null || message.o === deps.origin) return;
    if (message.t === "sub" || message.t === "sub-r") forwarding.receive(message);
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

  deps.records.onBeforeDelete((session, c, row) => delivery.prepareDelete(session, c, row));

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
    // a request authenticated just before a password change, answered after it dropped the auth
    if (auth !== null && client.revokedTokenKeys.has(String(auth.record["tokenKey"])))
      throw new PlinthError("unauthenticated", "The token is no longer valid.");
    client.auth = auth;
    // listening was allowed for the previous auth
    for (const [name, grant] of client.channels) if (grant !== auth) client.channels.delete(name);
  }

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
    bindAuth(client, auth); // refuses an auth dropped meanwhile (see revokedTokenKeys)
    client.subscriptions = recordSubscriptions(topics);
    client.channels = new Map();
    listen();
    void replay.start(client);
  }

  /** A REST request for a connection held here (from this instance or forwarded); what it returns. */
  async function applyRequest(client: RealtimeClient, auth: AuthInfo | null, request: ConnectionRequest) {
    switch (request.kind) {
      case "subscribe":
        return applySubscriptions(client, auth, request.subscriptions);
      case "join":
        bindAuth(client, auth);
        return channels.join(client, request.channel, request.state);
      case "leave":
        checkIdentity(client, auth);
        return channels.leave(client, request.channel);
      case "broadcast":
        checkIdentity(client, auth);
        return channels.broadcast({ client, auth }, request.channel, request.event, request.data);
      default: {
        const never: never = request;
        throw new Error(`unknown request ${String(never)}`);
      }
    }
  }

  /** Applies a REST request to connection `clientId`, wherever it is held (`token`: its Authorization). */
  async function requestFor(
    clientId: string,
    auth: AuthInfo | null,
    token: string | undefined,
    request: ConnectionRequest,
  ): Promise<unknown> {
    const client = clients.get(clientId);
    if (client !== undefined) return applyRequest(client, auth, request);
    await forwarding.forward(clientId, token, request);
    // the holder announced the join on the bus before it answered: the members are known here too
    return request.kind === "join" ? channels.members(request.channel) : undefined;
  }

  const service = {
    /**
     * Registers a connection and tells it its client id. `resumeAfter`: the last event id the client
     * saw on an earlier connection; what it missed is replayed once it has subscriptions.
     */
    connect(sink: RealtimeSink, lastEventId?: string): string {
      const id = deps.ids.random(40, CLIENT_ID_ALPHABET);
      const resumeAfter = replay.resumePoint(lastEventId);
      const client: RealtimeClient = {
        id,
        presenceId: deps.ids.random(20, CLIENT_ID_ALPHABET),
        sink,
        auth: null,
        subscriptions: [],
        resumeAfter,
        replaying: false,
        seen: 0,
        delivered: false,
        revokedTokenKeys: new Set(),
        channels: new Map(),
        joined: new Set(),
      };
      clients.set(id, client);
      client.seen = sequencer.processed;
      sink.connected(id, sequencer.processed, client.presenceId);
      return id;
    },

    disconnect(clientId: string, reason?: Parameters<RealtimeSink["close"]>[0]): void {
      const client = clients.get(clientId);
      if (client === undefined) return;
      clients.delete(clientId);
      replay.departed(client);
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
      await requestFor(clientId as string, request.auth, token, {
        kind: "subscribe",
        subscriptions: subscriptions as string[],
      });
    },

    /** The connection's auth now (null for a guest, or once an auth record change dropped it). */
    authOf(clientId: string): AuthInfo | null {
      return requireClient(clientId).auth;
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
      await replay.start(client); // a resume sent before subscribing
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
     * (`clientId` when it has a connection, held here or elsewhere) if the channel's publish rule lets
     * `auth` publish. `token`: the request's Authorization, for an instance it is forwarded to.
     */
    async broadcast(
      auth: AuthInfo | null,
      clientId: string | undefined,
      channel: string,
      event: unknown,
      data: unknown,
      token?: string,
    ): Promise<void> {
      if (clientId === undefined) await channels.broadcast({ client: null, auth }, channel, event, data);
      else await requestFor(clientId, auth, token, { kind: "broadcast", channel, event, data });
    },

    /** Server-side code (hooks, embedding apps): broadcasts without a publish rule check. */
    publish(channel: string, event: string, data: unknown): Promise<void> {
      return channels.broadcast({ client: null, auth: null, trusted: true }, channel, event, data);
    },

    /** Joins a channel's presence (or updates the connection's state there); returns its members. */
    async join(clientId: string, auth: AuthInfo | null, channel: string, state: unknown, token?: string) {
      return (await requestFor(clientId, auth, token, { kind: "join", channel, state })) as PresenceMember[];
    },

    /** Leaves a channel's presence; only with the connection's own identity (as for any request on it). */
    async leave(clientId: string, auth: AuthInfo | null, channel: string, token?: string): Promise<void> {
      await requestFor(clientId, auth, token, { kind: "leave", channel });
    },

    /** Who is in a channel's presence now, on every instance. */
    members(channel: string) {
      return channels.members(channel);
    },

    /**
     * WebSocket `resume`: replays what the client missed after event `lastEventId`, once it has
     * subscriptions (at once if it has, else when it subscribes); resolves when sent or pending. Sent
     * after record events arrived on this connection, it could only repeat or reorder them: the
     * client is told to resync instead.
     */
    resume(clientId: string, lastEventId: string): Promise<void> {
      const client = requireClient(clientId);
      if (client.delivered) return replay.resync(client, "resume must come before any event on a connection");
      client.resumeAfter = replay.resumePoint(lastEventId) ?? Number.NaN;
      return replay.start(client);
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
