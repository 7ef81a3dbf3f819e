import pg from "pg";
import type { Bus } from "../../core/bus.ts";
import { PlinthError } from "../../core/errors.ts";
import {
  backoffMs,
  checkChannel,
  checkMessage,
  closedError,
  DEFAULT_PROBE_INTERVAL_MS,
  DEFAULT_PUBLISH_TIMEOUT_MS,
  DEFAULT_RECONNECT_DELAY,
  type ReconnectDelay,
  startProbe,
  withTimeout,
} from "./bus-guards.ts";
import {
  type BusLogger,
  consoleBusLogger,
  createLocalHandlers,
  createReconnectListeners,
} from "./bus-listeners.ts";

/** Options of the PostgreSQL LISTEN/NOTIFY bus. */
export interface PostgresBusOptions {
  readonly url: string;
  readonly logger?: BusLogger;
  /** How long publish (and each LISTEN) may take before it rejects; 5 s by default. */
  readonly publishTimeoutMs?: number;
  /**
   * application_name of the listener connection ("plinth-bus" by default), so operators and tests can
   * find it in pg_stat_activity; the publishing connections add "-publish".
   */
  readonly applicationName?: string;
  /** Reconnect backoff bounds; 100 ms doubling to 5 s by default. */
  readonly reconnectDelayMs?: ReconnectDelay;
  /**
   * How often the listener connection is probed (`SELECT 1`, bounded by publishTimeoutMs); 5 s by
   * default. A connection that stalls without being cut (a network partition) would otherwise look
   * connected until TCP keepalive gives up, minutes later, while every notification is lost.
   */
  readonly probeIntervalMs?: number;
}

/**
 * A bus over PostgreSQL LISTEN/NOTIFY, so instances sharing a database need nothing else.
 *
 * One dedicated connection LISTENs (a pooled one could be handed to someone else mid-LISTEN). When it
 * drops, it is re-opened with bounded exponential backoff, every channel that still has handlers is
 * LISTENed again, and only then do the `onReconnect` listeners run. Publishing goes through a separate
 * pool of at most two connections, one `pg_notify` at a time: NOTIFYs sent concurrently on two
 * connections could commit, and so arrive, out of order.
 *
 * Resolves once the listener connection is up; rejects with `unavailable` when it cannot be opened.
 */
export async function createPostgresBus(options: PostgresBusOptions): Promise<Bus> {
  const logger = options.logger ?? consoleBusLogger;
  const timeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const applicationName = options.applicationName ?? "plinth-bus";
  const delays = options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY;
  const handlers = createLocalHandlers(logger);
  const reconnects = createReconnectListeners(logger);

  const pool = new pg.Pool({
    connectionString: options.url,
    application_name: `${applicationName}-publish`,
    max: 2,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
    keepAlive: true,
  });
  // An idle pooled connection that dies emits here; without a listener it would crash the process.
  pool.on("error", (err) => logger.warn({ err }, "bus publishing connection to PostgreSQL failed"));

  let closed = false;
  let closing: Promise<void> | undefined;
  /** The open listener connection LISTENs are sent on; null while reconnecting. */
  let listener: pg.Client | null = null;
  /** A connection being opened by a reconnect attempt, so close() can abort it. */
  let opening: pg.Client | null = null;
  let connected = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let publishTail: Promise<unknown> = Promise.resolve();

  async function open(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: options.url,
      application_name: applicationName,
      connectionTimeoutMillis: timeoutMs,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client.on("notification", (n) => {
      if (client === listener) handlers.dispatch(n.channel, n.payload ?? "");
    });
    client.on("error", (err) => lose(client, err));
    client.on("end", () => lose(client, new Error("connection ended")));
    opening = client;
    try {
      await client.connect();
      return client;
    } catch (err) {
      void client.end().catch(() => {});
      throw err;
    } finally {
      opening = null;
    }
  }

  /** Forgets a listener connection that failed (once) and starts reconnecting. */
  function lose(client: pg.Client, err: unknown): void {
    if (client !== listener) return; // an old connection, or one we are closing
    listener = null;
    connected = false;
    void client.end().catch(() => {});
    logger.warn({ err }, "bus lost its PostgreSQL listener connection; reconnecting");
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed) return;
    attempt += 1;
    retryTimer = setTimeout(() => void reconnect(), backoffMs(attempt, delays));
    retryTimer.unref(); // a bus that is only retrying must not keep a finished process alive
  }

  async function reconnect(): Promise<void> {
    retryTimer = undefined;
    let client: pg.Client;
    try {
      client = await open();
    } catch (err) {
      logger.warn({ err, attempt }, "bus could not reconnect to PostgreSQL; retrying");
      scheduleReconnect();
      return;
    }
    if (closed) {
      void client.end().catch(() => {});
      return;
    }
    // From here on, new subscriptions send their own LISTEN on this client, after the bulk one.
    listener = client;
    if (!(await listen(client, handlers.channels()))) return;
    attempt = 0;
    connected = true;
    logger.info({}, "bus reconnected to PostgreSQL");
    reconnects.fire();
  }

  /** Runs LISTEN/UNLISTEN statements; on failure drops the connection (so a reconnect redoes them). */
  async function listen(client: pg.Client, channels: string[], verb = "LISTEN"): Promise<boolean> {
    if (channels.length === 0) return client === listener;
    const sql = channels.map((c) => `${verb} ${client.escapeIdentifier(c)}`).join("; ");
    try {
      await withTimeout(client.query(sql), timeoutMs, `PostgreSQL bus ${verb}`);
      return client === listener;
    } catch (err) {
      lose(client, err);
      return false;
    }
  }

  async function publishNow(channel: string, message: string): Promise<void> {
    try {
      await pool.query("SELECT pg_notify($1, $2)", [channel, message]);
    } catch (err) {
      throw new PlinthError("unavailable", "Could not publish on the PostgreSQL bus.", { cause: err });
    }
  }

  // A probe that fails drops the listener connection, and the reconnect LISTENs again.
  const stopProbe = startProbe(() => {
    const client = listener;
    if (client === null || closed) return undefined;
    return withTimeout(client.query("SELECT 1"), timeoutMs, "PostgreSQL bus probe").catch((err: unknown) =>
      lose(client, err),
    );
  }, options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS);

  try {
    listener = await open();
    connected = true;
  } catch (err) {
    stopProbe();
    await pool.end().catch(() => {});
    throw new PlinthError("unavailable", "The bus could not connect to PostgreSQL.", { cause: err });
  }

  return {
    kind: "postgres",
    async publish(channel, message) {
      checkChannel(channel);
      checkMessage(message);
      if (closed) throw closedError("postgres");
      const sent = publishTail.then(() => publishNow(channel, message));
      publishTail = sent.catch(() => {});
      await withTimeout(sent, timeoutMs, "PostgreSQL bus publish");
    },
    async subscribe(channel, handler) {
      checkChannel(channel);
      if (closed) throw closedError("postgres");
      const subscription = handlers.add(channel, handler);
      // LISTEN is idempotent, so every subscription sends one and waits for it: that is what makes
      // it active even when another subscription of the channel is still starting. Without a
      // connection the reconnect will LISTEN, and `onReconnect` tells the caller it missed messages.
      if (listener) await listen(listener, [channel]);
      return async () => {
        if (subscription.remove() && listener && !closed) await listen(listener, [channel], "UNLISTEN");
      };
    },
    onReconnect: (fn) => reconnects.add(fn),
    status: () => ({ kind: "postgres", connected: connected && !closed }),
    close() {
      closing ??= (async () => {
        closed = true;
        connected = false;
        clearTimeout(retryTimer);
        stopProbe();
        handlers.clear();
        reconnects.clear();
        const clients = [listener, opening].filter((c) => c !== null);
        listener = null;
        const ends = [...clients.map((c) => c.end()), pool.end()].map((p) => p.catch(() => {}));
        // A connection to an unresponsive server may never confirm its end; do not hang on it.
        await withTimeout(Promise.all(ends), timeoutMs, "Closing the PostgreSQL bus").catch((err) =>
          logger.warn({ err }, "bus connections to PostgreSQL did not close in time"),
        );
      })();
      return closing;
    },
  };
}
