import type { Field } from "../../../core/collections/field.ts";
import { isMultiValue } from "../../../core/collections/field.ts";
import type { SqlDialect } from "../sql/dialect.ts";
import { postgresFilterDialect } from "./postgres-filter-dialect.ts";

/** Quotes a PostgreSQL identifier. */
export function quotePostgresIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Column types: numbers as float8 (PocketBase's and JavaScript's number), JSON kept as written. */
function columnDefinition(field: Field): string {
  if (field.name === "id") return "TEXT PRIMARY KEY NOT NULL";
  switch (field.type) {
    case "number":
      return "DOUBLE PRECISION DEFAULT 0 NOT NULL";
    case "bool":
      return "BOOLEAN DEFAULT FALSE NOT NULL";
    case "json":
      return "JSON DEFAULT NULL";
    case "geoPoint":
      return `JSONB DEFAULT '{"lon":0,"lat":0}' NOT NULL`;
    case "select":
    case "file":
    case "relation":
      return isMultiValue(field) ? "JSONB DEFAULT '[]' NOT NULL" : "TEXT DEFAULT '' NOT NULL";
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
      return value === true;
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

/** pg parses json/jsonb itself; text columns may still hold JSON written by a migration. */
function parsed(raw: unknown, fallback: unknown): unknown {
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
      return raw === true;
    case "number": {
      const n = typeof raw === "number" ? raw : Number(raw);
      return Number.isFinite(n) ? n : 0;
    }
    case "json":
      return raw === null || raw === undefined ? null : parsed(raw, null);
    case "geoPoint":
      return parsed(raw, { lon: 0, lat: 0 });
    case "select":
    case "file":
    case "relation":
      if (isMultiValue(field)) {
        const list = parsed(raw, []);
        if (Array.isArray(list)) return list;
        return typeof list === "string" && list !== "" ? [list] : [];
      }
      return raw === null || raw === undefined ? "" : String(raw);
    default:
      return raw === null || raw === undefined ? "" : String(raw);
  }
}

/** The PostgreSQL dialect. */
export const postgresDialect: SqlDialect = {
  ...postgresFilterDialect,
  capabilities: { skipLocked: true, transactionalDdl: true },
  quoteIdent: quotePostgresIdent,
  placeholder: (n) => `$${n}`,
  columnDefinition,
  encodeValue,
  decodeValue,
  listAggregate: (expr) => `string_agg((${expr})::text, ',')`,
};
