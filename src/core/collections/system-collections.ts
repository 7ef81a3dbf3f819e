/** The collections a fresh PocketBase install has, built through the same normalization as user collections. */
import type { Collection } from "./collection.ts";
import { normalizeCollection } from "./normalize-collection.ts";

/** Options for {@link createSystemCollections}. */
export interface SystemCollectionsOptions {
  /** A fresh token secret. */
  randomSecret(): string;
  /** Creation timestamp (`2006-01-02 15:04:05.000Z`). */
  readonly now: string;
}

/** Name of the superusers auth collection. */
export const SUPERUSERS = "_superusers";
/** Name of the linked OAuth2 accounts collection. */
export const EXTERNAL_AUTHS = "_externalAuths";
/** Name of the multi-factor auth sessions collection. */
export const MFAS = "_mfas";
/** Name of the one-time passwords collection. */
export const OTPS = "_otps";
/** Name of the known login origins collection. */
export const AUTH_ORIGINS = "_authOrigins";

const OWNER_RULE =
  "@request.auth.id != '' && recordRef = @request.auth.id && collectionRef = @request.auth.collectionId";

const text = (name: string, extra: Record<string, unknown> = {}) => ({
  type: "text",
  name,
  system: true,
  required: true,
  ...extra,
});
const created = (system: boolean) => ({ type: "autodate", name: "created", system, onCreate: true });
const updated = (system: boolean) => ({
  type: "autodate",
  name: "updated",
  system,
  onCreate: true,
  onUpdate: true,
});

/**
 * `_mfas`, `_otps`, `_externalAuths`, `_authOrigins`, `_superusers` and `users`, in PocketBase's creation order,
 * with its ids, fields, indexes, rules and auth options.
 */
export function createSystemCollections(opts: SystemCollectionsOptions): Collection[] {
  const make = (input: Record<string, unknown>): Collection =>
    normalizeCollection(input, null, { now: opts.now, randomSecret: opts.randomSecret });
  const refs = [text("collectionRef"), text("recordRef")];
  return [
    make({
      type: "base",
      name: MFAS,
      system: true,
      listRule: OWNER_RULE,
      viewRule: OWNER_RULE,
      fields: [...refs, text("method"), created(true), updated(true)],
      indexes: ["CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (collectionRef,recordRef)"],
    }),
    make({
      type: "base",
      name: OTPS,
      system: true,
      listRule: OWNER_RULE,
      viewRule: OWNER_RULE,
      fields: [
        ...refs,
        { type: "password", name: "password", system: true, hidden: true, required: true, cost: 8 },
        text("sentTo", { required: false, hidden: true }),
        created(true),
        updated(true),
      ],
      indexes: ["CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (collectionRef, recordRef)"],
    }),
    make({
      type: "base",
      name: EXTERNAL_AUTHS,
      system: true,
      listRule: OWNER_RULE,
      viewRule: OWNER_RULE,
      deleteRule: OWNER_RULE,
      fields: [...refs, text("provider"), text("providerId"), created(true), updated(true)],
      indexes: [
        "CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (collectionRef, recordRef, provider)",
        "CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (collectionRef, provider, providerId)",
      ],
    }),
    make({
      type: "base",
      name: AUTH_ORIGINS,
      system: true,
      listRule: OWNER_RULE,
      viewRule: OWNER_RULE,
      deleteRule: OWNER_RULE,
      fields: [...refs, text("fingerprint"), created(true), updated(true)],
      indexes: [
        "CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (collectionRef, recordRef, fingerprint)",
      ],
    }),
    make({
      type: "auth",
      name: SUPERUSERS,
      system: true,
      // the default auth fields first, then the timestamps, as PocketBase's factory + migration produce
      fields: authDefaults([created(true), updated(true)]),
      authToken: { duration: 86400 },
    }),
    make({
      type: "auth",
      id: "_pb_users_auth_",
      name: "users",
      listRule: "id = @request.auth.id",
      viewRule: "id = @request.auth.id",
      createRule: "",
      updateRule: "id = @request.auth.id",
      deleteRule: "id = @request.auth.id",
      fields: authDefaults([
        { type: "text", name: "name", max: 255 },
        {
          type: "file",
          name: "avatar",
          maxSelect: 1,
          mimeTypes: ["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"],
        },
        created(false),
        updated(false),
      ]),
      oauth2: { mappedFields: { name: "name", avatarURL: "avatar" } },
    }),
  ];
}

/** The default auth fields in the order PocketBase's auth factory adds them, followed by `rest`. */
function authDefaults(rest: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return [
    {
      type: "text",
      name: "id",
      system: true,
      primaryKey: true,
      required: true,
      min: 15,
      max: 15,
      pattern: "^[a-z0-9]+$",
      autogeneratePattern: "[a-z0-9]{15}",
    },
    { type: "password", name: "password", system: true, hidden: true, required: true, min: 8 },
    {
      type: "text",
      name: "tokenKey",
      system: true,
      hidden: true,
      required: true,
      min: 30,
      max: 60,
      autogeneratePattern: "[a-zA-Z0-9]{50}",
    },
    { type: "email", name: "email", system: true, required: true },
    { type: "bool", name: "emailVisibility", system: true },
    { type: "bool", name: "verified", system: true },
    ...rest,
  ];
}
