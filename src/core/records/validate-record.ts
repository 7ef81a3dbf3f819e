/** Record-level validation: every field checked as PocketBase does before a save. */
import type { Collection } from "../collections/collection.ts";
import type { FieldError, FieldErrors } from "../errors.ts";
import { toUniqueStringSlice } from "./coerce.ts";
import type { FieldCheckContext } from "./validate-field.ts";
import { validateField } from "./validate-field.ts";

/** What validation needs besides the values: see {@link FieldCheckContext}. */
export type ValidateContext = FieldCheckContext;

/**
 * Checks prepared record values against every field of the collection and returns the errors keyed
 * by field name (empty when valid). Checks that need the database are left to the caller: relation
 * existence (see {@link relationIdsToCheck}) and uniqueness (indexes, and custom primary keys).
 */
export function validateRecord(
  collection: Collection,
  values: Readonly<Record<string, unknown>>,
  ctx: ValidateContext,
): FieldErrors {
  const errors: Record<string, FieldError> = {};
  for (const field of collection.fields) {
    const error = validateField(field, values[field.name], ctx);
    if (error) errors[field.name] = error;
  }
  return errors;
}

/** Relation ids a write refers to, for the caller to check they exist. */
export interface RelationIdsCheck {
  /** The relation field's name. */
  readonly field: string;
  /** The related collection's id. */
  readonly collectionId: string;
  /** Unique, non-empty ids. */
  readonly ids: readonly string[];
}

/**
 * The relation ids to look up, per non-empty relation field; fields that already have an error in
 * `errors` are skipped (PocketBase checks existence only after the count limits pass). A field whose
 * ids are not all found gets `recordErrors.missingRelations()`, and one whose related collection is
 * gone `recordErrors.missingRelationCollection()`.
 */
export function relationIdsToCheck(
  collection: Collection,
  values: Readonly<Record<string, unknown>>,
  errors: FieldErrors = {},
): RelationIdsCheck[] {
  const out: RelationIdsCheck[] = [];
  for (const field of collection.fields) {
    if (field.type !== "relation" || field.name in errors) continue;
    const ids = toUniqueStringSlice(values[field.name]);
    if (ids.length > 0) out.push({ field: field.name, collectionId: field.collectionId, ids });
  }
  return out;
}
