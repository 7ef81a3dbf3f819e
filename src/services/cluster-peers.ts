/**
 * Who else is on the bus, and waiting until they have applied an announcement.
 *
 * Instances say hello when they start and every `heartbeatMs` after, and goodbye when they stop; one
 * not heard from for three heartbeats (killed, or cut off) no longer counts. An instance waits for
 * the acknowledgements of the peers alive when it announced, for at most `ackTimeoutMs`, so a peer
 * that died a moment ago delays writes by that much, never blocks them.
 */
export interface PeerTracker {
  /** Any message from `origin` shows it is alive; returns true when it was not known before. */
  seen(origin: string): boolean;
  /** `origin` said goodbye: stop waiting for it. */
  gone(origin: string): void;
  /** Resolves once every peer alive now acknowledged announcement `id`, or after the timeout with those that did not. */
  expect(id: number): Promise<readonly string[]>;
  acknowledged(id: number, from: string): void;
  /** Stops waiting for anything (shutdown). */
  clear(): void;
  /** How many other instances are alive (heard from lately). */
  alive(): number;
}

interface Waiter {
  readonly pending: Set<string>;
  readonly done: (missing: readonly string[]) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export function createPeerTracker(options: { heartbeatMs: number; ackTimeoutMs: number }): PeerTracker {
  const lastSeen = new Map<string, number>();
  const waiters = new Map<number, Waiter>();
  const aliveMs = options.heartbeatMs * 3;

  function settle(id: number, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    waiters.delete(id);
    waiter.done([...waiter.pending]);
  }

  function forget(origin: string): void {
    for (const [id, waiter] of waiters) {
      if (waiter.pending.delete(origin) && waiter.pending.size === 0) settle(id, waiter);
    }
  }

  return {
    seen(origin) {
      const known = lastSeen.has(origin);
      lastSeen.set(origin, Date.now());
      return !known;
    },
    gone(origin) {
      lastSeen.delete(origin);
      forget(origin);
    },
    expect(id) {
      const now = Date.now();
      const pending = new Set<string>();
      for (const [origin, at] of lastSeen) {
        if (now - at <= aliveMs) pending.add(origin);
        else lastSeen.delete(origin);
      }
      if (pending.size === 0) return Promise.resolve([]);
      return new Promise((done) => {
        const timer = setTimeout(() => {
          const waiter = waiters.get(id);
          if (waiter !== undefined) settle(id, waiter);
        }, options.ackTimeoutMs);
        waiters.set(id, { pending, done, timer });
      });
    },
    alive() {
      const now = Date.now();
      let n = 0;
      for (const at of lastSeen.values()) if (now - at <= aliveMs) n++;
      return n;
    },
    acknowledged(id, from) {
      const waiter = waiters.get(id);
      if (waiter?.pending.delete(from) && waiter.pending.size === 0) settle(id, waiter);
    },
    clear() {
      for (const [id, waiter] of waiters) settle(id, waiter);
    },
  };
}
