/**
 * The local side of every bus: which handlers listen to which channel on this instance, and who
 * wants to hear about reconnections. A throwing handler is logged and never stops delivery to the
 * others, nor breaks the connection that delivered the message.
 */

/** The subset of a pino logger the buses use. */
export interface BusLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Used when no logger is given: handler failures must not vanish silently. */
export const consoleBusLogger: BusLogger = {
  info() {},
  warn: (obj, msg) => console.warn(msg, obj),
  error: (obj, msg) => console.error(msg, obj),
};

/** One handler's place on a channel. */
export interface LocalSubscription {
  /** True when this was the channel's first handler (the bus must start listening). */
  readonly first: boolean;
  /** Ends it; true when the channel has no handler left (the bus may stop listening). Idempotent. */
  remove(): boolean;
}

/** The handlers of one bus instance, by channel. */
export interface LocalHandlers {
  add(channel: string, handler: (message: string) => void): LocalSubscription;
  /** Channels with at least one handler: what to listen to again after a reconnection. */
  channels(): string[];
  /** Calls each current handler of `channel` with `message`. */
  dispatch(channel: string, message: string): void;
  clear(): void;
}

/** Builds an empty handler table; handler errors go to `logger`. */
export function createLocalHandlers(logger: BusLogger): LocalHandlers {
  // A Set of wrapper objects, so the same function subscribed twice is two subscriptions.
  const byChannel = new Map<string, Set<{ readonly handler: (message: string) => void }>>();
  return {
    add(channel, handler) {
      let entries = byChannel.get(channel);
      const first = entries === undefined;
      if (!entries) byChannel.set(channel, (entries = new Set()));
      const entry = { handler };
      entries.add(entry);
      let removed = false;
      return {
        first,
        remove() {
          if (removed) return false;
          removed = true;
          const current = byChannel.get(channel);
          if (!current?.delete(entry) || current.size > 0) return false;
          byChannel.delete(channel);
          return true;
        },
      };
    },
    channels: () => [...byChannel.keys()],
    dispatch(channel, message) {
      const entries = byChannel.get(channel);
      if (!entries) return;
      for (const entry of [...entries]) {
        if (!entries.has(entry)) continue; // ended by an earlier handler of this same message
        try {
          entry.handler(message);
        } catch (err) {
          logger.error({ err, channel }, "bus message handler failed");
        }
      }
    },
    clear: () => byChannel.clear(),
  };
}

/** The `onReconnect` listeners of one bus instance. */
export interface ReconnectListeners {
  add(listener: () => void): () => void;
  fire(): void;
  clear(): void;
}

/** Builds an empty listener list; listener errors go to `logger`. */
export function createReconnectListeners(logger: BusLogger): ReconnectListeners {
  const listeners = new Set<{ readonly listener: () => void }>();
  return {
    add(listener) {
      const entry = { listener };
      listeners.add(entry);
      return () => {
        listeners.delete(entry);
      };
    },
    fire() {
      for (const entry of [...listeners]) {
        try {
          entry.listener();
        } catch (err) {
          logger.error({ err }, "bus reconnect listener failed");
        }
      }
    },
    clear: () => listeners.clear(),
  };
}
