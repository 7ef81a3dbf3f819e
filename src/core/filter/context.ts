import type { Collection } from "../collections/collection.ts";
import type { RequestInfo } from "../request-info.ts";
import type { ParseLimits } from "./parser.ts";

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
  /** Parse bounds; defaults are PocketBase's (3500 chars, 200 expressions) plus a depth of 50. */
  readonly limits?: Partial<ParseLimits>;
}
