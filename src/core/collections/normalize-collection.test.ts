import assert from "node:assert/strict";
import { test } from "node:test";
import { isPlinthError } from "../errors.ts";
import type { Collection } from "./collection.ts";
import { crc32Checksum } from "./crc32.ts";
import { normalizeCollection } from "./normalize-collection.ts";
import { NOW, PB_AUTH_FIELDS, PB_ID_FIELD } from "./pb-fixtures.test-helper.ts";
import { createSystemCollections } from "./system-collections.ts";

const LATER = "2024-06-01 12:00:00.000Z";
let n = 0;
const opts = (now = NOW) => ({ now, randomSecret: () => `fresh${String(++n).padStart(45, "0")}` });
const system = createSystemCollections(opts());

/** A collection with one field of every type, every option set to a non-default value where possible. */
const everyType = normalizeCollection(
  {
    name: "every",
    fields: [
      {
        type: "text",
        name: "t",
        min: 1,
        max: 10,
        pattern: "^a",
        autogeneratePattern: "a[0-9]{3}",
        presentable: true,
      },
      { type: "editor", name: "ed", maxSize: 100, convertURLs: true, help: "html" },
      { type: "number", name: "num", min: -1.5, max: 9, onlyInt: false, required: true },
      { type: "bool", name: "b" },
      { type: "email", name: "em", onlyDomains: ["example.com"] },
      { type: "url", name: "u", exceptDomains: ["bad.io"] },
      { type: "date", name: "d", min: "2024-01-01 00:00:00.000Z", max: "" },
      { type: "autodate", name: "created", onCreate: true },
      { type: "select", name: "s", values: ["a", "b"], maxSelect: 2 },
      {
        type: "file",
        name: "f",
        maxSelect: 3,
        maxSize: 1024,
        mimeTypes: ["image/png"],
        thumbs: ["100x100"],
        protected: true,
      },
      { type: "relation", name: "r", collectionId: "_pb_users_auth_", cascadeDelete: true, maxSelect: 1 },
      { type: "json", name: "j", maxSize: 2000, hidden: true },
      { type: "geoPoint", name: "g" },
      { type: "password", name: "p", min: 4, max: 20, cost: 10, pattern: "\\d" },
    ],
    indexes: ["CREATE INDEX `idx_every_t` ON `every` (`t`)"],
  },
  null,
  opts(),
);

test("new base collection gets PocketBase's generated id and only the id system field", () => {
  const c = normalizeCollection({ name: "posts" }, null, opts());
  assert.equal(c.id, "pbc_1125843985");
  assert.deepEqual(c.fields, [PB_ID_FIELD]);
  assert.deepEqual(c.indexes, []);
  assert.equal(c.type, "base");
  assert.equal(c.created, NOW);
  assert.equal(c.updated, NOW);
  assert.equal(c.system, false);
  for (const r of ["listRule", "viewRule", "createRule", "updateRule", "deleteRule"] as const)
    assert.equal(c[r], null);
});

test("a generated id taken by an existing collection gets a numeric suffix", () => {
  const first = normalizeCollection({ name: "posts" }, null, opts());
  const second = normalizeCollection({ name: "posts" }, null, { ...opts(), collections: [first] });
  assert.equal(second.id, "pbc_11258439852");
});

test("fills every option of every field type with PocketBase's defaults and generates field ids", () => {
  const c = normalizeCollection(
    {
      name: "x",
      fields: [
        { type: "number", name: "n" },
        { type: "select", name: "s" },
        { type: "relation", name: "r" },
        { type: "autodate", name: "a" },
        { type: "date", name: "d" },
      ],
    },
    null,
    opts(),
  );
  assert.deepEqual(c.fields.slice(1), [
    {
      help: "",
      hidden: false,
      id: "number2013832146",
      max: null,
      min: null,
      name: "n",
      onlyInt: false,
      presentable: false,
      required: false,
      system: false,
      type: "number",
    },
    {
      help: "",
      hidden: false,
      id: "select453955339",
      maxSelect: 0,
      name: "s",
      presentable: false,
      required: false,
      system: false,
      type: "select",
      values: [],
    },
    {
      cascadeDelete: false,
      collectionId: "",
      help: "",
      hidden: false,
      id: "relation1812594589",
      maxSelect: 0,
      minSelect: 0,
      name: "r",
      presentable: false,
      required: false,
      system: false,
      type: "relation",
    },
    {
      hidden: false,
      id: "autodate3904355907",
      name: "a",
      onCreate: false,
      onUpdate: false,
      presentable: false,
      system: false,
      type: "autodate",
    },
    {
      help: "",
      hidden: false,
      id: "date2564639436",
      max: "",
      min: "",
      name: "d",
      presentable: false,
      required: false,
      system: false,
      type: "date",
    },
  ]);
});

test("normalizing a full collection again returns it unchanged (every system collection, every field type)", () => {
  for (const c of [...system, everyType]) {
    assert.deepEqual(normalizeCollection(structuredClone(c), null, opts(c.created)), c, `${c.name} as new`);
    assert.deepEqual(normalizeCollection(structuredClone(c), c, opts(c.updated)), c, `${c.name} as update`);
  }
});

test("an update changes only the given keys and bumps updated", () => {
  const before = system.find((c) => c.name === "users") as Collection;
  const after = normalizeCollection({ listRule: null, otp: { enabled: true } }, before, opts(LATER));
  assert.equal(after.listRule, null);
  assert.equal(after.viewRule, before.viewRule);
  assert.deepEqual(after.fields, before.fields);
  assert.equal(after.created, NOW);
  assert.equal(after.updated, LATER);
  assert.ok(after.type === "auth" && before.type === "auth");
  assert.equal(after.otp.enabled, true);
  assert.equal(after.otp.duration, 180);
  assert.deepEqual(after.otp.emailTemplate, before.otp.emailTemplate);
  assert.equal(after.authToken.secret, before.authToken.secret);
});

test("keeps token and OAuth2 client secrets the client didn't send back", () => {
  const users = system.find((c) => c.name === "users") as Collection;
  const withProvider = normalizeCollection(
    { oauth2: { enabled: true, providers: [{ name: "google", clientId: "id1", clientSecret: "s3cret" }] } },
    users,
    opts(LATER),
  );
  // what a client holds: secrets stripped
  const edited = normalizeCollection(
    {
      authToken: { duration: 100 },
      oauth2: { providers: [{ name: "google", clientId: "id2" }] },
    },
    withProvider,
    opts(LATER),
  );
  assert.ok(edited.type === "auth" && withProvider.type === "auth");
  assert.equal(edited.authToken.duration, 100);
  assert.equal(edited.authToken.secret, withProvider.authToken.secret);
  assert.deepEqual(edited.oauth2.providers, [
    {
      pkce: null,
      name: "google",
      clientId: "id2",
      clientSecret: "s3cret",
      authURL: "",
      tokenURL: "",
      userInfoURL: "",
      displayName: "",
      extra: null,
    },
  ]);
});

test("a changed authRule rotates the auth token secret (null and empty count as the same)", () => {
  const users = system.find((c) => c.name === "users") as Collection;
  assert.ok(users.type === "auth");
  const same = normalizeCollection({ authRule: null }, users, opts(LATER));
  assert.ok(same.type === "auth");
  assert.equal(same.authToken.secret, users.authToken.secret);
  const changed = normalizeCollection({ authRule: "verified = true" }, users, opts(LATER));
  assert.ok(changed.type === "auth");
  assert.notEqual(changed.authToken.secret, users.authToken.secret);
  assert.equal(changed.passwordResetToken.secret, users.passwordResetToken.secret);
});

test("a new auth collection gets the auth system fields, unique indexes and fresh secrets", () => {
  const c = normalizeCollection(
    { type: "auth", name: "members", fields: [{ type: "text", name: "nick" }] },
    null,
    opts(),
  );
  assert.equal(c.id, "pbc_2620428958");
  assert.deepEqual(
    c.fields.map((f) => f.name),
    ["id", "nick", "password", "tokenKey", "email", "emailVisibility", "verified"],
  );
  assert.deepEqual(
    c.fields.filter((f) => f.name !== "nick"),
    PB_AUTH_FIELDS,
  );
  assert.deepEqual(c.indexes, [
    "CREATE UNIQUE INDEX `idx_tokenKey_pbc_2620428958` ON `members` (`tokenKey`)",
    "CREATE UNIQUE INDEX `idx_email_pbc_2620428958` ON `members` (`email`) WHERE `email` != ''",
  ]);
  assert.ok(c.type === "auth");
  assert.match(c.fileToken.secret ?? "", /^fresh/);
});

test("enforces the flags of system fields the payload changed", () => {
  const c = normalizeCollection(
    {
      type: "auth",
      name: "m",
      fields: [
        { type: "text", name: "id", hidden: true, pattern: "" },
        { type: "password", name: "password", hidden: false, required: false },
        { type: "email", name: "email", hidden: true, system: false },
      ],
    },
    null,
    opts(),
  );
  const f = (name: string) => c.fields.find((x) => x.name === name);
  assert.equal(f("id")?.hidden, false);
  assert.equal((f("id") as { pattern?: string }).pattern, "^[a-z0-9]+$");
  assert.equal(f("password")?.hidden, true);
  assert.equal(f("email")?.hidden, false);
  assert.equal(f("email")?.system, true);
});

test("keeps the input field order and the ids of fields matched by name", () => {
  const c = normalizeCollection(
    {
      name: "o",
      fields: [
        { type: "bool", name: "z" },
        PB_ID_FIELD,
        { type: "text", name: "a", id: "custom" },
        { type: "number", name: "z" },
      ],
    },
    null,
    opts(),
  );
  assert.deepEqual(
    c.fields.map((f) => [f.name, f.id, f.type]),
    [
      ["z", `bool${crc32Checksum("z")}`, "number"],
      ["id", "text3208210256", "text"],
      ["a", "custom", "text"],
    ],
  );
});

test("points indexes at the collection's table when it is renamed", () => {
  const c = normalizeCollection({ name: "renamed" }, everyType, opts(LATER));
  assert.deepEqual(c.indexes, ["CREATE INDEX `idx_every_t` ON `renamed` (`t`)"]);
});

test("clears OAuth2 mapped fields that name no field", () => {
  const users = system.find((c) => c.name === "users") as Collection;
  const c = normalizeCollection(
    { fields: users.fields.filter((f) => f.name !== "avatar") },
    users,
    opts(LATER),
  );
  assert.ok(c.type === "auth");
  assert.deepEqual(c.oauth2.mappedFields, { id: "", name: "name", username: "", avatarURL: "" });
});

test("a view collection's fields come from its query when the collections are given", () => {
  const v = normalizeCollection({ type: "view", name: "v", viewQuery: "select id, name from users" }, null, {
    ...opts(),
    collections: system,
  });
  assert.ok(v.type === "view");
  assert.equal(v.viewQuery, "select id, name from users");
  assert.deepEqual(
    v.fields.map((f) => [f.name, f.type]),
    [
      ["id", "text"],
      ["name", "text"],
    ],
  );
  assert.deepEqual(v.indexes, []);
  assert.equal("authRule" in v, false);
});

test("rejects unknown field and collection types and wrongly typed options with PocketBase-shaped errors", () => {
  const bad = (input: unknown) => {
    try {
      normalizeCollection(input, null, opts());
    } catch (err) {
      assert.ok(isPlinthError(err));
      assert.equal(err.code, "validation_failed");
      return err.fields;
    }
    assert.fail("expected an error");
  };
  assert.deepEqual(
    bad({
      name: "x",
      fields: [
        { type: "text", name: "a" },
        { type: "nope", name: "b" },
      ],
    }),
    {
      fields: {
        "1": {
          type: { code: "validation_unknown_field_type", message: 'Missing or unknown field type "nope".' },
        },
      },
    },
  );
  assert.deepEqual(bad({ name: "x", type: "table" }), {
    type: { code: "validation_in_invalid", message: "Must be a valid value." },
  });
  assert.deepEqual(bad({ name: "x", listRule: 1, fields: [{ type: "number", name: "n", min: "1" }] }), {
    listRule: { code: "validation_invalid_value", message: "Must be a string or null." },
    fields: { "0": { min: { code: "validation_invalid_value", message: "Must be a number or null." } } },
  });
  assert.throws(
    () => normalizeCollection([], null, opts()),
    (e) => isPlinthError(e) && e.code === "invalid_input",
  );
});
