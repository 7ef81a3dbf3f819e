import type { Clock } from "../../core/clock.ts";
import type { AuthInfo } from "../../core/request-info.ts";

/** Bounds for the verified-token cache. */
export interface VerifiedTokenCacheOptions {
  readonly clock: Clock;
  /**
   * How long a verification is trusted without looking at the database again. Writes made through
   * Plinth invalidate at once; this bounds how long a change made behind Plinth's back (another
   * process writing the file, a lost bus message) can go unseen.
   */
  readonly ttlMs: number;
  /** Most tokens kept; the oldest entry is dropped first. */
  readonly maxEntries: number;
}

interface Entry {
  readonly info: AuthInfo;
  readonly recordKey: string;
  /** Token expiry (ms since epoch) and the end of this entry's trust, whichever is earlier. */
  readonly validUntilMs: number;
}

/**
 * Remembers tokens that verified against their record, so an authenticated request costs neither an
 * HMAC nor a database read. Every committed change to an auth record forgets that record's tokens,
 * and a schema change forgets everything.
 *
 * A verification that started before an invalidation is never stored: `begin()` hands out the
 * current generation and `remember()` drops the result if any invalidation happened since, so a
 * read of the old row cannot repopulate the cache after the change that made it stale.
 */
export interface VerifiedTokenCache {
  lookup(token: string): AuthInfo | undefined;
  begin(): number;
  remember(token: string, info: AuthInfo, tokenExpiresAtMs: number, generation: number): void;
  forgetRecord(collectionId: string, recordId: string): void;
  clear(): void;
  readonly size: number;
}

export function createVerifiedTokenCache(options: VerifiedTokenCacheOptions): VerifiedTokenCache {
  const byToken = new Map<string, Entry>();
  const tokensByRecord = new Map<string, Set<string>>();
  let generation = 0;

  const keyOf = (collectionId: string, recordId: string): string => `${collectionId}\u0000${recordId}`;

  function drop(token: string): void {
    const entry = byToken.get(token);
    if (entry === undefined) return;
    byToken.delete(token);
    const tokens = tokensByRecord.get(entry.recordKey);
    tokens?.delete(token);
    if (tokens?.size === 0) tokensByRecord.delete(entry.recordKey);
  }

  return {
    lookup(token) {
      const entry = byToken.get(token);
      if (entry === undefined) return undefined;
      if (options.clock.now().getTime() >= entry.validUntilMs) {
        drop(token);
        return undefined;
      }
      return entry.info;
    },
    begin() {
      return generation;
    },
    remember(token, info, tokenExpiresAtMs, startedAt) {
      if (startedAt !== generation || options.maxEntries <= 0) return;
      drop(token);
      while (byToken.size >= options.maxEntries) {
        const oldest = byToken.keys().next().value;
        if (oldest === undefined) break;
        drop(oldest);
      }
      const recordKey = keyOf(info.collectionId, String(info.record["id"]));
      const validUntilMs = Math.min(tokenExpiresAtMs, options.clock.now().getTime() + options.ttlMs);
      byToken.set(token, { info, recordKey, validUntilMs });
      let tokens = tokensByRecord.get(recordKey);
      if (tokens === undefined) {
        tokens = new Set();
        tokensByRecord.set(recordKey, tokens);
      }
      tokens.add(token);
    },
    forgetRecord(collectionId, recordId) {
      generation++;
      const tokens = tokensByRecord.get(keyOf(collectionId, recordId));
      if (tokens === undefined) return;
      for (const token of [...tokens]) drop(token);
    },
    clear() {
      generation++;
      byToken.clear();
      tokensByRecord.clear();
    },
    get size() {
      return byToken.size;
    },
  };
}
