/**
 * Realtime subscription strings, as the PocketBase SDK sends them: `COLLECTION/*` (every record),
 * `COLLECTION/RECORD_ID` (one record) or the older `COLLECTION` (same as `/*`), optionally followed by
 * `?options=` and URL-encoded JSON `{"query": {...}, "headers": {...}}` (filter, expand, fields, and
 * headers rules may read). The whole string, options included, is the subscription's name: events
 * are sent under it, so the SDK can route them to the right callback.
 */
export interface Subscription {
  /** The string the client sent; events for this subscription carry it as their name. */
  readonly name: string;
  readonly collection: string;
  /** A record id, or "*" for every record of the collection. */
  readonly target: string;
  readonly query: Readonly<Record<string, string>>;
  /** Header names as rules see them: lower-case, `-` as `_`. */
  readonly headers: Readonly<Record<string, string>>;
}

/** PocketBase's limits: at most 1000 subscriptions per client, each at most 2500 characters. */
export const MAX_SUBSCRIPTIONS = 1_000;
export const MAX_SUBSCRIPTION_LENGTH = 2_500;

function stringValues(value: unknown, key: (k: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) return out;
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    out[key(k)] = typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** Parses one subscription string; null for one that names no collection (ignored, as by PocketBase). */
export function parseSubscription(name: string): Subscription | null {
  // a line break would end the SSE field it is written in (and could forge an event)
  if (/[\r\n]/.test(name)) return null;
  const q = name.indexOf("?");
  const path = q === -1 ? name : name.slice(0, q);
  const [collection = "", target = "*", ...rest] = path.split("/");
  if (collection === "" || rest.length > 0 || target === "") return null;
  let options: { query?: unknown; headers?: unknown } = {};
  if (q !== -1) {
    const raw = new URLSearchParams(name.slice(q + 1)).get("options");
    if (raw) {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (typeof parsed === "object" && parsed !== null) options = parsed;
      } catch {
        // PocketBase ignores options it cannot parse
      }
    }
  }
  return {
    name,
    collection,
    target,
    query: stringValues(options.query, (k) => k),
    headers: stringValues(options.headers, (k) => k.toLowerCase().replace(/[^a-z0-9]+/g, "_")),
  };
}

/** A field error, in the shape validation errors carry. */
type FieldError = { code: string; message: string };

/** Checks a list of topics against the limits; adds a `subscriptions` error to `errors` if it breaks one. */
export function validateTopics(subscriptions: unknown, errors: Record<string, FieldError>): void {
  if (!Array.isArray(subscriptions) || subscriptions.some((s) => typeof s !== "string"))
    errors["subscriptions"] = { code: "validation_invalid_value", message: "Must be a list of strings." };
  else if (subscriptions.length > MAX_SUBSCRIPTIONS)
    errors["subscriptions"] = {
      code: "validation_length_too_long",
      message: `The length must be no more than ${MAX_SUBSCRIPTIONS}.`,
    };
  else if (subscriptions.some((s: string) => s.length > MAX_SUBSCRIPTION_LENGTH))
    errors["subscriptions"] = {
      code: "validation_length_too_long",
      message: `Each subscription must be at most ${MAX_SUBSCRIPTION_LENGTH} characters.`,
    };
}
