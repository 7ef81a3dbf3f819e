import { PlinthError } from "../../core/errors.ts";

/**
 * Builds filter text matching records whose `field` holds any of `ids` (single or multi relation).
 * Ids come from stored records; one that could not be a literal safely is refused, never spliced.
 */
export function anyOfIdsFilter(field: string, ids: readonly string[]): string {
  if (!/^[A-Za-z0-9_]+$/.test(field)) throw new PlinthError("internal", "Invalid field name.");
  return ids
    .map((id) => {
      if (/["\\\n\r]/.test(id)) throw new PlinthError("internal", "Invalid record id.");
      return `${field} ?= "${id}"`;
    })
    .join(" || ");
}
