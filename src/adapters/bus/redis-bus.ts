import { once } from "node:events";
import { Redis, type RedisOptions } from "ioredis";
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

/** Options of the Redis pub/sub bus. */
export interface RedisBusOptions {
  readonly url: string;
  readonly logger?: BusLogger;
  /** How long publish (and each SUBSCRIBE) may take before it rejects; 5 s by default. */
  readonly publishTimeoutMs?: number;
  /**
   * CLIENT SETNAME of the subscriber connection ("plinth-bus" by default), so operators and tests can
   * find it in CLIENT LIST; the publishing connection adds "-publish".
   */
  readonly connectionName?: string;
  /** Reconnect backoff bounds; 100 ms doubling to 5 s by default. */
  readonly reconnectDelayMs?: ReconnectDelay;
  /**
   * How often the subscriber connection is probed (PING, bounded by publishTimeoutMs); 5 s by
   * default, so a connection that stalls without being cut is noticed and re-opened.
   */
  readonly probeIntervalMs?: number;
}

/**
 * A bus over Redis pub/sub: one connection in subscriber mode, one for PUBLISH.
 *
 * ioredis reconnects both with our backoff. Its own resubscription (`autoResubscribe`) is turned off:
 * it runs after the "ready" event without waiting or catching errors, so we could not tell when the
 * subscriptions are back, and it forgets channels subscribed while the connection was down. Instead,
 * on "ready" after a loss we SUBSCRIBE every channel that has handlers, then run `onReconnect`.
 *
 * Neither connection queues commands while down, and in-flight commands are not resent after a
 * reconnect: a publish fails at once (or after `publishTimeoutMs` on a silent connection) instead of
 * being delivered late or twice.
 *
 * Resolves once both connections are ready; rejects with `unavailable` when they cannot be opened.
 */
export async function createRedisBus(options: RedisBusOptions): Promise<Bus> {
  const logger = options.logger ?? consoleBusLogger;
  const timeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
  const name = options.connectionName ?? "plinth-bus";
  const delays = options.reconnectDelayMs ?? DEFAULT_RECONNECT_DELAY;
  const handlers = createLocalHandlers(logger);
  const reconnects = createReconnectListeners(logger);

  const common: RedisOptions = {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 0, // reject in-flight commands as soon as their connection closes
    retryStrategy: (times) => backoffMs(times, delays),
  };
  const sub = new Redis(options.url, { ...common, connectionName: name });
  const pub = new Redis(options.url, { ...common, connectionName: `${name}-publish` });

  let closed = false;
  let closing: Promise<void> | undefined;
  let connected = false;
  let lost = false;

  let lastError: unknown;
  sub.on("error", (err) => {
    lastError = err;
    logger.warn({ err }, "bus subscriber connection to Redis failed");
  });
  pub.on("error", (err) => {
    lastError = err;
    logger.warn({ err }, "bus publisher connection to Redis failed");
  });
  sub.on("message", (channel: string, message: string) => handlers.dispatch(channel, message));
  sub.on("close", () => {
    if (!connected) return;
    connected = false;
    lost = true;
    if (!closed) logger.warn({}, "bus lost its Redis subscriber connection; reconnecting");
  });
  sub.on("ready", () => {
    if (lost && !closed) void restore();
  });

  /** After a reconnection: subscribe again, then tell listeners that messages may have been missed. */
  async function restore(): Promise<void> {
    const channels = handlers.channels();
    if (channels.length > 0 && !(await subscribeOn(channels))) return;
    if (closed || connected || sub.status !== "ready") return;
    lost = false;
    connected = true;
    logger.info({}, "bus reconnected to Redis");
    reconnects.fire();
  }

  /** SUBSCRIBE; on failure forces a reconnection, whose "ready" subscribes again. */
  async function subscribeOn(channels: string[]): Promise<boolean> {
    try {
      await sub.subscribe(...channels);
      return true;
    } catch (err) {
      if (sub.status === "ready" && !closed) {
        logger.warn({ err }, "bus could not subscribe on Redis; reconnecting");
        lost = true;
        connected = false;
        sub.disconnect(true);
      }
      return false;
    }
  }

  // A PING that fails (commandTimeout) on a ready connection means it stalled: reconnect it.
  const stopProbe = startProbe(() => {
    if (closed || sub.status !== "ready") return undefined;
    return sub.ping().catch((err: unknown) => {
      if (closed || sub.status !== "ready") return;
      logger.warn({ err }, "bus subscriber connection to Redis stopped answering; reconnecting");
      sub.disconnect(true);
    });
  }, options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS);

  try {
    await Promise.all([sub.connect(), pub.connect()]);
    connected = true;
  } catch (err) {
    stopProbe();
    sub.disconnect();
    pub.disconnect();
    // connect() only says "Connection is closed."; the socket error before it says why.
    throw new PlinthError("unavailable", "The bus could not connect to Redis.", { cause: lastError ?? err });
  }

  return {
    kind: "redis",
    async publish(channel, message) {
      checkChannel(channel);
      checkMessage(message);
      if (closed) throw closedError("redis");
      try {
        // commandTimeout bounds it already; the outer bound also covers a connection stuck connecting.
        await withTimeout(pub.publish(channel, message), timeoutMs, "Redis bus publish");
      } catch (err) {
        throw new PlinthError("unavailable", "Could not publish on the Redis bus.", { cause: err });
      }
    },
    async subscribe(channel, handler) {
      checkChannel(channel);
      if (closed) throw closedError("redis");
      const subscription = handlers.add(channel, handler);
      // SUBSCRIBE is idempotent, so every subscription waits for its own: then it is active. While
      // the connection is down, the reconnection subscribes and `onReconnect` reports the gap.
      if (sub.status === "ready") await subscribeOn([channel]);
      return async () => {
        if (subscription.remove() && sub.status === "ready" && !closed) {
          await sub.unsubscribe(channel).catch(() => {}); // a stale subscription only costs a no-op dispatch
        }
      };
    },
    onReconnect: (fn) => reconnects.add(fn),
    status: () => ({ kind: "redis", connected: connected && !closed }),
    close() {
      closing ??= (async () => {
        closed = true;
        connected = false;
        stopProbe();
        handlers.clear();
        reconnects.clear();
        const ended = [sub, pub].filter((c) => c.status !== "end").map((c) => once(c, "end"));
        sub.disconnect();
        pub.disconnect();
        await withTimeout(Promise.all(ended), timeoutMs, "Closing the Redis bus").catch((err) =>
          logger.warn({ err }, "bus connections to Redis did not close in time"),
        );
      })();
      return closing;
    },
  };
}
