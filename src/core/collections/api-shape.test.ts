import assert from "node:assert/strict";
import { test } from "node:test";
import { toApiCollection, toApiField } from "./api-shape.ts";
import type { Collection } from "./collection.ts";
import { normalizeCollection } from "./normalize-collection.ts";
import { NOW } from "./pb-fixtures.test-helper.ts";
import { createSystemCollections } from "./system-collections.ts";

const opts = { now: NOW, randomSecret: () => "s".repeat(50) };
const users = createSystemCollections(opts).find((c) => c.name === "users") as Collection;

test("orders collection keys as PocketBase's JSON does", () => {
  const base = normalizeCollection({ name: "posts" }, null, opts);
  const common = [
    "id",
    "listRule",
    "viewRule",
    "createRule",
    "updateRule",
    "deleteRule",
    "name",
    "type",
    "fields",
    "indexes",
    "created",
    "updated",
    "system",
  ];
  assert.deepEqual(Object.keys(toApiCollection(base)), common);
  const view = normalizeCollection(
    { type: "view", name: "v", viewQuery: "select id from posts" },
    null,
    opts,
  );
  assert.deepEqual(Object.keys(toApiCollection(view)), [...common, "viewQuery"]);
  const auth = toApiCollection(users);
  assert.deepEqual(Object.keys(auth), [
    ...common,
    "authRule",
    "manageRule",
    "authAlert",
    "oauth2",
    "passwordAuth",
    "mfa",
    "otp",
    "authToken",
    "passwordResetToken",
    "emailChangeToken",
    "verificationToken",
    "fileToken",
    "verificationTemplate",
    "resetPasswordTemplate",
    "confirmEmailChangeTemplate",
  ]);
  assert.deepEqual(Object.keys(auth.oauth2 as object), ["providers", "mappedFields", "enabled"]);
  assert.deepEqual(Object.keys(auth.otp as object), ["enabled", "duration", "length", "emailTemplate"]);
});

test("removes token secrets and OAuth2 client secrets", () => {
  const withProvider = normalizeCollection(
    {
      oauth2: { enabled: true, providers: [{ name: "github", clientId: "cid", clientSecret: "top-secret" }] },
    },
    users,
    opts,
  );
  const json = toApiCollection(withProvider);
  const text = JSON.stringify(json);
  assert.equal(text.includes("top-secret"), false);
  assert.equal(text.includes("s".repeat(50)), false);
  assert.deepEqual(json.authToken, { duration: 432000 });
  assert.deepEqual((json.oauth2 as { providers: unknown[] }).providers, [
    {
      pkce: null,
      name: "github",
      clientId: "cid",
      authURL: "",
      tokenURL: "",
      userInfoURL: "",
      displayName: "",
      extra: null,
    },
  ]);
  // the stored collection keeps them
  assert.ok(withProvider.type === "auth");
  assert.equal(withProvider.oauth2.providers[0]?.clientSecret, "top-secret");
});

test("fields have alphabetical keys and a help key (except autodate)", () => {
  const f = toApiField({
    id: "b1",
    name: "b",
    type: "bool",
    system: false,
    hidden: false,
    presentable: false,
    required: false,
  });
  assert.deepEqual(Object.keys(f), [
    "help",
    "hidden",
    "id",
    "name",
    "presentable",
    "required",
    "system",
    "type",
  ]);
  const a = toApiField({
    id: "a1",
    name: "a",
    type: "autodate",
    system: false,
    hidden: false,
    presentable: false,
    onCreate: true,
    onUpdate: false,
  });
  assert.equal("help" in a, false);
});
