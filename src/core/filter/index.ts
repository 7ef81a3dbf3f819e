// Placeholder contract; the filter module replaces this file with the real lexer/parser/resolver exports.
import type { Collection } from "../collections/collection.ts";
import type { RequestInfo } from "../request-info.ts";

/** Finds collections by name or id (the live schema). */
export interface SchemaLookup {
  byNameOrId(nameOrId: string): Collection | undefined;
  all(): readonly Collection[];
}

/** Everything a filter or rule is resolved against. */
export interface ResolveContext {
  readonly collection: Collection;
  readonly schema: SchemaLookup;
  readonly request: RequestInfo;
  readonly now: Date;
  /** Rules may read hidden fields; a client's `filter`/`sort` may not unless a superuser sends it. */
  readonly allowHiddenFields: boolean;
}

/** A filter checked against the live schema, ready for a store to compile. */
export interface ResolvedFilter {
  readonly kind: "placeholder";
}

/** One resolved ORDER BY item. */
export interface ResolvedSort {
  readonly kind: "placeholder";
}
