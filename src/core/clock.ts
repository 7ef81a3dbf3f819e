/** Time source; injected so tests control it. */
export interface Clock {
  now(): Date;
}

/** Random source for ids and secrets; injected so tests can make it deterministic. */
export interface IdGen {
  /** A random string of `length` characters drawn from `alphabet`. */
  random(length: number, alphabet?: string): string;
}

/** PocketBase's record id alphabet. */
export const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** Formats a Date the way PocketBase stores and returns datetimes: `2006-01-02 15:04:05.000Z`. */
export function formatDateTime(d: Date): string {
  return d.toISOString().replace("T", " ");
}
