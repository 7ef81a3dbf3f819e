import type { Bus } from "../../core/bus.ts";
import { checkChannel, checkMessage, closedError } from "./bus-guards.ts";
import {
  type BusLogger,
  consoleBusLogger,
  createLocalHandlers,
  createReconnectListeners,
} from "./bus-listeners.ts";

/** Options of the in-process bus. */
export interface MemoryBusOptions {
  /** Where failing handlers are reported; console by default. */
  readonly logger?: BusLogger;
}

/**
 * The bus of a single instance: every subscriber lives in this process. Delivery is deferred to a
 * microtask, in publish order, so a publisher never runs its subscribers inside its own call stack
 * (as on every other bus). It never disconnects, so `onReconnect` never fires.
 */
export function createMemoryBus(options: MemoryBusOptions = {}): Bus {
  const logger = options.logger ?? consoleBusLogger;
  const handlers = createLocalHandlers(logger);
  const reconnects = createReconnectListeners(logger);
  let closed = false;

  return {
    kind: "memory",
    async publish(channel, message) {
      checkChannel(channel);
      checkMessage(message);
      if (closed) throw closedError("memory");
      queueMicrotask(() => {
        if (!closed) handlers.dispatch(channel, message);
      });
    },
    async subscribe(channel, handler) {
      checkChannel(channel);
      if (closed) throw closedError("memory");
      const subscription = handlers.add(channel, handler);
      return async () => {
        subscription.remove();
      };
    },
    onReconnect: (fn) => reconnects.add(fn),
    status: () => ({ kind: "memory", connected: !closed }),
    async close() {
      closed = true;
      handlers.clear();
      reconnects.clear();
    },
  };
}
