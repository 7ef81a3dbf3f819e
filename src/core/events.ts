import type { Collection } from "./collections/collection.ts";
import type { RecordRow } from "./ports.ts";

/** A committed change to a record; realtime, hooks, jobs and webhooks all read this one stream. */
export interface RecordEvent {
  readonly kind: "create" | "update" | "delete";
  readonly collection: Collection;
  readonly record: RecordRow;
}

/** A committed change to the schema. */
export interface SchemaEvent {
  readonly kind: "schema";
}

/** Anything published on the event hub. */
export type PlinthEvent = RecordEvent | SchemaEvent;

/** The single place committed changes are announced. */
export interface EventHub {
  publish(event: PlinthEvent): void;
  subscribe(listener: (event: PlinthEvent) => void): () => void;
}
