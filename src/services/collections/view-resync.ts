import type { Collection } from "../../core/collections/collection.ts";
import { inferViewFields } from "../../core/collections/index.ts";
import { isPlinthError, PlinthError } from "../../core/errors.ts";
import type { StoreSession } from "../../core/ports.ts";

/** Applies one collection change inside a transaction (the service's `apply`). */
type Apply = (
  tx: StoreSession,
  previous: Collection | null,
  next: Collection | null,
  all: readonly Collection[],
) => Promise<void>;

/** Why a view can't be rebuilt: our own inference text, or the viewQuery message the store reported. */
function reasonOf(err: unknown): string {
  if (isPlinthError(err)) {
    const viewQuery = err.fields["viewQuery"];
    if (viewQuery !== undefined && "message" in viewQuery && typeof viewQuery.message === "string") {
      return viewQuery.message.replace(/^Invalid query - /, "").replace(/\.$/, "");
    }
  }
  return "the database can't run its query";
}

/**
 * Rebuilds every view the change didn't itself write, from its stored query with re-inferred fields
 * (PocketBase re-saves views after a collection change). SQLite keeps a view over a dropped or renamed
 * column without complaint, so without this a view would silently break or keep stale field types.
 * Throws a 400 naming the first view the change would break; the caller's transaction then rolls back.
 */
export async function resyncViews(
  tx: StoreSession,
  all: readonly Collection[],
  touched: ReadonlySet<string>,
  now: string,
  apply: Apply,
): Promise<void> {
  for (const view of all) {
    if (view.type !== "view" || touched.has(view.id)) continue;
    const inferred = inferViewFields(view.viewQuery, all);
    let reason: string | null = "error" in inferred ? inferred.error : null;
    if ("fields" in inferred) {
      const changed = JSON.stringify(inferred.fields) !== JSON.stringify(view.fields);
      const next: Collection = changed ? { ...view, fields: inferred.fields, updated: now } : view;
      try {
        await apply(tx, view, next, all);
      } catch (err) {
        reason = reasonOf(err);
      }
    }
    if (reason !== null) {
      throw new PlinthError(
        "invalid_input",
        `The change would break the view collection "${view.name}" (${reason}). ` +
          "Update or delete that view first, or import both changes together.",
      );
    }
  }
}
