/** Turns a create/update/import payload into a full collection with PocketBase's defaults. */
import { PlinthError, validationError } from "../errors.ts";
import { defaultAuthOptions } from "./auth-defaults.ts";
import { mergeAuthOptions } from "./auth-options-normalize.ts";
import type { AuthOptions, Collection, CollectionType, Rule } from "./collection.ts";
import { RULE_NAMES } from "./collection.ts";
import { crc32Checksum } from "./crc32.ts";
import type { Field } from "./field.ts";
import { normalizeField } from "./field-normalize.ts";
import { buildFieldsList, withSystemFields } from "./fields-list.ts";
import { buildIndex, parseIndex } from "./index-definition.ts";
import type { Issues } from "./input-reader.ts";
import {
  has,
  isObject,
  issuesToFieldErrors,
  readBool,
  readNullableString,
  readString,
  readStringList,
} from "./input-reader.ts";
import { inferViewFields } from "./view-fields.ts";

/** Options for {@link normalizeCollection}. */
export interface NormalizeOptions {
  /** Timestamp in PocketBase's format (`2006-01-02 15:04:05.000Z`) for `created` (new) and `updated`. */
  readonly now: string;
  /** A fresh token secret (PocketBase uses 50 random alphanumerics). */
  randomSecret(): string;
  /**
   * The existing collections, when known: keeps a generated id unique (`pbc_…2`, `…3`) and infers
   * a view collection's fields from its query (PocketBase always regenerates them on save).
   */
  readonly collections?: readonly Collection[];
}

const COLLECTION_TYPES: readonly string[] = ["base", "auth", "view"];
const FORMAT_MESSAGE = "Failed to load the submitted data due to invalid formatting.";

/** PocketBase's default collection id: `pbc_` + CRC-32 of type and name. */
export function defaultCollectionId(type: CollectionType, name: string): string {
  return `pbc_${crc32Checksum(type + name)}`;
}

/**
 * Builds the full collection a payload describes. With `previous` (update) only the given keys change; nested
 * auth options merge; a given `fields` list replaces the old one (each field starts from its type's defaults).
 * System fields are added, field and collection ids generated, secrets kept or generated. Throws a
 * validation_failed PlinthError for malformed input (wrong value types, unknown field or collection types).
 */
export function normalizeCollection(
  input: unknown,
  previous: Collection | null,
  opts: NormalizeOptions,
): Collection {
  if (!isObject(input)) throw new PlinthError("invalid_input", FORMAT_MESSAGE);
  const issues: Issues = new Map();
  const rawType = readString(input, "type", previous?.type ?? "base", issues, "type");
  let type: CollectionType = previous?.type ?? "base";
  if (rawType === "") type = "base";
  else if (COLLECTION_TYPES.includes(rawType)) type = rawType as CollectionType;
  else issues.set("type", { code: "validation_in_invalid", message: "Must be a valid value." });

  const name = readString(input, "name", previous?.name ?? "", issues, "name");
  const system = readBool(input, "system", previous?.system ?? false, issues, "system");
  const rules = {} as Record<(typeof RULE_NAMES)[number], Rule>;
  for (const key of RULE_NAMES)
    rules[key] = readNullableString(input, key, previous?.[key] ?? null, issues, key);

  let fields: readonly Field[] = previous?.fields ?? [];
  if (has(input, "fields")) fields = readFields(input.fields, issues);
  let indexes = readStringList(input, "indexes", previous?.indexes ?? [], issues, "indexes");

  let id = readString(input, "id", "", issues, "id");
  if (previous !== null && id === "") id = previous.id;
  if (id === "") {
    const base = defaultCollectionId(type, name);
    id = base;
    const taken = (candidate: string): boolean => (opts.collections ?? []).some((c) => c.id === candidate);
    for (let n = 2; n < 1000 && taken(id); n++) id = base + String(n);
    if (id !== base) indexes = indexes.map((raw) => renameIndex(raw, base, id));
  }

  if (type === "view") {
    const previousQuery = previous?.type === "view" ? previous.viewQuery : "";
    const viewQuery = readString(input, "viewQuery", previousQuery, issues, "viewQuery");
    if (opts.collections !== undefined) {
      const inferred = inferViewFields(viewQuery, opts.collections);
      if ("fields" in inferred) fields = inferred.fields;
    }
    return finish({ type, viewQuery });
  }
  const sys = withSystemFields(type, { fields, indexes }, { id, name });
  fields = sys.fields;
  indexes = sys.indexes.map((raw) => retargetIndex(raw, name));
  if (type === "base") return finish({ type });

  const base = previous?.type === "auth" ? pickAuthOptions(previous) : defaultAuthOptions(opts.randomSecret);
  let auth = mergeAuthOptions(base, input, issues);
  // PocketBase invalidates issued auth tokens when the auth rule changes (null and "" count as equal)
  if (previous?.type === "auth" && (previous.authRule ?? "") !== (auth.authRule ?? "")) {
    auth = { ...auth, authToken: { ...auth.authToken, secret: opts.randomSecret() } };
  }
  const names = new Set(fields.map((f) => f.name));
  const mapped: Record<string, string> = {};
  for (const [k, v] of Object.entries(auth.oauth2.mappedFields))
    mapped[k] = v !== "" && !names.has(v) ? "" : v;
  auth = { ...auth, oauth2: { ...auth.oauth2, mappedFields: mapped } };
  return finish({ type, ...auth });

  function finish<T extends object>(extra: T & { type: CollectionType }): Collection {
    if (issues.size > 0) throw validationError(issuesToFieldErrors(issues), FORMAT_MESSAGE);
    const { type: t, ...rest } = extra;
    return {
      id,
      ...rules,
      name,
      type: t,
      fields,
      indexes,
      created: previous?.created ?? opts.now,
      updated: opts.now,
      system,
      ...rest,
    } as unknown as Collection;
  }
}

function readFields(raw: unknown, issues: Issues): Field[] {
  if (raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.set("fields", { code: "validation_invalid_value", message: "Must be a list of fields." });
    return [];
  }
  const out: Field[] = [];
  raw.forEach((item: unknown, i) => {
    const field = normalizeField(item, issues, `fields.${i}`);
    if (field !== null) out.push(field);
  });
  return buildFieldsList(out);
}

/** The auth options of an auth collection, without the collection's own properties. */
export function pickAuthOptions(c: Extract<Collection, { type: "auth" }>): AuthOptions {
  return {
    authRule: c.authRule,
    manageRule: c.manageRule,
    authAlert: c.authAlert,
    oauth2: c.oauth2,
    passwordAuth: c.passwordAuth,
    mfa: c.mfa,
    otp: c.otp,
    authToken: c.authToken,
    passwordResetToken: c.passwordResetToken,
    emailChangeToken: c.emailChangeToken,
    verificationToken: c.verificationToken,
    fileToken: c.fileToken,
    verificationTemplate: c.verificationTemplate,
    resetPasswordTemplate: c.resetPasswordTemplate,
    confirmEmailChangeTemplate: c.confirmEmailChangeTemplate,
  };
}

/** Points an index at the collection's table (rebuilt only when it named another table). */
function retargetIndex(raw: string, table: string): string {
  const parsed = parseIndex(raw);
  if (parsed === null || parsed.table === table) return raw;
  const rebuilt = buildIndex({ ...parsed, table });
  return rebuilt === "" ? raw : rebuilt;
}

function renameIndex(raw: string, from: string, to: string): string {
  const parsed = parseIndex(raw);
  if (parsed === null || !parsed.name.includes(from)) return raw;
  const rebuilt = buildIndex({ ...parsed, name: parsed.name.replaceAll(from, to) });
  return rebuilt === "" ? raw : rebuilt;
}
