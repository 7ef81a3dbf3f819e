import assert from "node:assert/strict";
import { test } from "node:test";
import type { Collection } from "./collection.ts";
import { normalizeCollection } from "./normalize-collection.ts";
import { NOW } from "./pb-fixtures.test-helper.ts";
import { createSystemCollections } from "./system-collections.ts";
import { validateCollection } from "./validate-collection.ts";

const opts = { now: NOW, randomSecret: () => "s".repeat(50) };
const system = createSystemCollections(opts);
const users = system.find((c) => c.name === "users") as Collection;
const superusers = system.find((c) => c.name === "_superusers") as Collection;
const checkRule = (rule: string) => (rule.includes("???") ? "unexpected token" : null);

function create(input: Record<string, unknown>) {
  const next = normalizeCollection(input, null, { ...opts, collections: system });
  return { next, errors: validateCollection(next, null, { all: [...system, next], checkRule }) };
}
function update(previous: Collection, input: Record<string, unknown>) {
  const next = normalizeCollection(input, previous, { ...opts, collections: system });
  const all = system.map((c) => (c.id === previous.id ? next : c));
  return validateCollection(next, previous, { all, checkRule });
}

test("accepts the system collections and a valid new collection", () => {
  for (const c of system)
    assert.deepEqual(validateCollection(c, null, { all: system, checkRule }), {}, c.name);
  for (const c of system) assert.deepEqual(validateCollection(c, c, { all: system, checkRule }), {}, c.name);
  assert.deepEqual(
    create({
      name: "posts",
      listRule: "",
      fields: [
        { type: "text", name: "title", required: true },
        { type: "relation", name: "author", collectionId: "_pb_users_auth_", maxSelect: 1 },
      ],
      indexes: ["CREATE UNIQUE INDEX `idx_posts_title` ON `posts` (`title`)"],
    }).errors,
    {},
  );
});

test("rejects bad, duplicate and internal collection names", () => {
  assert.deepEqual(create({ name: "" }).errors.name, {
    code: "validation_required",
    message: "Cannot be blank.",
  });
  assert.deepEqual(create({ name: "my posts" }).errors.name, {
    code: "validation_match_invalid",
    message: "Must be in a valid format.",
  });
  assert.deepEqual(create({ name: "a".repeat(256) }).errors.name, {
    code: "validation_length_out_of_range",
    message: "The length must be between 1 and 255.",
  });
  assert.deepEqual(create({ name: "USERS" }).errors.name, {
    code: "validation_collection_name_exists",
    message: "Collection name must be unique (case insensitive).",
  });
  assert.equal(
    (create({ name: "_collections" }).errors.name as { code: string }).code,
    "validation_collection_name_invalid",
  );
  assert.equal((create({ name: "a_via_b" }).errors.name as { code: string }).code, "validation_found_via");
});

test("rejects type, system flag and system collection name changes", () => {
  assert.deepEqual(update(users, { type: "base" }).type, {
    code: "validation_collection_type_change",
    message: "Collection type cannot be changed.",
  });
  assert.equal(
    (update(users, { system: true }).system as { code: string }).code,
    "validation_collection_system_flag_change",
  );
  assert.equal(
    (update(superusers, { name: "admins" }).name as { code: string }).code,
    "validation_collection_system_name_change",
  );
});

test("rejects changing a system collection's rules", () => {
  assert.deepEqual(update(superusers, { listRule: "" }).listRule, {
    code: "validation_collection_system_rule_change",
    message: "System collection API rule cannot be changed.",
  });
  assert.equal(
    (update(superusers, { manageRule: "id != ''" }).manageRule as { code: string }).code,
    "validation_collection_system_rule_change",
  );
});

test("rejects deleting or renaming system fields and changing field types", () => {
  const renamed = users.fields.map((f) => (f.name === "email" ? { ...f, name: "mail" } : f));
  const errors = update(users, { fields: renamed });
  assert.deepEqual(errors.fields, {
    code: "validation_system_field_change",
    message: "System fields cannot be deleted or renamed.",
  });
  const retyped = users.fields.map((f) => (f.name === "name" ? { ...f, type: "json" } : f));
  assert.deepEqual(update(users, { fields: retyped }).fields, {
    "6": { code: "validation_field_type_change", message: "Field type cannot be changed." },
  });
});

test("rejects duplicate and reserved field names", () => {
  const dup = create({
    name: "x",
    fields: [
      { type: "text", name: "a" },
      { type: "bool", name: "A", id: "b1" },
    ],
  });
  assert.deepEqual(dup.errors.fields, {
    "2": {
      name: { code: "validation_duplicated_field_name", message: "Duplicated or invalid field name A." },
    },
  });
  const reserved = create({ type: "auth", name: "m", fields: [{ type: "text", name: "passwordConfirm" }] });
  assert.deepEqual(reserved.errors.fields, {
    "1": {
      name: {
        code: "validation_reserved_field_name",
        message: "The field name is reserved and cannot be used.",
      },
    },
  });
  const keyword = create({ name: "x", fields: [{ type: "text", name: "expand" }] });
  assert.deepEqual(keyword.errors.fields, {
    "1": { name: { code: "validation_not_in_invalid", message: "Must not be in list." } },
  });
});

test("checks each field type's own options", () => {
  const { errors } = create({
    name: "x",
    fields: [
      { type: "select", name: "s" },
      { type: "relation", name: "r", collectionId: "missing" },
      { type: "text", name: "t", min: 5, max: 2, pattern: "(" },
      { type: "autodate", name: "a" },
      { type: "file", name: "f", thumbs: ["0x0"] },
      { type: "number", name: "n", onlyInt: true, min: 1.5 },
      { type: "email", name: "e", onlyDomains: ["a.com"], exceptDomains: ["b.com"] },
      { type: "password", name: "p", cost: 40 },
    ],
  });
  const fields = errors.fields as Record<string, Record<string, { code: string }>>;
  assert.equal(fields["1"]?.values?.code, "validation_required");
  assert.equal(fields["2"]?.collectionId?.code, "validation_field_relation_missing_collection");
  assert.equal(fields["3"]?.max?.code, "validation_min_greater_equal_than_required");
  assert.equal(fields["3"]?.pattern?.code, "validation_invalid_regex");
  assert.equal(fields["4"]?.onCreate?.code, "validation_required");
  assert.equal(fields["5"]?.thumbs?.code, "validation_not_in_invalid");
  assert.equal(fields["6"]?.min?.code, "validation_only_int_constraint");
  assert.equal(fields["7"]?.exceptDomains?.code, "validation_empty");
  assert.equal(fields["8"]?.cost?.code, "validation_max_less_equal_than_required");
});

test("checks rules with ctx.checkRule, including auth and MFA rules", () => {
  assert.deepEqual(create({ name: "x", viewRule: "title ???" }).errors.viewRule, {
    code: "validation_invalid_rule",
    message: "Invalid rule. Raw error: unexpected token",
  });
  assert.equal(
    (update(users, { authRule: "???" }).authRule as { code: string }).code,
    "validation_invalid_rule",
  );
  assert.deepEqual(update(users, { manageRule: "" }).manageRule, {
    code: "validation_nil_or_not_empty_required",
    message: "Cannot be blank.",
  });
  assert.deepEqual(update(users, { mfa: { enabled: true, rule: "???" }, otp: { enabled: true } }).mfa, {
    rule: { code: "validation_invalid_rule", message: "Invalid rule. Raw error: unexpected token" },
  });
  assert.deepEqual(update(users, { mfa: { enabled: true } }).mfa, {
    enabled: {
      code: "validation_mfa_not_enough_auths",
      message: "MFA requires at least 2 auth methods to be enabled.",
    },
  });
});

test("checks auth options: token secrets and durations, identity fields, providers", () => {
  assert.deepEqual(update(users, { authToken: { secret: "short", duration: 5 } }).authToken, {
    secret: { code: "validation_length_out_of_range", message: "The length must be between 30 and 255." },
    duration: { code: "validation_min_greater_equal_than_required", message: "Must be no less than 10." },
  });
  assert.deepEqual(update(users, { passwordAuth: { identityFields: ["name"] } }).passwordAuth, {
    identityFields: {
      code: "validation_missing_unique_constraint",
      message: "The field name doesn't have a UNIQUE constraint.",
    },
  });
  const providers = update(users, {
    oauth2: { enabled: true, providers: [{ name: "nope", clientId: "a", clientSecret: "b" }] },
  }).oauth2;
  assert.deepEqual(providers, {
    providers: {
      "0": {
        name: { code: "validation_missing_provider", message: "Invalid or missing provider with name nope." },
      },
    },
  });
});

test("checks indexes: syntax, duplicate names and definitions, names used elsewhere, missing columns, system uniques", () => {
  const idx = (...indexes: string[]) =>
    create({ name: "x", fields: [{ type: "text", name: "a" }], indexes }).errors.indexes;
  assert.deepEqual(idx("nonsense"), {
    "0": { code: "validation_invalid_index_expression", message: "Invalid CREATE INDEX expression." },
  });
  assert.equal(
    (idx("CREATE INDEX i1 ON x (a)", "CREATE INDEX I1 ON x (id)") as Record<string, { code: string }>)["1"]
      ?.code,
    "validation_duplicated_index_name",
  );
  assert.equal(
    (idx("CREATE INDEX i1 ON x (a)", "CREATE INDEX i2 ON x (a)") as Record<string, { code: string }>)["1"]
      ?.code,
    "validation_duplicated_index_definition",
  );
  assert.deepEqual(idx("CREATE INDEX idx_mfas_collectionRef_recordRef ON x (a)"), {
    "0": {
      code: "validation_existing_index_name",
      message: "The index name is already used in _mfas collection.",
    },
  });
  assert.equal(
    (idx("CREATE INDEX i1 ON x (nope)") as Record<string, { code: string }>)["0"]?.code,
    "validation_invalid_index_expression",
  );
  assert.deepEqual(idx("CREATE INDEX i1 ON x (lower(a))"), undefined);
  // normalization would re-add the index, so check a hand-edited state
  const dropped = { ...users, indexes: [users.indexes[1] ?? ""] };
  assert.deepEqual(validateCollection(dropped, users, { all: system, checkRule }).indexes, {
    code: "validation_invalid_unique_system_field_index",
    message: "Unique index definition on system fields (tokenKey) is invalid or missing.",
  });
});

test("view collections: query required and checked, only list/view rules, no indexes", () => {
  const v = create({ type: "view", name: "v", viewQuery: "select id, name from users", createRule: "" });
  assert.deepEqual(v.errors, { createRule: { code: "validation_nil", message: "Must be blank." } });
  const bad = create({ type: "view", name: "v2", viewQuery: "select * from users" });
  assert.equal((bad.errors.viewQuery as { code: string }).code, "validation_invalid_view_query");
  assert.deepEqual(create({ type: "view", name: "v3" }).errors.viewQuery, {
    code: "validation_required",
    message: "Cannot be blank.",
  });
  const withIndex = create({
    type: "view",
    name: "v4",
    viewQuery: "select id from users",
    indexes: ["CREATE INDEX a ON v4 (id)"],
  });
  assert.equal((withIndex.errors.indexes as { code: string }).code, "validation_indexes_not_supported");
});

test("relations may point at views only from views", () => {
  const view = create({ type: "view", name: "vv", viewQuery: "select id from users" }).next;
  const next = normalizeCollection(
    { name: "refs", fields: [{ type: "relation", name: "r", collectionId: view.id }] },
    null,
    opts,
  );
  const errors = validateCollection(next, null, { all: [...system, view, next], checkRule });
  assert.deepEqual(errors.fields, {
    "1": {
      collectionId: {
        code: "validation_relation_field_non_view_base_collection",
        message: "Only view collections are allowed to have relations to other views.",
      },
    },
  });
});
