import type { Field } from "../collections/field.ts";
import { isMultiValue } from "../collections/field.ts";
import { isPlainObject, toGoBool, toGoFloat, toGoString, toUniqueStringSlice } from "./coerce.ts";
import { toDateTimeString } from "./datetime.ts";
import type { GeoPoint } from "./zero-value.ts";

/** Single-value fields keep the last submitted item; multi-value fields keep the unique list. */
function pickSelection(field: Field, items: string[]): string | string[] {
  if (isMultiValue(field)) return items;
  return items.at(-1) ?? "";
}

/** File names from a submitted value; each array item must name exactly one file (PocketBase's `toSliceValue`). */
export function toFileNames(raw: unknown): string[] {
  if (!Array.isArray(raw)) return toUniqueStringSlice(raw);
  const names: string[] = [];
  for (const item of raw) {
    const one = toFileNames(item);
    if (one.length === 1 && one[0] !== undefined) names.push(one[0]);
  }
  return [...new Set(names)];
}

/** Starts of text that PocketBase tries to read as JSON before falling back to a plain string. */
function looksLikeJson(text: string): boolean {
  const c = text[0] ?? "";
  return (c >= "0" && c <= "9") || c === "-" || c === '"' || c === "[" || c === "{";
}

/**
 * A json field's value: a string is read as JSON when it is `null`/`true`/`false` or starts like a
 * number, string, array or object and parses; otherwise it is kept as a JSON string (so a multipart
 * `hello` stores `"hello"` and `""` stores `""`). Other values are kept as their JSON form.
 */
export function prepareJson(raw: unknown): unknown {
  if (typeof raw === "string") {
    if (raw === "null") return null;
    if (raw === "true") return true;
    if (raw === "false") return false;
    if (raw !== "" && looksLikeJson(raw)) {
      try {
        return JSON.parse(raw) as unknown;
      } catch {
        return raw;
      }
    }
    return raw;
  }
  if (raw === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(raw)) as unknown;
  } catch {
    return null;
  }
}

/** Reads a key as Go's JSON decoder does for struct fields: exact name first, then case-insensitively. */
function lookupKey(obj: Record<string, unknown>, key: string): unknown {
  if (key in obj) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

/** A geoPoint from an object or its JSON text; non-number coordinates and anything else read as 0. */
export function prepareGeoPoint(raw: unknown): GeoPoint {
  let source: unknown = raw;
  if (typeof raw === "string") {
    if (raw === "") return { lon: 0, lat: 0 };
    try {
      source = JSON.parse(raw) as unknown;
    } catch {
      return { lon: 0, lat: 0 };
    }
  }
  if (!isPlainObject(source)) return { lon: 0, lat: 0 };
  const lon = lookupKey(source, "lon");
  const lat = lookupKey(source, "lat");
  return { lon: typeof lon === "number" ? lon : 0, lat: typeof lat === "number" ? lat : 0 };
}

/**
 * Converts a submitted value (from JSON, or a multipart/urlencoded string) into the value the field
 * stores, as PocketBase's `PrepareValue`/setter does. Never fails: what cannot be read becomes the
 * field's zero value and validation reports it. Password fields return the plain text (hashing is the
 * service's job); autodate fields accept only what a date field would (callers ignore client input).
 */
export function prepareValue(field: Field, raw: unknown): unknown {
  switch (field.type) {
    case "text":
    case "email":
    case "url":
    case "editor":
    case "password":
      return toGoString(raw);
    case "number":
      return toGoFloat(raw);
    case "bool":
      return toGoBool(raw);
    case "date":
    case "autodate":
      return toDateTimeString(raw);
    case "select":
    case "relation":
      return pickSelection(field, toUniqueStringSlice(raw));
    case "file":
      return pickSelection(field, toFileNames(raw));
    case "json":
      return prepareJson(raw);
    case "geoPoint":
      return prepareGeoPoint(raw);
    default: {
      const never: never = field;
      return never;
    }
  }
}
