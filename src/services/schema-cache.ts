import type { Collection } from "../core/collections/collection.ts";
import type { SchemaLookup } from "../core/filter/index.ts";
import { PlinthError } from "../core/errors.ts";
import type { StoreSession } from "../core/ports.ts";

/** The live schema, held in memory and reloaded after every committed change. */
export interface SchemaCache extends SchemaLookup {
  /** Reloads from the store (after a change committed here or, later, on another instance). */
  reload(session: StoreSession): Promise<void>;
  /** The collection or a 404 in PocketBase's words. */
  require(nameOrId: string): Collection;
  /** Builds a lookup over a proposed schema (for validating a change before it commits). */
  lookupOver(collections: readonly Collection[]): SchemaLookup;
}

function lookup(collections: readonly Collection[]): SchemaLookup {
  const byId = new Map<string, Collection>();
  const byName = new Map<string, Collection>();
  for (const c of collections) {
    byId.set(c.id, c);
    byName.set(c.name.toLowerCase(), c);
  }
  return {
    byNameOrId: (key) => byId.get(key) ?? byName.get(key.toLowerCase()),
    all: () => collections,
  };
}

/** Creates an empty schema cache; call reload() once the store is ready. */
export function createSchemaCache(): SchemaCache {
  let current = lookup([]);
  // Reloads overlap (a local commit's, and ones for changes announced by other instances). Each read
  // starts after every earlier reload was asked for, so it sees at least what they would: keep the
  // result of the latest-started reload, and drop one that finishes after a later one.
  let started = 0;
  let applied = 0;
  return {
    byNameOrId: (key) => current.byNameOrId(key),
    all: () => current.all(),
    async reload(session) {
      const ticket = ++started;
      const loaded = await session.loadCollections();
      if (ticket < applied) return;
      applied = ticket;
      current = lookup(loaded);
    },
    require(nameOrId) {
      const c = current.byNameOrId(nameOrId);
      if (c === undefined) throw new PlinthError("not_found", "Missing collection context.");
      return c;
    },
    lookupOver: lookup,
  };
}
