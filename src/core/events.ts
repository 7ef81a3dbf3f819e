import type { Collection } from "./collections/collection.ts";
import type { RecordRow } from "./ports.ts";

/** A committed change to a record; realtime, hooks, jobs and webhooks all read this one stream. */
export interface RecordEvent {
  readonly kind: "create" | "update" | "delete";
  readonly collection: Collection;
  readonly record: RecordRow;
  /**
   * Its number in the one order of all record changes (the event journal), handed out in commit
   * order; realtime event ids. Absent only for a change written without the journal.
   */
  readonly seq?: number;
}

/**
 * A committed change to the schema. `remote` marks one made by another instance or worker (it
 * arrived over the bus and the schema cache has already been reloaded).
 */
export interface SchemaEvent {
  readonly kind: "schema";
  readonly remote?: true;
}

/** A committed change to the settings (`remote` as for SchemaEvent). */
export interface SettingsEvent {
  readonly kind: "settings";
  readonly remote?: true;
}

/**
 * Another instance or worker changed or deleted an auth record: tokens cached for it must go. (A local
 * change arrives as a RecordEvent instead.)
 */
export interface RemoteAuthRecordEvent {
  readonly kind: "auth-record";
  readonly collectionId: string;
  readonly recordId: string;
  readonly remote: true;
}

/**
 * Changes from other instances may have been missed (the bus lost its connection, or is down): every
 * cache must be dropped. The schema cache has already been reloaded.
 */
export interface CachesStaleEvent {
  readonly kind: "caches-stale";
  readonly remote: true;
}

/** Anything published on the event hub. */
export type PlinthEvent =
  | RecordEvent
  | SchemaEvent
  | SettingsEvent
  | RemoteAuthRecordEvent
  | CachesStaleEvent;

/** The single place committed changes are announced. */
export interface EventHub {
  publish(event: PlinthEvent): void;
  subscribe(listener: (event: PlinthEvent) => void): () => void;
}
