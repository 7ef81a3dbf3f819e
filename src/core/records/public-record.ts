/** A stored record as the API shows it to one requester (PocketBase's `PublicExport` plus its request flags). */
import type { Collection } from "../collections/collection.ts";
import type { RecordRow } from "../ports.ts";
import { toGoBool } from "./coerce.ts";
import { zeroValue } from "./zero-value.ts";

/** Who is looking at the record. */
export interface PublicRecordOptions {
  /** Superusers see hidden fields and every email. */
  readonly isSuperuser: boolean;
  /** The requester is this auth record: sees its own email. */
  readonly isOwner: boolean;
  /** The requester matches the auth collection's manageRule for this record: sees its email. */
  readonly canManage: boolean;
}

/**
 * `{ collectionId, collectionName, ...fields in definition order }` without hidden fields (shown to
 * superusers), never with an auth record's `password` or `tokenKey`, and without an auth record's
 * `email` unless `emailVisibility` is on or the requester is a superuser, the owner or a manager.
 * Password fields of other collections show "" (their hash is never exposed), as on PocketBase.
 */
export function toPublicRecord(
  collection: Collection,
  row: Readonly<RecordRow>,
  opts: PublicRecordOptions,
): Record<string, unknown> {
  const out: Record<string, unknown> = { collectionId: collection.id, collectionName: collection.name };
  const isAuth = collection.type === "auth";
  for (const field of collection.fields) {
    if (field.hidden && !opts.isSuperuser) continue;
    if (isAuth && (field.name === "password" || field.name === "tokenKey")) continue;
    out[field.name] = field.type === "password" ? "" : (row[field.name] ?? zeroValue(field));
  }
  if (isAuth) {
    const showEmail = toGoBool(row["emailVisibility"]) || opts.isSuperuser || opts.isOwner || opts.canManage;
    if (!showEmail) delete out["email"];
  }
  return out;
}
