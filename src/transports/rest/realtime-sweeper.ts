/** How often realtime connections are checked, and their limits (tests shorten them). */
export interface RealtimeTimings {
  /** SSE heartbeat comment and WebSocket ping period; also how precise the other limits are. */
  readonly heartbeatMs: number;
  /** An SSE stream with no message for this long is closed (PocketBase: 5 min); the SDK reconnects. */
  readonly idleMs: number;
  /** An SSE stream is closed after this long anyway, so none holds resources forever (PocketBase: 30 min). */
  readonly lifetimeMs: number;
}

export const DEFAULT_REALTIME_TIMINGS: RealtimeTimings = {
  heartbeatMs: 30_000,
  idleMs: 5 * 60_000,
  lifetimeMs: 30 * 60_000,
};

/** Something a sweep visits: a realtime connection's heartbeat and timeout checks. */
export interface Swept {
  tick(now: number): void;
}

/**
 * One timer for all of a server's realtime connections of a kind, instead of one to three per
 * connection re-armed on every message: at ten thousand connections that is ten thousand timers less
 * to hold and no timer work per event. Checks are as precise as the period (heartbeats, idle and
 * lifetime limits are minutes or tens of seconds).
 */
export function createSweeper(periodMs: number) {
  const members = new Set<Swept>();
  let timer: NodeJS.Timeout | undefined;
  return {
    add(member: Swept): void {
      members.add(member);
      if (timer === undefined) {
        timer = setInterval(() => {
          const now = Date.now();
          for (const m of [...members]) m.tick(now);
        }, periodMs);
        timer.unref();
      }
    },
    delete(member: Swept): void {
      members.delete(member);
      if (members.size === 0 && timer !== undefined) {
        clearInterval(timer);
        timer = undefined;
      }
    },
  };
}
