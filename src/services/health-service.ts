import type { BusStatus } from "../core/bus.ts";
import { PlinthError } from "../core/errors.ts";
import type { Store } from "../core/ports.ts";

/** What `GET /api/health` reports: the database answers, and whether the bus is connected. */
export interface HealthReport {
  readonly database: { readonly kind: "sqlite" | "postgres"; readonly status: "ok" };
  readonly bus: { readonly kind: BusStatus["kind"]; readonly status: "connected" | "disconnected" };
}

/** What the health service reads. */
export interface HealthServiceDeps {
  readonly store: Store;
  readonly database: HealthReport["database"]["kind"];
  readonly bus: () => BusStatus;
}

/**
 * Reports whether the server can serve. A database that does not answer is a 503, so a load balancer
 * takes the instance out. A disconnected bus is reported but still healthy: the instance serves
 * correct data (it re-reads its caches while the bus is down, see services/cluster-sync.ts), and
 * failing every instance because Redis restarted would turn a degraded cluster into an outage.
 */
export function createHealthService(deps: HealthServiceDeps) {
  return {
    async check(): Promise<HealthReport> {
      try {
        await deps.store.ping();
      } catch (err) {
        throw new PlinthError("unavailable", "The database is unavailable.", { cause: err });
      }
      const bus = deps.bus();
      return {
        database: { kind: deps.database, status: "ok" },
        bus: { kind: bus.kind, status: bus.connected ? "connected" : "disconnected" },
      };
    },
  };
}
