import type { Bus, BusStatus } from "../core/bus.ts";
import type { EventHub, PlinthEvent } from "../core/events.ts";
import type { Store } from "../core/ports.ts";
import { createPeerTracker } from "./cluster-peers.ts";
import type { SchemaCache } from "./schema-cache.ts";

/**
 * Keeps the caches of instances and workers that share one database in step, over the bus.
 *
 * What each instance caches, and what makes it stale:
 * - the schema (every request reads it): reloaded when another instance changes a collection;
 * - settings: dropped when another instance saves them;
 * - verified tokens (services/auth): dropped for a record another instance updated or deleted.
 *
 * Local events (committed here) are announced on the bus, and the other instances acknowledge each
 * once applied. Announcements from other instances come back into the local event hub marked
 * `remote`, so every local consumer reacts to a change made anywhere in one way. The bus delivers at most once, so whenever it may have lost messages (it
 * reconnected, or it is down), every cache is dropped, and while it is down the schema is re-read
 * every `stalePollMs`: an instance cut off from the others is stale for about that long, never for
 * good.
 */
export interface ClusterSync {
  /**
   * Undefined when no announcement is in flight; otherwise resolves once every announcement made so
   * far was applied by every other live instance (they acknowledge it; see cluster-peers.ts), or
   * could not be. The HTTP layer waits for it before answering, so once a client sees a change
   * acknowledged, its next request to any instance finds it.
   */
  settled(): Promise<void> | undefined;
  /** How many other instances are alive (heard from lately). */
  peers(): number;
  /**
   * Undefined unless a change announced by another instance is still being loaded; then resolves
   * once it is. The HTTP layer waits for it before serving a request, so a request that arrives right
   * after the announcement never runs against the schema from before it.
   */
  catchingUp(): Promise<void> | undefined;
  status(): BusStatus;
  /** Stops listening; the bus itself is closed by its owner. */
  close(): Promise<void>;
}

/** What cluster sync needs. */
export interface ClusterSyncDeps {
  readonly bus: Bus;
  readonly events: EventHub;
  readonly store: Store;
  readonly schema: SchemaCache;
  /** This instance's id; messages carrying it are its own and are skipped. */
  readonly origin: string;
  /** The bus channel; instances sharing a database must use the same one. */
  readonly channel: string;
  readonly log: { warn(obj: object, msg: string): void };
  /** How often caches are refreshed while the bus is down; 1 s by default. */
  readonly stalePollMs?: number;
  /** How often this instance tells the others it is alive; 2 s by default. */
  readonly heartbeatMs?: number;
  /** How long a write waits for the other instances to confirm they applied it; 2 s by default. */
  readonly ackTimeoutMs?: number;
}

/** An announcement of a change: `n` numbers it per origin, so acknowledgements can name it. */
type Announcement =
  | { readonly o: string; readonly n: number; readonly k: "schema" }
  | { readonly o: string; readonly n: number; readonly k: "settings" }
  | { readonly o: string; readonly n: number; readonly k: "auth"; readonly c: string; readonly r: string };

type SyncMessage =
  | Announcement
  | { readonly o: string; readonly k: "ack"; readonly to: string; readonly n: number }
  | { readonly o: string; readonly k: "hello"; readonly a?: number }
  | { readonly o: string; readonly k: "bye" };

function parseMessage(text: string): SyncMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  const m = value as Record<string, unknown>;
  if (typeof m["o"] !== "string") return null;
  switch (m["k"]) {
    case "hello":
      return m["a"] === undefined || typeof m["a"] === "number" ? (m as SyncMessage) : null;
    case "bye":
      return m as SyncMessage;
    case "ack":
      return typeof m["to"] === "string" && typeof m["n"] === "number" ? (m as SyncMessage) : null;
    case "schema":
    case "settings":
      return typeof m["n"] === "number" ? (m as SyncMessage) : null;
    case "auth":
      return typeof m["n"] === "number" && typeof m["c"] === "string" && typeof m["r"] === "string"
        ? (m as SyncMessage)
        : null;
    default:
      return null;
  }
}

/** The announcement for a local event, or null when other instances need not hear of it. */
function announcementFor(event: PlinthEvent, origin: string, n: number): Announcement | null {
  switch (event.kind) {
    case "schema":
    case "settings":
      return event.remote ? null : { o: origin, n, k: event.kind };
    case "update":
    case "delete":
      return event.collection.type === "auth"
        ? { o: origin, n, k: "auth", c: event.collection.id, r: String(event.record["id"]) }
        : null;
    default:
      return null;
  }
}

/** Subscribes to the bus and the local hub; resolves once the bus subscription is active. */
export async function startClusterSync(deps: ClusterSyncDeps): Promise<ClusterSync> {
  const { bus, events, origin, log } = deps;
  const inFlight = new Set<Promise<void>>();
  let closed = false;

  // Reloads are serialized, and a request for one while another runs makes it run once more, so the
  // last reload always starts after the last change it was asked for.
  let reloading: Promise<boolean> | null = null;
  let reloadAgain = false;
  /** True when a reload failed (the database was unreachable): the poll retries it. */
  let schemaStale = false;
  /**
   * `changed`: another instance announced a schema change, so statements prepared against the old
   * tables are dropped too. A reload only because messages may have been lost leaves them: renaming
   * them every second while the bus is down would pile up prepared statements on the database's
   * connections (and a statement whose table did change is caught and re-prepared by the driver).
   */
  function reloadSchema(changed = false): Promise<boolean> {
    if (changed) deps.store.schemaChangedElsewhere();
    if (reloading !== null) {
      reloadAgain = true;
      return reloading;
    }
    reloading = (async () => {
      do {
        reloadAgain = false;
        try {
          await deps.schema.reload(deps.store);
          schemaStale = false;
        } catch (err) {
          schemaStale = true; // the poll tries again
          log.warn({ err }, "could not reload the schema after a change on another instance");
          return false;
        }
      } while (reloadAgain);
      return true;
    })().finally(() => {
      reloading = null;
    });
    return reloading;
  }

  async function dropAllCaches(schemaMayHaveChanged = false): Promise<void> {
    await reloadSchema(schemaMayHaveChanged);
    if (!closed) events.publish({ kind: "caches-stale", remote: true });
  }

  // The highest announcement number heard from each peer. Hellos carry the sender's count, so an
  // announcement that never arrived (its publish failed, or the bus dropped it) shows up as a gap at
  // the next hello at the latest, and this instance then drops every cache.
  const heard = new Map<string, number>();
  function hear(from: string, n: number, isAnnouncement: boolean): void {
    const before = heard.get(from);
    if (before !== undefined && n <= before) return;
    heard.set(from, n);
    const missed = before === undefined ? 0 : n - before - (isAnnouncement ? 1 : 0);
    if (missed > 0) {
      log.warn({ missed }, "missed changes announced by another instance");
      void dropAllCaches(true);
    }
  }

  /** Says this instance is alive, and how many changes it has announced so far. */
  function hello(): SyncMessage {
    return { o: origin, k: "hello", a: announced };
  }

  function send(message: SyncMessage): Promise<void> {
    return bus.publish(deps.channel, JSON.stringify(message));
  }

  function acknowledge(message: Announcement): void {
    if (closed) return;
    send({ o: origin, k: "ack", to: message.o, n: message.n }).catch((err: unknown) =>
      log.warn({ err }, "could not acknowledge a change announced by another instance"),
    );
  }

  function onMessage(text: string): void {
    if (closed) return;
    const message = parseMessage(text);
    if (message === null) {
      log.warn({ length: text.length }, "ignored a malformed cluster sync message");
      return;
    }
    if (message.o === origin) return;
    if (message.k === "bye") {
      peers.gone(message.o);
      heard.delete(message.o);
      return;
    }
    if (message.k === "hello") hear(message.o, message.a ?? 0, false);
    else if (message.k !== "ack") hear(message.o, message.n, true);
    // a newcomer learns of this instance at once, not at the next heartbeat
    if (peers.seen(message.o) && message.k === "hello") void send(hello()).catch(() => {});
    switch (message.k) {
      case "hello":
        return;
      case "ack":
        if (message.to === origin) peers.acknowledged(message.n, message.o);
        return;
      case "schema":
        // acknowledged only once loaded: the announcer's client is then told every instance has it
        void reloadSchema(true).then((loaded) => {
          if (closed || !loaded) return;
          events.publish({ kind: "schema", remote: true });
          acknowledge(message);
        });
        return;
      case "settings":
        events.publish({ kind: "settings", remote: true });
        acknowledge(message);
        return;
      case "auth":
        events.publish({ kind: "auth-record", collectionId: message.c, recordId: message.r, remote: true });
        acknowledge(message);
        return;
    }
  }

  const peers = createPeerTracker({
    heartbeatMs: deps.heartbeatMs ?? 2_000,
    ackTimeoutMs: deps.ackTimeoutMs ?? 2_000,
  });
  let announced = 0;
  const unsubscribeBus = await bus.subscribe(deps.channel, onMessage);
  const unsubscribeEvents = events.subscribe((event) => {
    const message = announcementFor(event, origin, announced + 1);
    if (message === null || closed) return;
    announced++;
    const acks = peers.expect(message.n);
    const done: Promise<void> = send(message)
      .then(
        () => acks,
        (err: unknown) => {
          // The others will notice the bus is down and poll; this instance cannot do more.
          log.warn({ err, kind: message.k }, "could not announce a change to other instances");
          return [];
        },
      )
      .then((missing) => {
        if (missing.length > 0)
          log.warn(
            { kind: message.k, peers: missing.length },
            "other instances did not confirm a change in time",
          );
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  });
  const heartbeat = setInterval(() => {
    if (!closed) send(hello()).catch(() => {});
  }, deps.heartbeatMs ?? 2_000);
  heartbeat.unref?.();
  await send(hello()).catch(() => {});
  const offReconnect = bus.onReconnect(() => {
    if (!closed) void dropAllCaches();
  });
  const poll = setInterval(() => {
    if (closed || (bus.status().connected && !schemaStale)) return;
    void dropAllCaches();
  }, deps.stalePollMs ?? 1_000);
  poll.unref?.();

  return {
    peers: () => peers.alive(),
    settled() {
      if (inFlight.size === 0) return undefined;
      return Promise.all(inFlight).then(() => undefined);
    },
    catchingUp: () => reloading?.then(() => undefined),
    status: () => bus.status(),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(poll);
      clearInterval(heartbeat);
      peers.clear();
      await send({ o: origin, k: "bye" }).catch(() => {});
      offReconnect();
      unsubscribeEvents();
      await unsubscribeBus().catch(() => {});
      await reloading;
    },
  };
}
