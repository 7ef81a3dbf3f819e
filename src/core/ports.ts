import type { Collection } from "./collections/collection.ts";
import type { ResolvedFilter, ResolvedSort } from "./filter/index.ts";

/** A record as stored: field name → decoded JS value (bool as boolean, JSON parsed). */
export type RecordRow = Record<string, unknown>;

/** What a store can do, so services branch on capabilities, never on a dialect name. */
export interface StoreCapabilities {
  /** Supports `SELECT ... FOR UPDATE SKIP LOCKED` (job queues). */
  readonly skipLocked: boolean;
  /** Runs DDL inside transactions. */
  readonly transactionalDdl: boolean;
}

/** A list/count query over one collection's table. */
export interface RecordQuery {
  readonly collection: Collection;
  /** Restricts to these record ids. */
  readonly ids?: readonly string[];
  /** Restricts to rows whose `field` equals `value` (case-insensitively with `nocase`); identities, lookups. */
  readonly match?: { readonly field: string; readonly value: string; readonly nocase?: boolean };
  /** ANDed conditions (rule, filter ...). */
  readonly where: readonly ResolvedFilter[];
  readonly sort: readonly ResolvedSort[];
  readonly limit?: number;
  readonly offset?: number;
}

/** A committed record change as the event journal keeps it (realtime replays from it). */
export interface JournalEntry {
  /** When it was written, ms since the epoch (the replay window is measured on it). */
  readonly at: number;
  readonly action: "create" | "update" | "delete";
  readonly collectionId: string;
  readonly recordId: string;
  /** The record as written (a deleted one as it was), hidden fields included. */
  readonly row: RecordRow;
}

/** A journal entry with its place in the one order of all record changes. */
export interface JournaledEvent extends JournalEntry {
  readonly seq: number;
}

/** Operations available inside (and outside) a transaction. */
export interface StoreSession {
  // system tables
  /**
   * Inside a transaction: waits until no other process is changing the schema, and holds that until
   * the transaction ends (schema writes take it too; so do settings writes). Outside one it does nothing.
   */
  lockSchema(): Promise<void>;
  loadCollections(): Promise<Collection[]>;
  saveCollection(collection: Collection): Promise<void>;
  deleteCollection(id: string): Promise<void>;
  /**
   * Brings the record table of a collection from `previous` to `next` (create when previous is null,
   * drop when next is null), keeping every remaining row's data. `all` is the full schema after the change.
   */
  syncRecordTable(
    previous: Collection | null,
    next: Collection | null,
    all: readonly Collection[],
  ): Promise<void>;
  getParam(key: string): Promise<unknown>;
  setParam(key: string, value: unknown): Promise<void>;

  // records
  findRecords(query: RecordQuery): Promise<RecordRow[]>;
  countRecords(query: RecordQuery): Promise<number>;
  insertRecord(collection: Collection, values: RecordRow): Promise<void>;
  updateRecord(collection: Collection, id: string, values: RecordRow): Promise<void>;
  deleteRecord(collection: Collection, id: string): Promise<void>;
  truncate(collection: Collection): Promise<void>;
  /**
   * Record `id` as stored, and for each condition list whether the record passes all of it: normally
   * one statement however many conditions, planned per condition shape rather than per condition
   * (realtime checks every subscriber of an event this way). Null when the record does not exist.
   */
  matchRecord(
    collection: Collection,
    id: string,
    conditions: readonly (readonly ResolvedFilter[])[],
  ): Promise<{ row: RecordRow; matches: boolean[] } | null>;

  // event journal
  /**
   * Appends record changes to the journal, inside the writing transaction and as its last statement:
   * numbers are handed out in commit order, with no gaps. Returns the first one's number.
   */
  appendEvents(entries: readonly JournalEntry[]): Promise<number>;
}

/** The database behind every service. */
export interface Store extends StoreSession {
  readonly capabilities: StoreCapabilities;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. Nested calls join the outer one. */
  transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T>;
  /** Creates the system tables when missing. */
  init(): Promise<void>;
  /** Journal entries after `afterSeq`, oldest first, at most `limit`. */
  readEvents(afterSeq: number, limit: number): Promise<JournaledEvent[]>;
  /** The oldest journal entry still kept (last + 1 when none is) and the last number handed out. */
  eventBounds(): Promise<{ first: number; last: number }>;
  /** Forgets journal entries written before `beforeAt` (ms) and all but the newest `keepLast`. */
  pruneEvents(beforeAt: number, keepLast: number): Promise<void>;
  /** Checks the database answers (health). */
  ping(): Promise<void>;
  /** Another instance changed the schema: drop anything cached about the old tables (prepared statements). */
  schemaChangedElsewhere(): void;
  close(): Promise<void>;
}

/** Hashes and checks passwords (argon2id); native work, so it sits behind a port. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

/** Claims carried by a signed token. */
export type TokenClaims = Readonly<Record<string, string | number | boolean>>;

/** Signs and verifies compact HS256 JWTs; native crypto, so it sits behind a port. */
export interface TokenSigner {
  /** A token with `claims` plus `exp` (seconds since epoch), signed with `key`. */
  sign(claims: TokenClaims, key: string, expiresAt: number): string;
  /** The claims without checking the signature (to find whose key to verify with), or null if malformed. */
  peek(token: string): TokenClaims | null;
  /** The claims when the signature matches `key` and `exp` is after `now` (seconds), else null. */
  verify(token: string, key: string, now: number): TokenClaims | null;
}
