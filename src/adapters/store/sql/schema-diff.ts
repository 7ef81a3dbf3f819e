import type { Collection } from "../../../core/collections/collection.ts";
import type { Field } from "../../../core/collections/field.ts";
import { isMultiValue } from "../../../core/collections/field.ts";

/** Whether two definitions of a table have the same columns in the same order with the same storage. */
export function sameColumns(a: Collection, b: Collection): boolean {
  if (a.fields.length !== b.fields.length) return false;
  return a.fields.every((f, i) => {
    const g = b.fields[i];
    return (
      g !== undefined &&
      g.id === f.id &&
      g.name === f.name &&
      g.type === f.type &&
      isMultiValue(g) === isMultiValue(f)
    );
  });
}

/** The index names a collection's definitions declare. */
export function indexNames(c: Collection): string[] {
  return c.indexes
    .map((i) => /INDEX\s+(?:IF\s+NOT\s+EXISTS\s+)?[`"[]?([^`"\]\s(]+)/i.exec(i)?.[1] ?? "")
    .filter(Boolean);
}

/**
 * The new fields whose data is carried over in a rebuild, each with the old field it comes from:
 * matched by id, or by name when the old field's id is gone (an import that re-created it).
 */
export function keptFields(previous: Collection, next: Collection): { to: Field; from: Field }[] {
  const oldById = new Map(previous.fields.map((f) => [f.id, f]));
  return next.fields.flatMap((f) => {
    const old =
      oldById.get(f.id) ??
      previous.fields.find((o) => o.name === f.name && !next.fields.some((n) => n.id === o.id));
    return old === undefined ? [] : [{ to: f, from: old }];
  });
}
