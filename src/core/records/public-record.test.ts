import assert from "node:assert/strict";
import { test } from "node:test";
import { toPublicRecord } from "./public-record.ts";
import * as f from "./test-fixtures.ts";

const guest = { isSuperuser: false, isOwner: false, canManage: false };

test("starts with collectionId and collectionName, then fields in definition order", () => {
  const c = f.baseCollection([f.text("title"), f.num("views")]);
  const out = toPublicRecord(c, { views: 3, title: "x", id: "abc", extra: 1 }, guest);
  assert.deepEqual(Object.keys(out), ["collectionId", "collectionName", "id", "title", "views"]);
  assert.deepEqual(out, {
    collectionId: "pbc_posts",
    collectionName: "posts",
    id: "abc",
    title: "x",
    views: 3,
  });
});

test("missing fields show their zero value", () => {
  const c = f.baseCollection([f.json("meta"), f.select("tags", { maxSelect: 2 })]);
  assert.deepEqual(toPublicRecord(c, { id: "abc" }, guest), {
    collectionId: "pbc_posts",
    collectionName: "posts",
    id: "abc",
    meta: null,
    tags: [],
  });
});

test("hidden fields are shown to superusers only", () => {
  const c = f.baseCollection([f.text("secret", { hidden: true })]);
  assert.equal("secret" in toPublicRecord(c, { id: "a", secret: "s" }, guest), false);
  assert.equal(toPublicRecord(c, { id: "a", secret: "s" }, { ...guest, isSuperuser: true })["secret"], "s");
});

test("password fields never expose their hash", () => {
  const c = f.baseCollection([f.password("pin")]);
  assert.equal(toPublicRecord(c, { id: "a", pin: "$hash" }, guest)["pin"], "");
});

const users = f.authCollection();
const row = {
  id: "u1",
  password: "$hash",
  tokenKey: "tk",
  email: "a@example.com",
  emailVisibility: false,
  verified: true,
};

test("auth records never show password or tokenKey, even to superusers", () => {
  const out = toPublicRecord(users, row, { ...guest, isSuperuser: true });
  assert.equal("password" in out, false);
  assert.equal("tokenKey" in out, false);
  assert.equal(out["email"], "a@example.com");
});

test("email is hidden unless visible, or seen by its owner, a manager or a superuser", () => {
  assert.equal("email" in toPublicRecord(users, row, guest), false);
  assert.equal(toPublicRecord(users, { ...row, emailVisibility: true }, guest)["email"], "a@example.com");
  assert.equal(toPublicRecord(users, row, { ...guest, isOwner: true })["email"], "a@example.com");
  assert.equal(toPublicRecord(users, row, { ...guest, canManage: true })["email"], "a@example.com");
  assert.deepEqual(Object.keys(toPublicRecord(users, row, guest)), [
    "collectionId",
    "collectionName",
    "id",
    "emailVisibility",
    "verified",
  ]);
});
