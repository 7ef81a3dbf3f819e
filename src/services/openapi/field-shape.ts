/** The JSON value a field has in API responses, as one small union both the OpenAPI and TypeScript writers render. */
import type { Collection } from "../../core/collections/collection.ts";
import type { Field } from "../../core/collections/field.ts";
import { isMultiValue } from "../../core/collections/field.ts";

/** A JSON value's shape. `enum` lists the exact strings allowed (including `""` where a field may be empty). */
export type ValueShape =
  | { readonly kind: "string"; readonly format?: "email" | "uri" | "datetime" | "html" }
  | { readonly kind: "number"; readonly integer: boolean }
  | { readonly kind: "boolean" }
  | { readonly kind: "enum"; readonly values: readonly string[] }
  | { readonly kind: "array"; readonly items: ValueShape }
  | { readonly kind: "json" }
  | { readonly kind: "geoPoint" };

const STRING: ValueShape = { kind: "string" };

/** Unique select values in their defined order. */
function selectValues(values: readonly string[], withEmpty: boolean): string[] {
  const unique = [...new Set(values)];
  if (withEmpty && !unique.includes("")) unique.push("");
  return unique;
}

/** The shape of a field's value in a record response. `password` fields never appear in one: null. */
export function readShape(field: Field): ValueShape | null {
  switch (field.type) {
    case "text":
      return STRING;
    case "editor":
      return { kind: "string", format: "html" };
    case "email":
      return { kind: "string", format: "email" };
    case "url":
      return { kind: "string", format: "uri" };
    case "date":
    case "autodate":
      return { kind: "string", format: "datetime" };
    case "number":
      return { kind: "number", integer: field.onlyInt };
    case "bool":
      return { kind: "boolean" };
    case "select": {
      const multi = isMultiValue(field);
      // an unset single select reads as "" (PocketBase's zero value); an unset multi select as []
      const values = selectValues(field.values, !multi);
      const one: ValueShape = field.values.length === 0 ? STRING : { kind: "enum", values };
      if (!multi) return one;
      return {
        kind: "array",
        items:
          field.values.length === 0 ? STRING : { kind: "enum", values: selectValues(field.values, false) },
      };
    }
    case "relation":
    case "file":
      return isMultiValue(field) ? { kind: "array", items: STRING } : STRING;
    case "json":
      return { kind: "json" };
    case "geoPoint":
      return { kind: "geoPoint" };
    case "password":
      return null;
    default: {
      const never: never = field;
      throw new Error(`unhandled field type ${(never as Field).type}`);
    }
  }
}

/** The shape a write body gives a field: as read, but a required single select cannot be "", a password is a string. */
export function writeShape(field: Field): ValueShape {
  if (field.type === "password") return STRING;
  const shape = readShape(field) ?? STRING;
  if (field.type === "select" && field.required && shape.kind === "enum") {
    const values = shape.values.filter((v) => v !== "");
    return values.length === 0 ? STRING : { kind: "enum", values };
  }
  return shape;
}

/** Fields a record response carries: not hidden, not a password (tokenKey is hidden). */
export function responseFields(collection: Collection): Field[] {
  return collection.fields.filter((f) => !f.hidden && f.type !== "password");
}

/** Fields a create/update body may set: visible ones except autodates, plus password fields (write-only). */
export function writableFields(collection: Collection): Field[] {
  if (collection.type === "view") return [];
  return collection.fields.filter((f) => (f.type === "password" ? true : !f.hidden && f.type !== "autodate"));
}

/** Whether a create body must carry the field (required and not filled in by the server). */
export function requiredOnCreate(field: Field): boolean {
  switch (field.type) {
    case "autodate":
      return false;
    case "text":
      return field.required && field.autogeneratePattern === "" && !field.primaryKey;
    default:
      return field.required;
  }
}

/** A short, human note about a field for descriptions (relation target, datetime format, modifiers). */
export function fieldNote(
  field: Field,
  collectionNameById: (id: string) => string | undefined,
): string | undefined {
  switch (field.type) {
    case "relation": {
      const target = collectionNameById(field.collectionId) ?? field.collectionId;
      return isMultiValue(field)
        ? `Ids of \`${target}\` records.`
        : `Id of a \`${target}\` record ("" when empty).`;
    }
    case "file":
      return isMultiValue(field)
        ? "File names (URL: /api/files/{collection}/{record}/{name})."
        : 'File name ("" when empty).';
    case "date":
    case "autodate":
      return 'UTC datetime as "YYYY-MM-DD HH:MM:SS.sssZ" ("" when empty).';
    case "editor":
      return "HTML.";
    case "geoPoint":
      return "Longitude and latitude in degrees.";
    default:
      return undefined;
  }
}
