/** Validates a normalized collection against its previous state and the other collections (PocketBase's rules and codes). */
import type { FieldError, FieldErrors } from "../errors.ts";
import type { Collection, Rule } from "./collection.ts";
import { RULE_NAMES } from "./collection.ts";
import type { RuleResult } from "./pb-rules.ts";
import { first, length, match, oneOf, required } from "./pb-rules.ts";
import { validateAuthOptions } from "./validate-auth-options.ts";
import { validateFieldSettings } from "./validate-field.ts";
import { checkIndexes } from "./validate-indexes.ts";
import { inferViewFields } from "./view-fields.ts";

/** What validation may consult besides the two collection states. */
export interface ValidateContext {
  /** Every collection as it will be after the change (including `next`). */
  readonly all: readonly Collection[];
  /** Checks a rule expression against a collection; returns the error message or null. */
  checkRule(rule: string, collection: Collection): string | null;
  /** Table names the store uses for itself, which no collection may take (default: PocketBase's). */
  readonly internalTables?: readonly string[];
}

type Mutable = Record<string, FieldError | FieldErrors>;

const NAME_RE = /^\w+$/;
const DEFAULT_INTERNAL_TABLES = ["_collections", "_params", "_migrations"];
const RESERVED_AUTH_FIELD_NAMES = ["passwordConfirm", "oldPassword"];

/** PocketBase-shaped field errors for a collection change (`{}` when valid). `previous` is null on create. */
export function validateCollection(
  next: Collection,
  previous: Collection | null,
  ctx: ValidateContext,
): FieldErrors {
  const errors: Mutable = {};
  const put = (key: string, e: FieldError | FieldErrors | null): void => {
    if (e !== null && errors[key] === undefined) errors[key] = e;
  };
  const others = ctx.all.filter((c) => c.id !== (previous?.id ?? next.id));

  put(
    "id",
    previous === null
      ? first(
          () => required(next.id),
          () => length(next.id, 1, 100),
          () => match(next.id, NAME_RE),
          () =>
            ctx.all.some((c) => c !== next && c.id === next.id)
              ? {
                  code: "validation_invalid_or_existing_id",
                  message: "The model id is invalid or already exists.",
                }
              : null,
        )
      : next.id === previous.id
        ? null
        : { code: "validation_values_mismatch", message: "Values don't match." },
  );
  put(
    "system",
    previous !== null && next.system !== previous.system
      ? {
          code: "validation_collection_system_flag_change",
          message: "System collection state cannot be changed.",
        }
      : null,
  );
  put(
    "type",
    first(
      () => required(next.type),
      () => oneOf(next.type, ["base", "auth", "view"]),
      () =>
        previous !== null && next.type !== previous.type
          ? { code: "validation_collection_type_change", message: "Collection type cannot be changed." }
          : null,
    ),
  );
  put("name", checkName(next, previous, others, ctx.internalTables ?? DEFAULT_INTERNAL_TABLES));
  put("fields", checkFields(next, previous, ctx));

  const lockedRule = (rule: Rule, old: Rule): RuleResult =>
    previous?.system === true && rule !== old
      ? {
          code: "validation_collection_system_rule_change",
          message: "System collection API rule cannot be changed.",
        }
      : null;
  const syntax = (rule: Rule): RuleResult => {
    if (rule === null || rule === "") return null;
    const message = ctx.checkRule(rule, next);
    return message === null
      ? null
      : { code: "validation_invalid_rule", message: `Invalid rule. Raw error: ${message}` };
  };
  for (const key of RULE_NAMES) {
    const viewOnlyRead = next.type === "view" && key !== "listRule" && key !== "viewRule";
    put(
      key,
      first(
        () =>
          viewOnlyRead && next[key] !== null ? { code: "validation_nil", message: "Must be blank." } : null,
        () => syntax(next[key]),
        () => lockedRule(next[key], previous?.[key] ?? null),
      ),
    );
  }
  put("indexes", checkIndexes(next, previous, others));

  if (next.type === "auth") {
    const options = validateAuthOptions(next, previous, (_key, rule, old) =>
      first(
        () => syntax(rule),
        () => lockedRule(rule, old),
      ),
    );
    for (const [k, v] of Object.entries(options)) put(k, v);
  } else if (next.type === "view") {
    put(
      "viewQuery",
      first(
        () => required(next.viewQuery),
        () => {
          const inferred = inferViewFields(next.viewQuery, ctx.all);
          if ("error" in inferred) {
            return {
              code: "validation_invalid_view_query",
              message: `Invalid query - ${inferred.error.slice(0, 500)}`,
            };
          }
          return null;
        },
      ),
    );
  }
  return errors;
}

function checkName(
  next: Collection,
  previous: Collection | null,
  others: readonly Collection[],
  internalTables: readonly string[],
): RuleResult {
  const name = next.name;
  return first(
    () => required(name),
    () => length(name, 1, 255),
    () =>
      name.toLowerCase().includes("_via_")
        ? { code: "validation_found_via", message: 'The value cannot contain "_via_".' }
        : null,
    () => match(name, NAME_RE),
    () =>
      previous?.system === true && name !== previous.name
        ? {
            code: "validation_collection_system_name_change",
            message: "System collection name cannot be changed.",
          }
        : null,
    () =>
      others.some((c) => c.name.toLowerCase() === name.toLowerCase())
        ? {
            code: "validation_collection_name_exists",
            message: "Collection name must be unique (case insensitive).",
          }
        : null,
    () =>
      others.some((c) => c.id === name)
        ? {
            code: "validation_collection_name_id_duplicate",
            message: "The name must not match an existing collection id.",
          }
        : null,
    () =>
      name !== previous?.name && internalTables.some((t) => t.toLowerCase() === name.toLowerCase())
        ? {
            code: "validation_collection_name_invalid",
            message: "The name shouldn't match with an existing internal table.",
          }
        : null,
  );
}

function checkFields(
  next: Collection,
  previous: Collection | null,
  ctx: ValidateContext,
): FieldError | FieldErrors | null {
  const fields = next.fields;
  const ids = new Set<string>();
  const names = new Set<string>();
  for (const [i, f] of fields.entries()) {
    if (ids.has(f.id)) {
      return {
        [i]: {
          id: {
            code: "validation_duplicated_field_id",
            message: `Duplicated or invalid field id "${f.id}".`,
          },
        },
      };
    }
    if (names.has(f.name.toLowerCase())) {
      return {
        [i]: {
          name: {
            code: "validation_duplicated_field_name",
            message: `Duplicated or invalid field name ${f.name}.`,
          },
        },
      };
    }
    ids.add(f.id);
    names.add(f.name.toLowerCase());
  }
  const minFields = checkMinFields(next);
  if (minFields !== null) return minFields;
  if (next.type !== "view" && previous !== null) {
    for (const old of previous.fields) {
      if (!old.system) continue;
      const now = fields.find((f) => f.id === old.id);
      if (now === undefined || now.name !== old.name) {
        return {
          code: "validation_system_field_change",
          message: "System fields cannot be deleted or renamed.",
        };
      }
    }
    const changed: Mutable = {};
    for (const [i, f] of fields.entries()) {
      const old = previous.fields.find((o) => o.id === f.id);
      if (old !== undefined && old.type !== f.type) {
        changed[i] = { code: "validation_field_type_change", message: "Field type cannot be changed." };
      }
    }
    if (Object.keys(changed).length > 0) return changed;
  }
  if (next.type === "auth") {
    const reserved: Mutable = {};
    for (const [i, f] of fields.entries()) {
      if (RESERVED_AUTH_FIELD_NAMES.includes(f.name)) {
        reserved[i] = {
          name: {
            code: "validation_reserved_field_name",
            message: "The field name is reserved and cannot be used.",
          },
        };
      }
    }
    if (Object.keys(reserved).length > 0) return reserved;
  }
  const settings: Mutable = {};
  for (const [i, f] of fields.entries()) {
    const e = validateFieldSettings(f, { collection: next, previous, all: ctx.all });
    if (e !== null) settings[i] = e;
  }
  return Object.keys(settings).length > 0 ? settings : null;
}

function checkMinFields(next: Collection): FieldError | FieldErrors | null {
  const fields = next.fields;
  if (fields.length === 0) return required([]);
  const byName = (name: string) => fields.find((f) => f.name === name);
  const id = byName("id");
  if (id?.type !== "text" || !id.primaryKey) {
    return { code: "validation_missing_primary_key", message: 'Missing or invalid "id" PK field.' };
  }
  if (next.type !== "auth") return null;
  const systemAndHidden = {
    code: "validation_must_be_system_and_hidden",
    message: 'The field must be marked as "System" and "Hidden".',
  };
  const mustBeSystem = {
    code: "validation_must_be_system",
    message: 'The field must be marked as "System".',
  };
  const specs = [
    ["password", "password", true],
    ["tokenKey", "text", true],
    ["email", "email", false],
    ["emailVisibility", "bool", false],
    ["verified", "bool", false],
  ] as const;
  for (const [name, type, hidden] of specs) {
    const f = byName(name);
    if (f?.type !== type) {
      return { code: `validation_missing_${name}_field`, message: `System "${name}" field is required.` };
    }
    if (!f.system || (hidden && !f.hidden)) return { [name]: hidden ? systemAndHidden : mustBeSystem };
  }
  return null;
}
