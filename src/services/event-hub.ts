import type { EventHub, PlinthEvent } from "../core/events.ts";

/** An in-process hub; a listener that throws never affects the writer or other listeners. */
export function createEventHub(onListenerError: (err: unknown) => void): EventHub {
  const listeners = new Set<(event: PlinthEvent) => void>();
  return {
    publish(event) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          onListenerError(err);
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
