import type { Field } from "../collections/field.ts";
import { isMultiValue } from "../collections/field.ts";

/** A stored geoPoint value. */
export interface GeoPoint {
  readonly lon: number;
  readonly lat: number;
}

/**
 * The value a field holds when nothing was set (PocketBase's `PrepareValue(nil)`): "" for text-like,
 * date and single select/relation/file fields, 0, false, [] for multi-value fields, null for json and
 * `{lon: 0, lat: 0}` for geoPoint.
 */
export function zeroValue(field: Field): unknown {
  switch (field.type) {
    case "text":
    case "email":
    case "url":
    case "editor":
    case "date":
    case "autodate":
    case "password":
      return "";
    case "number":
      return 0;
    case "bool":
      return false;
    case "select":
    case "relation":
    case "file":
      return isMultiValue(field) ? [] : "";
    case "json":
      return null;
    case "geoPoint":
      return { lon: 0, lat: 0 };
    default: {
      const never: never = field;
      return never;
    }
  }
}

/** A fresh record of `fields` with every field at its zero value (the id too). */
export function zeroRecord(fields: readonly Field[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) out[field.name] = zeroValue(field);
  return out;
}
