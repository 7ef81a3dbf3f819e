import assert from "node:assert/strict";
import { test } from "node:test";
import { toApiCollection } from "./api-shape.ts";
import type { Collection } from "./collection.ts";
import {
  NOW,
  OWNER_RULE,
  PB_AUTH_FIELDS,
  PB_ID_FIELD,
  pbAutodate,
  pbText,
} from "./pb-fixtures.test-helper.ts";
import { createSystemCollections } from "./system-collections.ts";

let counter = 0;
const secret = () => `secret${String(++counter).padStart(44, "0")}`;
const system = createSystemCollections({ randomSecret: secret, now: NOW });
const byName = (name: string): Collection => {
  const c = system.find((x) => x.name === name);
  assert.ok(c, name);
  return c;
};
const api = (name: string) => toApiCollection(byName(name));
const ref = (id: string, name: string) => pbText({ id, name, required: true, system: true });

function baseShape(id: string, name: string, rules: Record<string, string | null>) {
  return {
    id,
    listRule: OWNER_RULE,
    viewRule: OWNER_RULE,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    ...rules,
    name,
    type: "base",
  };
}

test("creates the six system collections in PocketBase's creation order", () => {
  assert.deepEqual(
    system.map((c) => c.name),
    ["_mfas", "_otps", "_externalAuths", "_authOrigins", "_superusers", "users"],
  );
});

test("_mfas matches PocketBase's JSON", () => {
  assert.deepEqual(api("_mfas"), {
    ...baseShape("pbc_2279338944", "_mfas", {}),
    fields: [
      PB_ID_FIELD,
      ref("text455797646", "collectionRef"),
      ref("text127846527", "recordRef"),
      ref("text1582905952", "method"),
      pbAutodate("created", true),
      pbAutodate("updated", true),
    ],
    indexes: ["CREATE INDEX `idx_mfas_collectionRef_recordRef` ON `_mfas` (collectionRef,recordRef)"],
    created: NOW,
    updated: NOW,
    system: true,
  });
});

test("_otps matches PocketBase's JSON", () => {
  assert.deepEqual(api("_otps"), {
    ...baseShape("pbc_1638494021", "_otps", {}),
    fields: [
      PB_ID_FIELD,
      ref("text455797646", "collectionRef"),
      ref("text127846527", "recordRef"),
      {
        cost: 8,
        help: "",
        hidden: true,
        id: "password901924565",
        max: 0,
        min: 0,
        name: "password",
        pattern: "",
        presentable: false,
        required: true,
        system: true,
        type: "password",
      },
      pbText({ id: "text3866985172", name: "sentTo", hidden: true, system: true }),
      pbAutodate("created", true),
      pbAutodate("updated", true),
    ],
    indexes: ["CREATE INDEX `idx_otps_collectionRef_recordRef` ON `_otps` (collectionRef, recordRef)"],
    created: NOW,
    updated: NOW,
    system: true,
  });
});

test("_externalAuths matches PocketBase's JSON", () => {
  assert.deepEqual(api("_externalAuths"), {
    ...baseShape("pbc_2281828961", "_externalAuths", { deleteRule: OWNER_RULE }),
    fields: [
      PB_ID_FIELD,
      ref("text455797646", "collectionRef"),
      ref("text127846527", "recordRef"),
      ref("text2462348188", "provider"),
      ref("text1044722854", "providerId"),
      pbAutodate("created", true),
      pbAutodate("updated", true),
    ],
    indexes: [
      "CREATE UNIQUE INDEX `idx_externalAuths_record_provider` ON `_externalAuths` (collectionRef, recordRef, provider)",
      "CREATE UNIQUE INDEX `idx_externalAuths_collection_provider` ON `_externalAuths` (collectionRef, provider, providerId)",
    ],
    created: NOW,
    updated: NOW,
    system: true,
  });
});

test("_authOrigins matches PocketBase's JSON", () => {
  assert.deepEqual(api("_authOrigins"), {
    ...baseShape("pbc_4275539003", "_authOrigins", { deleteRule: OWNER_RULE }),
    fields: [
      PB_ID_FIELD,
      ref("text455797646", "collectionRef"),
      ref("text127846527", "recordRef"),
      ref("text4228609354", "fingerprint"),
      pbAutodate("created", true),
      pbAutodate("updated", true),
    ],
    indexes: [
      "CREATE UNIQUE INDEX `idx_authOrigins_unique_pairs` ON `_authOrigins` (collectionRef, recordRef, fingerprint)",
    ],
    created: NOW,
    updated: NOW,
    system: true,
  });
});

function authOptionsShape(c: Collection, authTokenDuration: number, mapped: Record<string, string>) {
  assert.equal(c.type, "auth");
  if (c.type !== "auth") throw new Error("unreachable");
  return {
    authRule: "",
    manageRule: null,
    authAlert: { enabled: true, emailTemplate: c.authAlert.emailTemplate },
    oauth2: {
      providers: [],
      mappedFields: { id: "", name: "", username: "", avatarURL: "", ...mapped },
      enabled: false,
    },
    passwordAuth: { enabled: true, identityFields: ["email"] },
    mfa: { enabled: false, duration: 600, rule: "" },
    otp: { enabled: false, duration: 180, length: 8, emailTemplate: c.otp.emailTemplate },
    authToken: { duration: authTokenDuration },
    passwordResetToken: { duration: 1800 },
    emailChangeToken: { duration: 1800 },
    verificationToken: { duration: 86400 },
    fileToken: { duration: 180 },
    verificationTemplate: c.verificationTemplate,
    resetPasswordTemplate: c.resetPasswordTemplate,
    confirmEmailChangeTemplate: c.confirmEmailChangeTemplate,
  };
}

test("_superusers matches PocketBase's JSON", () => {
  const c = byName("_superusers");
  const json = toApiCollection(c);
  assert.deepEqual(json, {
    id: "pbc_3142635823",
    listRule: null,
    viewRule: null,
    createRule: null,
    updateRule: null,
    deleteRule: null,
    name: "_superusers",
    type: "auth",
    fields: [...PB_AUTH_FIELDS, pbAutodate("created", true), pbAutodate("updated", true)],
    indexes: [
      "CREATE UNIQUE INDEX `idx_tokenKey_pbc_3142635823` ON `_superusers` (`tokenKey`)",
      "CREATE UNIQUE INDEX `idx_email_pbc_3142635823` ON `_superusers` (`email`) WHERE `email` != ''",
    ],
    created: NOW,
    updated: NOW,
    system: true,
    ...authOptionsShape(c, 86400, {}),
  });
});

test("users matches PocketBase's JSON", () => {
  const c = byName("users");
  assert.deepEqual(toApiCollection(c), {
    id: "_pb_users_auth_",
    listRule: "id = @request.auth.id",
    viewRule: "id = @request.auth.id",
    createRule: "",
    updateRule: "id = @request.auth.id",
    deleteRule: "id = @request.auth.id",
    name: "users",
    type: "auth",
    fields: [
      ...PB_AUTH_FIELDS,
      pbText({ id: "text1579384326", name: "name", max: 255 }),
      {
        help: "",
        hidden: false,
        id: "file376926767",
        maxSelect: 1,
        maxSize: 0,
        mimeTypes: ["image/jpeg", "image/png", "image/svg+xml", "image/gif", "image/webp"],
        name: "avatar",
        presentable: false,
        protected: false,
        required: false,
        system: false,
        thumbs: null,
        type: "file",
      },
      pbAutodate("created", false),
      pbAutodate("updated", false),
    ],
    indexes: [
      "CREATE UNIQUE INDEX `idx_tokenKey__pb_users_auth_` ON `users` (`tokenKey`)",
      "CREATE UNIQUE INDEX `idx_email__pb_users_auth_` ON `users` (`email`) WHERE `email` != ''",
    ],
    created: NOW,
    updated: NOW,
    system: false,
    ...authOptionsShape(c, 432000, { name: "name", avatarURL: "avatar" }),
  });
});

test("gives every token of every auth collection its own secret from randomSecret", () => {
  const secrets = system.flatMap((c) =>
    c.type === "auth"
      ? [c.authToken, c.passwordResetToken, c.emailChangeToken, c.verificationToken, c.fileToken].map(
          (t) => t.secret,
        )
      : [],
  );
  assert.equal(secrets.length, 10);
  assert.equal(new Set(secrets).size, 10);
  assert.ok(secrets.every((s) => typeof s === "string" && s.startsWith("secret")));
});

test("auth e-mail templates keep PocketBase's placeholders", () => {
  const c = byName("users");
  if (c.type !== "auth") throw new Error("users must be auth");
  for (const t of [c.verificationTemplate, c.resetPasswordTemplate, c.confirmEmailChangeTemplate]) {
    assert.match(t.subject, /\{APP_NAME\}/);
    assert.match(t.body, /\{APP_URL\}\/_\/#\/auth\/confirm-[a-z-]+\/\{TOKEN\}/);
  }
  assert.match(c.otp.emailTemplate.body, /\{OTP\}/);
  assert.match(c.authAlert.emailTemplate.body, /\{ALERT_INFO\}/);
});
