/** Typed reads from untrusted JSON payloads, collecting type problems by dotted path instead of throwing. */
import type { FieldError, FieldErrors } from "../errors.ts";
import { FIELD_CODES, fieldError } from "../errors.ts";

/** A JSON object from a payload. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** Problems found while reading, keyed by dotted path (`fields.2.min`). */
export type Issues = Map<string, FieldError>;

/** Whether a value is a plain JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether the object has its own key (a given key, even if null). */
export function has(src: JsonObject, key: string): boolean {
  return Object.hasOwn(src, key);
}

function bad(issues: Issues, path: string, message: string): void {
  issues.set(path, fieldError(FIELD_CODES.invalidValue, message));
}

/** A string at `key`, `fallback` when absent (null counts as absent, like Go's decoder). */
export function readString(
  src: JsonObject,
  key: string,
  fallback: string,
  issues: Issues,
  path: string,
): string {
  const v = src[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "string") return v;
  bad(issues, path, "Must be a string.");
  return fallback;
}

/** A boolean at `key`, `fallback` when absent. */
export function readBool(
  src: JsonObject,
  key: string,
  fallback: boolean,
  issues: Issues,
  path: string,
): boolean {
  const v = src[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "boolean") return v;
  bad(issues, path, "Must be a boolean.");
  return fallback;
}

/** An integer at `key`, `fallback` when absent. */
export function readInt(
  src: JsonObject,
  key: string,
  fallback: number,
  issues: Issues,
  path: string,
): number {
  const v = src[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  bad(issues, path, "Must be an integer.");
  return fallback;
}

/** A number or null at `key` (null when given as null), `fallback` when absent. */
export function readNullableNumber(
  src: JsonObject,
  key: string,
  fallback: number | null,
  issues: Issues,
  path: string,
): number | null {
  const v = src[key];
  if (v === undefined) return fallback;
  if (v === null) return null;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  bad(issues, path, "Must be a number or null.");
  return fallback;
}

/** A string or null at `key` (an API rule), `fallback` when absent. */
export function readNullableString(
  src: JsonObject,
  key: string,
  fallback: string | null,
  issues: Issues,
  path: string,
): string | null {
  const v = src[key];
  if (v === undefined) return fallback;
  if (v === null || typeof v === "string") return v;
  bad(issues, path, "Must be a string or null.");
  return fallback;
}

/** A list of strings at `key` (null stays null), `fallback` when absent. */
export function readStringList<F extends readonly string[] | null>(
  src: JsonObject,
  key: string,
  fallback: F,
  issues: Issues,
  path: string,
): readonly string[] | F {
  const v = src[key];
  if (v === undefined) return fallback;
  if (v === null) return fallback === null ? fallback : [];
  if (Array.isArray(v) && v.every((s) => typeof s === "string")) return v as string[];
  bad(issues, path, "Must be a list of strings.");
  return fallback;
}

/** An object at `key`, undefined when absent or null. */
export function readObject(
  src: JsonObject,
  key: string,
  issues: Issues,
  path: string,
): JsonObject | undefined {
  const v = src[key];
  if (v === undefined || v === null) return undefined;
  if (isObject(v)) return v;
  bad(issues, path, "Must be an object.");
  return undefined;
}

/** Turns dotted-path issues into PocketBase's nested `data` shape. */
export function issuesToFieldErrors(issues: Issues): FieldErrors {
  const root: Record<string, unknown> = {};
  for (const [path, error] of issues) {
    const parts = path.split(".");
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (isObject(next) && !("code" in next && typeof next.code === "string"))
        node = next as Record<string, unknown>;
      else {
        const created: Record<string, unknown> = {};
        node[part] = created;
        node = created;
      }
    }
    node[parts[parts.length - 1] ?? ""] ??= error;
  }
  return root as FieldErrors;
}
