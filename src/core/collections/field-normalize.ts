/** Builds full field definitions from payloads, filling every option with PocketBase's default. */
import { FIELD_CODES, fieldError } from "../errors.ts";
import { crc32Checksum } from "./crc32.ts";
import type { Field, FieldType } from "./field.ts";
import { FIELD_TYPES } from "./field.ts";
import type { Issues, JsonObject } from "./input-reader.ts";
import {
  isObject,
  readBool,
  readInt,
  readNullableNumber,
  readString,
  readStringList,
} from "./input-reader.ts";

/** PocketBase's default id for a field without one: its type followed by the CRC-32 of its name. */
export function defaultFieldId(type: FieldType, name: string): string {
  return type + crc32Checksum(name);
}

/** Whether a string names a known field type. */
export function isFieldType(value: unknown): value is FieldType {
  return typeof value === "string" && (FIELD_TYPES as readonly string[]).includes(value);
}

/** A field's JSON with keys in alphabetical order, as PocketBase serializes fields. */
export function sortFieldKeys<T extends object>(field: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(field).sort()) out[key] = (field as Record<string, unknown>)[key];
  return out as T;
}

/** Formats a date the way PocketBase stores it (`2006-01-02 15:04:05.000Z`); "" for "" and null for unparseable. */
export function formatPbDate(value: string): string | null {
  const text = value.trim();
  if (text === "") return "";
  const iso = /^\d{4}-\d{2}-\d{2} \d/.test(text) ? text.replace(" ", "T") : text;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return date.toISOString().replace("T", " ");
}

/**
 * Reads one field payload as PocketBase does (a blank field of its type with the given keys on top),
 * or records an issue and returns null when the type is missing or unknown.
 */
export function normalizeField(input: unknown, issues: Issues, path: string): Field | null {
  if (!isObject(input)) {
    issues.set(path, fieldError(FIELD_CODES.invalidValue, "Must be a field object."));
    return null;
  }
  const type = input.type;
  if (!isFieldType(type)) {
    issues.set(
      `${path}.type`,
      fieldError(
        "validation_unknown_field_type",
        `Missing or unknown field type ${JSON.stringify(type ?? "")}.`,
      ),
    );
    return null;
  }
  const s = (key: string, fallback = ""): string =>
    readString(input, key, fallback, issues, `${path}.${key}`);
  const b = (key: string): boolean => readBool(input, key, false, issues, `${path}.${key}`);
  const i = (key: string): number => readInt(input, key, 0, issues, `${path}.${key}`);
  const common = {
    id: s("id"),
    name: s("name"),
    system: b("system"),
    hidden: b("hidden"),
    presentable: b("presentable"),
  };
  const withHelp = { ...common, help: s("help") };
  return sortFieldKeys(buildTyped(type, input, { common, withHelp, s, b, i }, issues, path));
}

interface Readers {
  readonly common: { id: string; name: string; system: boolean; hidden: boolean; presentable: boolean };
  readonly withHelp: Readers["common"] & { help: string };
  s(key: string, fallback?: string): string;
  b(key: string): boolean;
  i(key: string): number;
}

function buildTyped(type: FieldType, input: JsonObject, r: Readers, issues: Issues, path: string): Field {
  const { withHelp, s, b, i } = r;
  const list = (key: string): readonly string[] | null =>
    readStringList(input, key, null, issues, `${path}.${key}`);
  const required = b("required");
  switch (type) {
    case "text":
      return {
        ...withHelp,
        type,
        min: i("min"),
        max: i("max"),
        pattern: s("pattern"),
        autogeneratePattern: s("autogeneratePattern"),
        required,
        primaryKey: b("primaryKey"),
      };
    case "number":
      return {
        ...withHelp,
        type,
        min: readNullableNumber(input, "min", null, issues, `${path}.min`),
        max: readNullableNumber(input, "max", null, issues, `${path}.max`),
        onlyInt: b("onlyInt"),
        required,
      };
    case "bool":
    case "geoPoint":
      return { ...withHelp, type, required };
    case "email":
    case "url":
      return {
        ...withHelp,
        type,
        exceptDomains: list("exceptDomains"),
        onlyDomains: list("onlyDomains"),
        required,
      };
    case "editor":
      return { ...withHelp, type, maxSize: i("maxSize"), convertURLs: b("convertURLs"), required };
    case "date":
      return { ...withHelp, type, min: date("min"), max: date("max"), required };
    case "autodate":
      return { ...r.common, type, onCreate: b("onCreate"), onUpdate: b("onUpdate") };
    case "select":
      return {
        ...withHelp,
        type,
        values: readStringList(input, "values", [], issues, `${path}.values`),
        maxSelect: i("maxSelect"),
        required,
      };
    case "json":
      return { ...withHelp, type, maxSize: i("maxSize"), required };
    case "file":
      return {
        ...withHelp,
        type,
        maxSize: i("maxSize"),
        maxSelect: i("maxSelect"),
        mimeTypes: list("mimeTypes"),
        thumbs: list("thumbs"),
        protected: b("protected"),
        required,
      };
    case "relation":
      return {
        ...withHelp,
        type,
        collectionId: s("collectionId"),
        cascadeDelete: b("cascadeDelete"),
        minSelect: i("minSelect"),
        maxSelect: i("maxSelect"),
        required,
      };
    case "password":
      return {
        ...withHelp,
        type,
        pattern: s("pattern"),
        min: i("min"),
        max: i("max"),
        cost: i("cost"),
        required,
      };
    default: {
      const never: never = type;
      throw new Error(`unhandled field type ${String(never)}`);
    }
  }

  function date(key: string): string {
    const raw = s(key);
    const formatted = formatPbDate(raw);
    if (formatted === null) {
      issues.set(`${path}.${key}`, fieldError(FIELD_CODES.invalidDate, "Must be a valid date."));
      return "";
    }
    return formatted;
  }
}

/** A blank field of a type with PocketBase's zero-value options, then `props` on top. */
export function makeField<T extends FieldType>(
  type: T,
  props: Readonly<Record<string, unknown>> & { readonly name: string },
): Extract<Field, { type: T }> {
  const issues: Issues = new Map();
  const field = normalizeField({ ...props, type }, issues, "field");
  if (field === null || issues.size > 0) throw new Error(`invalid built-in field ${props.name}`);
  const withId = field.id === "" ? sortFieldKeys({ ...field, id: defaultFieldId(type, field.name) }) : field;
  return withId as Extract<Field, { type: T }>;
}
