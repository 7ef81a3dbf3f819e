/** PocketBase's fields-list rules: default ids, replace-by-id/name, and the system fields each type gets. */
import type { CollectionType } from "./collection.ts";
import type { Field, FieldType } from "./field.ts";
import { defaultFieldId, makeField, sortFieldKeys } from "./field-normalize.ts";
import { findSingleColumnUniqueIndex } from "./index-definition.ts";

/**
 * Appends a field like PocketBase's FieldsList.Add: a field without id gets `type+crc32(name)` (suffixed 2, 3…
 * when taken) and replaces, in place and keeping its id, an existing field of the same name; a field with an
 * id replaces the field with that id in place. Otherwise it is appended.
 */
export function addField(list: readonly Field[], field: Field): Field[] {
  const out = [...list];
  if (field.id === "") {
    const same = out.findIndex((f) => field.name !== "" && f.name === field.name);
    if (same >= 0) {
      out[same] = withId(field, out[same]?.id ?? "");
      return out;
    }
    const base = defaultFieldId(field.type, field.name);
    let id = base;
    for (let n = 2; n < 1000 && out.some((f) => f.id === id); n++) id = base + String(n);
    out.push(withId(field, id));
    return out;
  }
  const same = out.findIndex((f) => f.id === field.id);
  if (same >= 0) out[same] = field;
  else out.push(field);
  return out;
}

/** Builds a list from fields in order, applying {@link addField} to each. */
export function buildFieldsList(fields: readonly Field[]): Field[] {
  return fields.reduce<Field[]>((list, f) => addField(list, f), []);
}

function withId<F extends Field>(field: F, id: string): F {
  return sortFieldKeys({ ...field, id });
}

/** Default regex a record id must match. */
export const DEFAULT_ID_PATTERN = "^[a-z0-9]+$";

/** The `id` primary-key field every base and auth collection starts with. */
export function defaultIdField(): Field {
  return makeField("text", {
    name: "id",
    system: true,
    primaryKey: true,
    required: true,
    min: 15,
    max: 15,
    pattern: DEFAULT_ID_PATTERN,
    autogeneratePattern: "[a-z0-9]{15}",
  });
}

/** The index name PocketBase gives an auto-created single-field index (`idx_<field>_<collection id>`, ≤ 64 chars). */
export function fieldIndexName(field: string, collectionId: string, collectionName: string): string {
  return `idx_${field}_${collectionId !== "" ? collectionId : collectionName}`.slice(0, 64);
}

interface SystemFieldSpec {
  readonly name: string;
  readonly type: FieldType;
  readonly make: () => Field;
  readonly enforce: Readonly<Record<string, unknown>>;
}

const AUTH_FIELDS: readonly SystemFieldSpec[] = [
  {
    name: "password",
    type: "password",
    make: () =>
      makeField("password", { name: "password", system: true, hidden: true, required: true, min: 8 }),
    enforce: { system: true, hidden: true, required: true },
  },
  {
    name: "tokenKey",
    type: "text",
    make: () =>
      makeField("text", {
        name: "tokenKey",
        system: true,
        hidden: true,
        min: 30,
        max: 60,
        required: true,
        autogeneratePattern: "[a-zA-Z0-9]{50}",
      }),
    enforce: { system: true, hidden: true, required: true },
  },
  {
    name: "email",
    type: "email",
    make: () => makeField("email", { name: "email", system: true, required: true }),
    enforce: { system: true, hidden: false },
  },
  {
    name: "emailVisibility",
    type: "bool",
    make: () => makeField("bool", { name: "emailVisibility", system: true }),
    enforce: { system: true },
  },
  {
    name: "verified",
    type: "bool",
    make: () => makeField("bool", { name: "verified", system: true }),
    enforce: { system: true },
  },
];

/** Input and output of {@link withSystemFields}. */
export interface FieldsAndIndexes {
  readonly fields: readonly Field[];
  readonly indexes: readonly string[];
}

/**
 * Adds (or enforces the flags of) the system fields of a collection type, like PocketBase's initDefaultFields:
 * `id` is prepended; auth fields are appended, and their unique indexes (tokenKey, email) added when missing.
 */
export function withSystemFields(
  type: CollectionType,
  current: FieldsAndIndexes,
  collection: { readonly id: string; readonly name: string },
): FieldsAndIndexes {
  if (type === "view") return current;
  let fields = [...current.fields];
  const indexes = [...current.indexes];
  const idx = fields.findIndex((f) => f.name === "id" && f.type === "text");
  const idField = fields[idx];
  if (idField === undefined || idField.type !== "text") {
    fields = buildFieldsList([defaultIdField(), ...fields]);
  } else {
    fields[idx] = sortFieldKeys({
      ...idField,
      system: true,
      required: true,
      primaryKey: true,
      hidden: false,
      pattern: idField.pattern === "" ? DEFAULT_ID_PATTERN : idField.pattern,
    });
  }
  if (type !== "auth") return { fields, indexes };
  for (const spec of AUTH_FIELDS) {
    const at = fields.findIndex((f) => f.name === spec.name && f.type === spec.type);
    const existing = fields[at];
    if (existing === undefined) fields = addField(fields, { ...spec.make(), id: "" });
    else fields[at] = sortFieldKeys({ ...existing, ...spec.enforce } as Field);
  }
  const indexName = (f: string): string => fieldIndexName(f, collection.id, collection.name);
  if (findSingleColumnUniqueIndex(indexes, "tokenKey") === undefined) {
    indexes.push(`CREATE UNIQUE INDEX \`${indexName("tokenKey")}\` ON \`${collection.name}\` (\`tokenKey\`)`);
  }
  if (findSingleColumnUniqueIndex(indexes, "email") === undefined) {
    indexes.push(
      `CREATE UNIQUE INDEX \`${indexName("email")}\` ON \`${collection.name}\` (\`email\`) WHERE \`email\` != ''`,
    );
  }
  return { fields, indexes };
}
