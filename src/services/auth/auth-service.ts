import type { AuthCollection } from "../../core/collections/collection.ts";
import type { Clock, IdGen } from "../../core/clock.ts";
import type { EventHub } from "../../core/events.ts";
import { formatDateTime } from "../../core/clock.ts";
import { PlinthError } from "../../core/errors.ts";
import type { PasswordHasher, RecordRow, Store, TokenSigner } from "../../core/ports.ts";
import type { AuthInfo, RequestInfo } from "../../core/request-info.ts";
import type { RecordService } from "../records/index.ts";
import { decideRule } from "../records/index.ts";
import { writeJournaled } from "../records/record-journal.ts";
import type { SchemaCache } from "../schema-cache.ts";
import { issueAuthToken, peekAuthClaims, verifyAuthToken } from "./auth-token.ts";
import { createVerifiedTokenCache } from "./verified-token-cache.ts";

/** What the auth service needs. */
export interface AuthServiceDeps {
  readonly store: Store;
  readonly schema: SchemaCache;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly hasher: PasswordHasher;
  readonly signer: TokenSigner;
  readonly records: RecordService;
  readonly events: EventHub;
}

/** A successful authentication in PocketBase's shape. */
export interface AuthResponse {
  readonly token: string;
  readonly record: Record<string, unknown>;
}

const EMAIL_RE = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const TOKEN_KEY_LENGTH = 50;
const TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** How long a verified token is trusted without re-reading its record (see README, "Auth"). */
export const VERIFIED_TOKEN_TTL_MS = 5_000;
const VERIFIED_TOKEN_CACHE_ENTRIES = 10_000;

function requireAuthCollection(schema: SchemaCache, nameOrId: string): AuthCollection {
  const c = schema.require(nameOrId);
  if (c.type !== "auth") throw new PlinthError("not_found", "Missing or invalid auth collection context.");
  return c;
}

/** Password auth, token issue and verification, auth methods, and superuser management. */
export function createAuthService(deps: AuthServiceDeps) {
  const { store, schema, clock } = deps;
  const verified = createVerifiedTokenCache({
    clock,
    ttlMs: VERIFIED_TOKEN_TTL_MS,
    maxEntries: VERIFIED_TOKEN_CACHE_ENTRIES,
  });
  deps.events.subscribe((event) => {
    switch (event.kind) {
      case "schema":
      case "caches-stale":
        verified.clear();
        return;
      case "auth-record":
        verified.forgetRecord(event.collectionId, event.recordId);
        return;
      case "update":
      case "delete":
        if (event.collection.type === "auth")
          verified.forgetRecord(event.collection.id, String(event.record["id"]));
        return;
    }
  });
  // A fixed hash verified when no record matches, so a miss costs the same as a wrong password.
  let dummyHash: Promise<string> | undefined;

  async function findByIdentity(
    c: AuthCollection,
    field: string,
    identity: string,
  ): Promise<RecordRow | undefined> {
    const rows = await store.findRecords({
      collection: c,
      match: { field, value: identity, nocase: field === "email" },
      where: [],
      sort: [],
      limit: 1,
    });
    return rows[0];
  }

  async function respond(
    request: RequestInfo,
    c: AuthCollection,
    row: RecordRow,
    context: string,
  ): Promise<AuthResponse> {
    const authInfo: AuthInfo = { collectionId: c.id, collectionName: c.name, record: row };
    const asUser: RequestInfo = { ...request, auth: authInfo, context };
    const decision = decideRule({ schema, now: clock.now() }, c, c.authRule, asUser);
    if (decision.kind === "deny") {
      throw new PlinthError(
        "forbidden",
        "The request doesn't satisfy the collection requirements to authenticate.",
      );
    }
    if (decision.kind === "filter") {
      const ok = await store.findRecords({
        collection: c,
        ids: [String(row["id"])],
        where: [decision.filter],
        sort: [],
      });
      if (ok.length === 0) {
        throw new PlinthError(
          "forbidden",
          "The request doesn't satisfy the collection requirements to authenticate.",
        );
      }
    }
    const token = issueAuthToken(deps.signer, c, row, clock.now());
    const record = await deps.records.present(asUser, c, row, {
      expand: request.query["expand"],
      fields: request.query["fields"],
    });
    return { token, record };
  }

  const service = {
    /** Resolves a bearer token to its record, or null when it is missing, invalid, expired or revoked. */
    async authenticate(token: string | undefined): Promise<AuthInfo | null> {
      if (!token) return null;
      const raw = token.replace(/^Bearer\s+/i, "");
      const known = verified.lookup(raw);
      if (known !== undefined) return known;
      const generation = verified.begin();
      const claims = peekAuthClaims(deps.signer, raw);
      if (claims === null) return null;
      const c = schema.byNameOrId(claims.collectionId);
      if (c === undefined || c.type !== "auth") return null;
      const [row] = await store.findRecords({ collection: c, ids: [claims.id], where: [], sort: [] });
      if (row === undefined) return null;
      const expiresAtMs = verifyAuthToken(deps.signer, raw, c, row, clock.now());
      if (expiresAtMs === null) return null;
      // Shared by every request that presents this token, so nothing may change it.
      const info: AuthInfo = Object.freeze({
        collectionId: c.id,
        collectionName: c.name,
        record: Object.freeze(row),
      });
      verified.remember(raw, info, expiresAtMs, generation);
      return info;
    },

    async authWithPassword(
      request: RequestInfo,
      nameOrId: string,
      body: Record<string, unknown>,
    ): Promise<AuthResponse> {
      const c = requireAuthCollection(schema, nameOrId);
      if (!c.passwordAuth.enabled) {
        throw new PlinthError(
          "forbidden",
          "The collection is not configured to allow password authentication.",
        );
      }
      const identity = typeof body["identity"] === "string" ? body["identity"] : "";
      const password = typeof body["password"] === "string" ? body["password"] : "";
      const identityField = typeof body["identityField"] === "string" ? body["identityField"] : "";
      const fieldErrors: Record<string, { code: string; message: string }> = {};
      if (identity === "")
        fieldErrors["identity"] = { code: "validation_required", message: "Cannot be blank." };
      if (password === "")
        fieldErrors["password"] = { code: "validation_required", message: "Cannot be blank." };
      if (identity.length > 255)
        fieldErrors["identity"] = {
          code: "validation_length_too_long",
          message: "The maximum length is 255.",
        };
      if (identityField !== "" && !c.passwordAuth.identityFields.includes(identityField)) {
        fieldErrors["identityField"] = { code: "validation_in_invalid", message: "Must be a valid value." };
      }
      if (Object.keys(fieldErrors).length > 0) {
        throw new PlinthError("validation_failed", "An error occurred while validating the submitted data.", {
          fields: fieldErrors,
        });
      }
      const fields =
        identityField !== ""
          ? [identityField]
          : [...c.passwordAuth.identityFields].sort((a, b) => (a === "email" ? -1 : b === "email" ? 1 : 0));
      let found: RecordRow | undefined;
      for (const field of fields) {
        if (field === "email" && !EMAIL_RE.test(identity)) continue;
        found = await findByIdentity(c, field, identity);
        if (found) break;
      }
      const hash = typeof found?.["password"] === "string" ? (found["password"] as string) : undefined;
      if (hash === undefined) {
        dummyHash ??= deps.hasher.hash(deps.ids.random(16));
        await deps.hasher.verify(await dummyHash, password);
        throw new PlinthError("invalid_input", "Failed to authenticate.");
      }
      if (!(await deps.hasher.verify(hash, password)))
        throw new PlinthError("invalid_input", "Failed to authenticate.");
      return respond(request, c, found!, "password");
    },

    async authRefresh(request: RequestInfo, nameOrId: string): Promise<AuthResponse> {
      const c = requireAuthCollection(schema, nameOrId);
      const auth = request.auth;
      if (auth === null)
        throw new PlinthError("unauthenticated", "The request requires valid record authorization token.");
      if (auth.collectionId !== c.id)
        throw new PlinthError("forbidden", "The request requires valid record authorization token.");
      return respond(request, c, auth.record as RecordRow, request.context);
    },

    authMethods(nameOrId: string) {
      const c = requireAuthCollection(schema, nameOrId);
      return {
        password: { enabled: c.passwordAuth.enabled, identityFields: [...c.passwordAuth.identityFields] },
        oauth2: { enabled: false, providers: [] },
        mfa: { enabled: c.mfa.enabled, duration: c.mfa.duration },
        otp: { enabled: c.otp.enabled, duration: c.otp.duration },
      };
    },

    /** Whether any superuser exists (start-up hint). */
    async hasSuperuser(): Promise<boolean> {
      return (
        (await store.countRecords({ collection: schema.require("_superusers"), where: [], sort: [] })) > 0
      );
    },

    /** Creates or updates a superuser by email (CLI); a new password also rotates the tokenKey. */
    async upsertSuperuser(email: string, password: string): Promise<"created" | "updated"> {
      const c = requireAuthCollection(schema, "_superusers");
      if (!EMAIL_RE.test(email)) throw new PlinthError("invalid_input", `Invalid email address: ${email}`);
      if (password.length < 8)
        throw new PlinthError("invalid_input", "The password must be at least 8 characters.");
      const existing = await findByIdentity(c, "email", email);
      const now = formatDateTime(clock.now());
      const hash = await deps.hasher.hash(password);
      const tokenKey = deps.ids.random(TOKEN_KEY_LENGTH, TOKEN_ALPHABET);
      if (existing) {
        const changes = { password: hash, tokenKey, updated: now };
        await writeJournaled(
          deps,
          [{ kind: "update", collection: c, record: { ...existing, ...changes } }],
          (tx) => tx.updateRecord(c, String(existing["id"]), changes),
        );
        return "updated";
      }
      const values: RecordRow = {
        id: deps.ids.random(15),
        email,
        emailVisibility: false,
        verified: true,
        password: hash,
        tokenKey,
        created: now,
        updated: now,
      };
      await writeJournaled(deps, [{ kind: "create", collection: c, record: values }], (tx) =>
        tx.insertRecord(c, values),
      );
      return "created";
    },

    async deleteSuperuser(email: string): Promise<boolean> {
      const c = requireAuthCollection(schema, "_superusers");
      const existing = await findByIdentity(c, "email", email);
      if (!existing) return false;
      await writeJournaled(deps, [{ kind: "delete", collection: c, record: existing }], (tx) =>
        tx.deleteRecord(c, String(existing["id"])),
      );
      return true;
    },
  };
  return service;
}

/** The auth service's type. */
export type AuthService = ReturnType<typeof createAuthService>;
