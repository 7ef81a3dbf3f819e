import type { Collection } from "../../core/collections/collection.ts";
import type { PasswordHasher, RecordRow } from "../../core/ports.ts";
import { resolveKey } from "../../core/records/index.ts";

/**
 * Password work done before a write transaction begins, so the database's write lock is never held
 * through an argon2 hash (~20 ms; under SQLite every other writer, in every process, waits for it).
 * Only a cache: the transaction still builds and checks the record itself, uses these results
 * where its own inputs match, and hashes or verifies anything missing as before.
 */
export interface PasswordWork {
  /** New hashes by plain password. */
  readonly hashes: ReadonlyMap<string, string>;
  /** `oldPassword` checks, by saved hash and submitted value. */
  readonly checks: ReadonlyMap<string, boolean>;
}

function checkKey(hash: string, plain: string): string {
  return JSON.stringify([hash, plain]);
}

/** The saved password hash of an auth record ("" when none). */
export function savedPasswordHash(row: RecordRow): string {
  return typeof row["password"] === "string" ? row["password"] : "";
}

/** Whether `body` may set a password field of `c`, and so may need argon2 work. */
export function setsPassword(c: Collection, body: RecordRow): boolean {
  return Object.keys(body).some((key) => resolveKey(c, key)?.field.type === "password");
}

/** Hashing and checking of record passwords, reusing a `PasswordWork` done earlier when given one. */
export function createRecordPasswords(hasher: PasswordHasher) {
  /** Whether `oldPassword` matches the saved `hash` ("" never matches). */
  async function matches(
    hash: string,
    oldPassword: string,
    work: PasswordWork | undefined,
  ): Promise<boolean> {
    if (hash === "") return false;
    return work?.checks.get(checkKey(hash, oldPassword)) ?? hasher.verify(hash, oldPassword);
  }

  return {
    matches,

    /** Sets every password field given a new plain value to its hash. */
    async hashInto(
      values: RecordRow,
      plain: Readonly<Record<string, string>>,
      work: PasswordWork | undefined,
    ): Promise<void> {
      for (const [name, value] of Object.entries(plain)) {
        values[name] = work?.hashes.get(value) ?? (await hasher.hash(value));
      }
    },

    /**
     * Does the work ahead of a transaction: checks `oldPassword` against `savedHash` when given,
     * then hashes the new passwords, unless the check failed (the write will be refused).
     */
    async prepare(
      plain: Readonly<Record<string, string>>,
      oldPassword?: { readonly savedHash: string; readonly value: string },
    ): Promise<PasswordWork> {
      const checks = new Map<string, boolean>();
      const hashes = new Map<string, string>();
      if (oldPassword !== undefined) {
        const ok = await matches(oldPassword.savedHash, oldPassword.value, undefined);
        checks.set(checkKey(oldPassword.savedHash, oldPassword.value), ok);
        if (!ok) return { hashes, checks };
      }
      for (const value of Object.values(plain)) {
        if (!hashes.has(value)) hashes.set(value, await hasher.hash(value));
      }
      return { hashes, checks };
    },
  };
}
