import { PlinthError } from "../core/errors.ts";
import type { Store } from "../core/ports.ts";

/** Reports whether the server can serve: the database answers. */
export function createHealthService(deps: { store: Store }) {
  return {
    async check(): Promise<void> {
      try {
        await deps.store.ping();
      } catch (err) {
        throw new PlinthError("unavailable", "The database is unavailable.", { cause: err });
      }
    },
  };
}
