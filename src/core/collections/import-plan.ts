/** Plans a collections import like PocketBase's ImportCollections: which collections to upsert and delete. */
import type { FieldError } from "../errors.ts";
import { isPlinthError } from "../errors.ts";
import type { Collection } from "./collection.ts";
import type { Field } from "./field.ts";
import { addField } from "./fields-list.ts";
import { isObject } from "./input-reader.ts";
import type { NormalizeOptions } from "./normalize-collection.ts";
import { normalizeCollection } from "./normalize-collection.ts";

/** The collections to save (tables first, views last) and to delete. */
export interface ImportPlan {
  readonly upserts: Collection[];
  readonly deletes: Collection[];
}

/** Why an import can't be planned, in PocketBase's `data` shape (assignable to FieldErrors). */
// a type alias without an index signature, so `"upserts" in result` narrows the union
export type ImportFailure = { readonly collections: FieldError };

const importFailure = (message: string): ImportFailure => ({
  collections: { code: "validation_collections_import_failure", message },
});

/**
 * Matches each imported collection to an existing one by id, else by name (case-insensitive); matched ones are
 * updated (only given keys change; with `deleteMissing` an absent `fields` means none), others created. Existing
 * fields missing from the import are kept unless `deleteMissing` (system fields always are); an imported field
 * without the stored id but with the same name and type keeps the stored field. With `deleteMissing`, existing
 * non-system collections absent from the import are deleted. Returns field errors for malformed input; the
 * caller still validates every upsert.
 */
export function planImport(
  input: readonly unknown[],
  existing: readonly Collection[],
  deleteMissing: boolean,
  opts: NormalizeOptions,
): ImportPlan | ImportFailure {
  if (input.length === 0)
    return { collections: { code: "validation_required", message: "Cannot be blank." } };
  const items: { data: Record<string, unknown>; match: Collection | undefined }[] = [];
  for (const raw of input) {
    if (!isObject(raw)) return importFailure("Each imported collection must be an object.");
    const id = typeof raw.id === "string" ? raw.id : "";
    const name = typeof raw.name === "string" ? raw.name : "";
    const key = id !== "" ? id : name;
    const match =
      existing.find((c) => c.id === key) ?? existing.find((c) => c.name.toLowerCase() === key.toLowerCase());
    const data = { ...raw };
    if (match !== undefined && (data.fields === undefined || data.fields === null) && deleteMissing)
      data.fields = [];
    items.push({ data, match });
  }
  // tables before views, so a view's query can see the collections imported with it
  const ordered = [...items].sort((a, b) => rank(a) - rank(b));
  const done: Collection[] = [];
  for (const item of ordered) {
    const known = [...existing.filter((c) => !done.some((d) => d.id === c.id)), ...done];
    let next: Collection;
    try {
      next = normalizeCollection(item.data, item.match ?? null, { ...opts, collections: known });
    } catch (err) {
      if (!isPlinthError(err)) throw err;
      const label = String(item.data.name ?? item.data.id ?? "");
      return importFailure(
        `Data validations failed for collection "${label}":\n${JSON.stringify(err.fields, null, 2)}`,
      );
    }
    if (item.match !== undefined)
      next = { ...next, fields: keepExistingFields(next.fields, item.match, deleteMissing) };
    done.push(next);
  }
  const importedIds = new Set(done.map((c) => c.id));
  const deletes = deleteMissing ? existing.filter((c) => !importedIds.has(c.id) && !c.system) : [];
  return { upserts: done, deletes };
}

function rank(item: { data: Record<string, unknown>; match: Collection | undefined }): number {
  const type =
    typeof item.data.type === "string" && item.data.type !== "" ? item.data.type : item.match?.type;
  return type === "view" ? 1 : 0;
}

function keepExistingFields(fields: readonly Field[], existing: Collection, deleteMissing: boolean): Field[] {
  let out = [...fields];
  for (const old of existing.fields) {
    if (!old.system && deleteMissing) continue;
    if (out.some((f) => f.id === old.id)) continue;
    const sameName = out.findIndex((f) => f.name === old.name && f.type === old.type);
    if (sameName >= 0) {
      out[sameName] = old;
      continue;
    }
    out = addField(out, old);
  }
  return out;
}
