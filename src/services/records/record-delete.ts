import type { Collection } from "../../core/collections/collection.ts";
import type { RelationField } from "../../core/collections/field.ts";
import { formatDateTime, type Clock } from "../../core/clock.ts";
import { PlinthError } from "../../core/errors.ts";
import { resolveFilter } from "../../core/filter/index.ts";
import type { RecordRow, StoreSession } from "../../core/ports.ts";
import { guestRequest } from "../../core/request-info.ts";
import type { SchemaCache } from "../schema-cache.ts";
import { anyOfIdsFilter } from "./internal-filter.ts";
import type { PendingEvents } from "./records-service.ts";

interface DeleteDeps {
  readonly session: StoreSession;
  readonly schema: SchemaCache;
  readonly clock: Clock;
  readonly pending: PendingEvents;
  /** Runs inside the transaction just before each record (cascades included) is deleted. */
  readonly beforeDelete?: BeforeDelete;
}

/** Work that must see a record while it still exists (realtime checks a subscriber's rules on it). */
export type BeforeDelete = (session: StoreSession, collection: Collection, row: RecordRow) => Promise<void>;

/** Bounds a cascade so a cyclic or huge graph cannot run away inside one transaction. */
const MAX_CASCADE_DEPTH = 32;

/** Relation fields (in any collection) that point at `target`. */
function referencingFields(
  schema: SchemaCache,
  target: Collection,
): { collection: Collection; field: RelationField }[] {
  return schema
    .all()
    .flatMap((collection) =>
      collection.type === "view"
        ? []
        : collection.fields.flatMap((f) =>
            f.type === "relation" && f.collectionId === target.id ? [{ collection, field: f }] : [],
          ),
    );
}

/**
 * Deletes a record the way PocketBase does: records referencing it through a `cascadeDelete` relation are
 * deleted too (recursively); optional references are cleared; a required reference refuses the delete.
 */
export async function deleteWithReferences(
  deps: DeleteDeps,
  collection: Collection,
  row: RecordRow,
  depth = 0,
): Promise<void> {
  if (depth > MAX_CASCADE_DEPTH)
    throw new PlinthError("invalid_input", "Failed to delete record: the cascade is too deep.");
  const id = String(row["id"]);
  await deps.beforeDelete?.(deps.session, collection, row);
  await deps.session.deleteRecord(collection, id);
  deps.pending.push({ kind: "delete", collection, record: row });

  for (const { collection: refCollection, field } of referencingFields(deps.schema, collection)) {
    const refs = await deps.session.findRecords({
      collection: refCollection,
      where: [
        resolveFilter(anyOfIdsFilter(field.name, [id]), {
          collection: refCollection,
          schema: deps.schema,
          request: guestRequest(),
          now: deps.clock.now(),
          allowHiddenFields: true,
        }),
      ],
      sort: [],
    });
    for (const ref of refs) {
      const current = ref[field.name];
      const remaining = Array.isArray(current) ? current.filter((v) => v !== id) : [];
      if (field.cascadeDelete) {
        await deleteWithReferences(deps, refCollection, ref, depth + 1);
        continue;
      }
      if (field.required && remaining.length === 0) {
        throw new PlinthError(
          "invalid_input",
          "Failed to delete record. Make sure that the record is not part of a required relation reference.",
        );
      }
      const next = field.maxSelect > 1 ? remaining : "";
      const changes: RecordRow = { [field.name]: next };
      for (const f of refCollection.fields) {
        if (f.type === "autodate" && f.onUpdate) changes[f.name] = formatDateTime(deps.clock.now());
      }
      await deps.session.updateRecord(refCollection, String(ref["id"]), changes);
      deps.pending.push({ kind: "update", collection: refCollection, record: { ...ref, ...changes } });
    }
  }
}
