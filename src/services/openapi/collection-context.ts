/** A collection together with the names the generated document and types give it. */
import type { Collection } from "../../core/collections/collection.ts";
import { assignTypeNames, sortCollections } from "./names.ts";

/** A collection with its type name and lookups across the schema. */
export interface CollectionContext {
  readonly collection: Collection;
  /** Its type name (`Posts`); component and interface names append a suffix. */
  readonly typeName: string;
  /** The type name of another collection by id, if it exists. */
  typeNameById(id: string): string | undefined;
  /** The name of another collection by id, if it exists. */
  collectionNameById(id: string): string | undefined;
}

/** A context per collection (sorted by name), sharing one naming over the whole schema. */
export function collectionContexts(collections: readonly Collection[]): CollectionContext[] {
  const typeNames = assignTypeNames(collections);
  const byId = new Map(collections.map((c) => [c.id, c]));
  return sortCollections(collections).map((collection) => ({
    collection,
    typeName: typeNames.get(collection.id)!,
    typeNameById: (id) => typeNames.get(id),
    collectionNameById: (id) => byId.get(id)?.name,
  }));
}
