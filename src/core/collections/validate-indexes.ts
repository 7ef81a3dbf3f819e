/** Index checks of a collection change (PocketBase's checkIndexes, plus a column-existence check). */
import type { FieldError, FieldErrors } from "../errors.ts";
import type { Collection } from "./collection.ts";
import type { IndexDefinition } from "./index-definition.ts";
import {
  buildIndex,
  findSingleColumnUniqueIndex,
  isIndexExpression,
  isValidIndex,
  parseIndex,
} from "./index-definition.ts";

/** The first index problem, keyed by index position where PocketBase does; null when all are fine. */
export function checkIndexes(
  next: Collection,
  previous: Collection | null,
  others: readonly Collection[],
): FieldError | FieldErrors | null {
  const indexes = next.indexes;
  if (next.type === "view" && indexes.length > 0) {
    return { code: "validation_indexes_not_supported", message: "View collections don't support indexes." };
  }
  const names = new Set<string>();
  const definitions = new Set<string>();
  const columns = new Set(next.fields.map((f) => f.name.toLowerCase()));
  for (const [i, raw] of indexes.entries()) {
    const parsed = parseIndex(raw);
    const idx = parsed === null ? null : { ...parsed, table: "validator" };
    const at = (code: string, message: string): FieldErrors => ({ [i]: { code, message } });
    if (!isValidIndex(idx))
      return at("validation_invalid_index_expression", "Invalid CREATE INDEX expression.");
    const lower = idx.name.toLowerCase();
    if (names.has(lower)) return at("validation_duplicated_index_name", "The index name already exists.");
    names.add(lower);
    const usedBy = others.find((c) => c.indexes.some((o) => parseIndex(o)?.name.toLowerCase() === lower));
    if (usedBy !== undefined) {
      return at(
        "validation_existing_index_name",
        `The index name is already used in ${usedBy.name} collection.`,
      );
    }
    const definition = buildIndex({ ...idx, schema: "validator", name: "validator" });
    if (definitions.has(definition))
      return at("validation_duplicated_index_definition", "The index definition already exists.");
    definitions.add(definition);
    // the database would refuse an index over a missing column; say which one now
    const missing = idx.columns.find((c) => !isIndexExpression(c) && !columns.has(c.name.toLowerCase()));
    if (missing !== undefined) {
      return at(
        "validation_invalid_index_expression",
        `Failed to create index ${idx.name} - no such column: ${missing.name}.`,
      );
    }
  }
  if (previous !== null) {
    const e = checkSystemUniqueIndexes(next, previous);
    if (e !== null) return e;
  }
  if (next.type === "auth") {
    for (const name of ["tokenKey", "email"]) {
      if (findSingleColumnUniqueIndex(indexes, name) === undefined) {
        return {
          code: "validation_missing_required_unique_index",
          message: `Missing required unique index for field "${name}".`,
        };
      }
    }
  }
  return null;
}

/** Unique indexes over system fields may not be dropped or changed (name, WHERE, collate and sort aside). */
function checkSystemUniqueIndexes(next: Collection, previous: Collection): FieldError | null {
  const shape = (idx: IndexDefinition): string =>
    buildIndex({
      ...idx,
      schema: "",
      name: "x",
      table: "x",
      where: "",
      columns: idx.columns.map((c) => ({ ...c, collate: "", sort: "" })),
    });
  const current = next.indexes.map(parseIndex).filter(isValidIndex).map(shape);
  for (const raw of previous.indexes) {
    const old = parseIndex(raw);
    if (!old?.unique) continue;
    const systemField = previous.fields.find(
      (f) => f.system && old.columns.some((c) => c.name.toLowerCase() === f.name.toLowerCase()),
    );
    if (systemField === undefined) continue;
    if (!current.includes(shape(old))) {
      return {
        code: "validation_invalid_unique_system_field_index",
        message: `Unique index definition on system fields (${systemField.name}) is invalid or missing.`,
      };
    }
  }
  return null;
}
