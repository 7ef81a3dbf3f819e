/** Each field type's validation of its own options (PocketBase's Field.ValidateSettings). */
import type { FieldError } from "../errors.ts";
import type { Collection } from "./collection.ts";
import type { Field } from "./field.ts";
import { formatPbDate } from "./field-normalize.ts";
import type { RuleResult } from "./pb-rules.ts";
import {
  empty,
  first,
  isDomain,
  isRegex,
  length,
  MAX_SAFE_JSON_INT,
  match,
  max,
  min,
  notIn,
  oneOf,
  required,
} from "./pb-rules.ts";

/** What a field's checks may look at. */
export interface FieldCheckContext {
  readonly collection: Collection;
  readonly previous: Collection | null;
  readonly all: readonly Collection[];
}

const NAME_RE = /^\w+$/;
const RESERVED_NAMES = ["null", "true", "false", "_rowid_", "collectionId", "collectionName", "expand"];
const THUMB_RE = /^(\d+)x(\d+)(t|b|f)?$/;

/** Field-name rules shared by all types (required, ≤ 100 chars, `\w+`, not reserved, no `_via_`). */
export function checkFieldName(name: string): RuleResult {
  return first(
    () => required(name),
    () => length(name, 1, 100),
    () => match(name, NAME_RE),
    () => notIn(name, RESERVED_NAMES),
    () =>
      name.toLowerCase().includes("_via_")
        ? { code: "validation_found_via", message: 'The value cannot contain "_via_".' }
        : null,
  );
}

/** Errors of one field's options keyed by option name, or null when valid. */
export function validateFieldSettings(
  field: Field,
  ctx: FieldCheckContext,
): Record<string, FieldError> | null {
  const errors: Record<string, FieldError> = {};
  const put = (key: string, result: RuleResult): void => {
    if (result !== null && errors[key] === undefined) errors[key] = result;
  };
  put(
    "id",
    first(
      () => required(field.id),
      () => length(field.id, 1, 100),
    ),
  );
  put("name", checkFieldName(field.name));
  if (field.type !== "autodate") put("help", length(field.help ?? "", 1, 300));
  switch (field.type) {
    case "text": {
      const pk = field.primaryKey;
      put("name", pk ? oneOf(field.name, ["id"], 'The primary key must be named "id".') : null);
      const pks = ctx.collection.fields.filter((f) => f.type === "text" && f.primaryKey).length;
      put(
        "primaryKey",
        pk && pks > 1
          ? {
              code: "validation_unsupported_composite_pk",
              message: "Composite PKs are not supported and the collection must have only 1 PK.",
            }
          : null,
      );
      put(
        "min",
        first(
          () => min(field.min, 0),
          () => max(field.min, MAX_SAFE_JSON_INT),
        ),
      );
      put(
        "max",
        first(
          () => min(field.max, field.min),
          () => max(field.max, MAX_SAFE_JSON_INT),
        ),
      );
      put(
        "pattern",
        first(
          () => (pk ? required(field.pattern) : null),
          () => isRegex(field.pattern),
        ),
      );
      put("hidden", pk ? empty(field.hidden) : null);
      put("required", pk ? required(field.required) : null);
      put("autogeneratePattern", isRegex(field.autogeneratePattern));
      break;
    }
    case "number": {
      const onlyInt = (v: number | null): RuleResult =>
        v !== null && field.onlyInt && !Number.isInteger(v)
          ? { code: "validation_only_int_constraint", message: "Decimal numbers are not allowed." }
          : null;
      put("min", onlyInt(field.min));
      put(
        "max",
        first(
          () => onlyInt(field.max),
          () =>
            field.min !== null && field.max !== null && field.max < field.min
              ? {
                  code: "validation_min_number_constraint",
                  message: `Must be greater or equal than ${field.min}.`,
                }
              : null,
        ),
      );
      break;
    }
    case "email":
    case "url": {
      const only = field.onlyDomains ?? [];
      const except = field.exceptDomains ?? [];
      put("exceptDomains", only.length > 0 ? empty(except) : eachDomain(except));
      put("onlyDomains", except.length > 0 ? empty(only) : eachDomain(only));
      break;
    }
    case "editor":
    case "json":
      put(
        "maxSize",
        first(
          () => min(field.maxSize, 0),
          () => max(field.maxSize, MAX_SAFE_JSON_INT),
        ),
      );
      break;
    case "date":
      put("max", dateRange(field.min, field.max));
      break;
    case "autodate": {
      const old = ctx.previous?.fields.find((f) => f.id === field.id);
      const was = old?.type === "autodate" ? old : field;
      const either = { code: "validation_required", message: "Either onCreate or onUpdate must be enabled." };
      const mismatch = { code: "validation_values_mismatch", message: "Values don't match." };
      put("onCreate", field.system && field.onCreate !== was.onCreate ? mismatch : null);
      put("onCreate", !field.onUpdate && !field.onCreate ? either : null);
      put("onUpdate", field.system && field.onUpdate !== was.onUpdate ? mismatch : null);
      put("onUpdate", !field.onUpdate && !field.onCreate ? either : null);
      break;
    }
    case "select":
      put("values", required(field.values));
      put(
        "maxSelect",
        first(
          () => min(field.maxSelect, 0),
          () => max(field.maxSelect, Math.max(field.values.length, 1)),
        ),
      );
      break;
    case "file":
      put(
        "maxSelect",
        first(
          () => min(field.maxSelect, 0),
          () => max(field.maxSelect, MAX_SAFE_JSON_INT),
        ),
      );
      put(
        "maxSize",
        first(
          () => min(field.maxSize, 0),
          () => max(field.maxSize, MAX_SAFE_JSON_INT),
        ),
      );
      put("thumbs", eachThumb(field.thumbs ?? []));
      break;
    case "relation":
      put(
        "collectionId",
        first(
          () => required(field.collectionId),
          () => checkRelationTarget(field, ctx),
        ),
      );
      put("minSelect", min(field.minSelect, 0));
      put(
        "maxSelect",
        first(
          () => (field.minSelect > 0 ? required(field.maxSelect) : null),
          () => min(field.maxSelect, field.minSelect),
        ),
      );
      break;
    case "password":
      put(
        "min",
        first(
          () => min(field.min, 1),
          () => max(field.min, 71),
        ),
      );
      put(
        "max",
        first(
          () => min(field.max, field.min),
          () => max(field.max, 71),
        ),
      );
      put(
        "cost",
        first(
          () => min(field.cost, 4),
          () => max(field.cost, 31),
        ),
      );
      put("pattern", isRegex(field.pattern));
      break;
    case "bool":
    case "geoPoint":
      break;
    default: {
      const never: never = field;
      throw new Error(`unknown field ${String(never)}`);
    }
  }
  return Object.keys(errors).length > 0 ? errors : null;
}

function eachDomain(list: readonly string[]): RuleResult {
  for (const d of list) {
    const e = isDomain(d);
    if (e !== null) return e;
  }
  return null;
}

function eachThumb(list: readonly string[]): RuleResult {
  for (const t of list) {
    const e = first(
      () => notIn(t, ["0x0", "0x0t", "0x0b", "0x0f"]),
      () => match(t, THUMB_RE),
    );
    if (e !== null) return e;
  }
  return null;
}

function dateRange(minDate: string, maxDate: string): RuleResult {
  if (maxDate === "") return null;
  const v = formatPbDate(maxDate);
  if (v === null) return { code: "validation_date_invalid", message: "Must be a valid date." };
  const lo = formatPbDate(minDate);
  if (lo && v < lo) return { code: "validation_date_out_of_range", message: "The date is out of range." };
  return null;
}

function checkRelationTarget(
  field: Extract<Field, { type: "relation" }>,
  ctx: FieldCheckContext,
): RuleResult {
  const old = ctx.previous?.fields.find((f) => f.id === field.id);
  if (old?.type === "relation" && old.collectionId !== field.collectionId) {
    return {
      code: "validation_field_relation_change",
      message: "The relation collection cannot be changed.",
    };
  }
  const target = ctx.all.find((c) => c.id === field.collectionId);
  if (target === undefined) {
    return {
      code: "validation_field_relation_missing_collection",
      message: "The relation collection doesn't exist.",
    };
  }
  if (ctx.collection.type !== "view" && target.type === "view") {
    return {
      code: "validation_relation_field_non_view_base_collection",
      message: "Only view collections are allowed to have relations to other views.",
    };
  }
  return null;
}
