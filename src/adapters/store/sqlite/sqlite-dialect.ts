import type { Field } from "../../../core/collections/field.ts";
import { isMultiValue } from "../../../core/collections/field.ts";
import type { SqlDialect } from "../sql/dialect.ts";
import { sqliteFilterDialect } from "./sqlite-filter-dialect.ts";

/** Quotes an SQLite identifier. */
export function quoteSqliteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function columnDefinition(field: Field): string {
  if (field.name === "id") return "TEXT PRIMARY KEY NOT NULL";
  switch (field.type) {
    case "number":
      return "NUMERIC DEFAULT 0 NOT NULL";
    case "bool":
      return "BOOLEAN DEFAULT FALSE NOT NULL";
    case "json":
      return "JSON DEFAULT NULL";
    case "geoPoint":
      return `JSON DEFAULT '{"lon":0,"lat":0}' NOT NULL`;
    case "select":
    case "file":
    case "relation":
      return isMultiValue(field) ? "JSON DEFAULT '[]' NOT NULL" : "TEXT DEFAULT '' NOT NULL";
    case "text":
    case "email":
    case "url":
    case "editor":
    case "date":
    case "autodate":
    case "password":
      return "TEXT DEFAULT '' NOT NULL";
    default: {
      const never: never = field;
      throw new Error(`unknown field type ${(never as Field).type}`);
    }
  }
}

function encodeValue(field: Field, value: unknown): unknown {
  switch (field.type) {
    case "bool":
      return value === true ? 1 : 0;
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? value : 0;
    case "json":
      return value === null || value === undefined ? null : JSON.stringify(value);
    case "geoPoint":
      return JSON.stringify(value ?? { lon: 0, lat: 0 });
    case "select":
    case "file":
    case "relation":
      if (isMultiValue(field)) return JSON.stringify(Array.isArray(value) ? value : []);
      return typeof value === "string" ? value : "";
    default:
      return value === null || value === undefined ? "" : String(value);
  }
}

function parseJson(raw: unknown, fallback: unknown): unknown {
  if (typeof raw !== "string") return raw ?? fallback;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function decodeValue(field: Field, raw: unknown): unknown {
  switch (field.type) {
    case "bool":
      return raw === 1 || raw === true || raw === "1" || raw === "true";
    case "number": {
      if (typeof raw === "number") return raw;
      if (typeof raw === "bigint") return Number(raw);
      const n = Number(raw);
      return Number.isFinite(n) ? n : 0;
    }
    case "json":
      return raw === null || raw === undefined ? null : parseJson(raw, null);
    case "geoPoint":
      return parseJson(raw, { lon: 0, lat: 0 });
    case "select":
    case "file":
    case "relation":
      if (isMultiValue(field)) {
        const list = parseJson(raw, []);
        if (Array.isArray(list)) return list;
        return typeof list === "string" && list !== "" ? [list] : [];
      }
      if (typeof raw === "string" && raw.startsWith("[")) {
        const list = parseJson(raw, []);
        return Array.isArray(list) ? String(list.at(-1) ?? "") : raw;
      }
      return raw === null || raw === undefined ? "" : String(raw);
    default:
      return raw === null || raw === undefined ? "" : String(raw);
  }
}

/** The SQLite dialect: PocketBase's column layout, so its data files are familiar. */
export const sqliteDialect: SqlDialect = {
  ...sqliteFilterDialect,
  capabilities: { skipLocked: false, transactionalDdl: true },
  quoteIdent: quoteSqliteIdent,
  placeholder: () => "?",
  columnDefinition,
  encodeValue,
  decodeValue,
  listAggregate: (expr) => `group_concat(${expr}, ',')`,
};
