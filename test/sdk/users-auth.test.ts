import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type PocketBase from "pocketbase";
import { startTestServer, type TestServer } from "../support/test-server.ts";
import {
  assertErrorShape,
  authId,
  fieldCode,
  newClient,
  rejection,
  superuserClient,
  USER_PASSWORD,
  userClient,
} from "./sdk-fixture.ts";

let server: TestServer;
let su: PocketBase;
let shy: PocketBase; // emailVisibility false
let open: PocketBase; // emailVisibility true

before(async () => {
  server = await startTestServer();
  su = await superuserClient(server);
  // PocketBase's default users rules are owner-only; open viewing so emailVisibility decides.
  await su.collections.update("users", {
    listRule: '@request.auth.id != ""',
    viewRule: '@request.auth.id != ""',
  });
  shy = await userClient(server, "shy@example.com");
  open = await userClient(server, "open@example.com", { emailVisibility: true });
});

after(() => server?.close());

describe("SDK: users sign-up", () => {
  test("a guest signs up with email, password and passwordConfirm", async () => {
    const pb = newClient(server);
    const rec = await pb
      .collection("users")
      .create({ email: "new1@example.com", password: USER_PASSWORD, passwordConfirm: USER_PASSWORD });
    assert.equal(typeof rec.id, "string");
    assert.equal(rec.id.length, 15);
    assert.equal(rec.collectionName, "users");
    assert.equal(rec["verified"], false);
  });

  test("the sign-up response never has password or tokenKey", async () => {
    const pb = newClient(server);
    const rec = await pb
      .collection("users")
      .create({ email: "new2@example.com", password: USER_PASSWORD, passwordConfirm: USER_PASSWORD });
    assert.equal("password" in rec, false);
    assert.equal("tokenKey" in rec, false);
    assert.equal("passwordConfirm" in rec, false);
  });

  test("a guest's sign-up response hides the email when emailVisibility is false", async () => {
    const pb = newClient(server);
    const rec = await pb
      .collection("users")
      .create({ email: "new3@example.com", password: USER_PASSWORD, passwordConfirm: USER_PASSWORD });
    assert.equal("email" in rec, false, JSON.stringify(rec));
  });

  test("a mismatched passwordConfirm is validation_values_mismatch", async () => {
    const pb = newClient(server);
    const err = await rejection(
      pb
        .collection("users")
        .create({ email: "new4@example.com", password: USER_PASSWORD, passwordConfirm: "different123" }),
      400,
    );
    assertErrorShape(err);
    assert.equal(fieldCode(err, "passwordConfirm"), "validation_values_mismatch");
  });

  test("a too-short password is validation_min_text_constraint", async () => {
    const pb = newClient(server);
    const err = await rejection(
      pb
        .collection("users")
        .create({ email: "new5@example.com", password: "short", passwordConfirm: "short" }),
      400,
    );
    assert.equal(fieldCode(err, "password"), "validation_min_text_constraint");
  });

  test("a taken email is validation_not_unique", async () => {
    const pb = newClient(server);
    const err = await rejection(
      pb
        .collection("users")
        .create({ email: "shy@example.com", password: USER_PASSWORD, passwordConfirm: USER_PASSWORD }),
      400,
    );
    assert.equal(fieldCode(err, "email"), "validation_not_unique");
  });

  test("a guest cannot set verified on sign-up", async () => {
    const pb = newClient(server);
    await rejection(
      pb.collection("users").create({
        email: "new6@example.com",
        password: USER_PASSWORD,
        passwordConfirm: USER_PASSWORD,
        verified: true,
      }),
      400,
    );
  });
});

describe("SDK: users login", () => {
  test("authWithPassword returns a token and the user's own record with email", async () => {
    const pb = newClient(server);
    const auth = await pb.collection("users").authWithPassword("shy@example.com", USER_PASSWORD);
    assert.equal(typeof auth.token, "string");
    assert.equal(auth.record.email, "shy@example.com");
    assert.equal(auth.record.collectionName, "users");
    assert.equal(pb.authStore.isValid, true);
    assert.equal(pb.authStore.isSuperuser, false);
  });

  test("the login record never has password or tokenKey", async () => {
    const pb = newClient(server);
    const auth = await pb.collection("users").authWithPassword("shy@example.com", USER_PASSWORD);
    assert.equal("password" in auth.record, false);
    assert.equal("tokenKey" in auth.record, false);
  });

  test("a user token is not a superuser token", async () => {
    const err = await rejection(shy.collections.getFullList(), 403);
    assertErrorShape(err);
  });

  test("a wrong password is a 400", async () => {
    const pb = newClient(server);
    const err = await rejection(
      pb.collection("users").authWithPassword("shy@example.com", "nope-nope-nope"),
      400,
    );
    assertErrorShape(err);
  });

  test("user credentials do not log into _superusers", async () => {
    const pb = newClient(server);
    await rejection(pb.collection("_superusers").authWithPassword("shy@example.com", USER_PASSWORD), 400);
  });

  test("authRefresh returns a fresh token for the same user", async () => {
    const pb = await userClient(server, "refresh@example.com");
    const before = authId(pb);
    const refreshed = await pb.collection("users").authRefresh();
    assert.equal(refreshed.record.id, before);
    assert.equal(refreshed.record.email, "refresh@example.com");
    assert.equal(pb.authStore.token, refreshed.token);
  });

  test("a user token cannot refresh on another auth collection", async () => {
    const pb = await userClient(server, "refresh2@example.com");
    await rejection(pb.collection("_superusers").authRefresh(), 403);
  });

  test("listAuthMethods reports password auth with the email identity", async () => {
    const methods = await newClient(server).collection("users").listAuthMethods();
    assert.equal(methods.password.enabled, true);
    assert.deepEqual(methods.password.identityFields, ["email"]);
  });

  test("listAuthMethods has the oauth2, mfa and otp sections", async () => {
    const methods = await newClient(server).collection("users").listAuthMethods();
    assert.equal(typeof methods.oauth2.enabled, "boolean");
    assert.ok(Array.isArray(methods.oauth2.providers));
    assert.equal(typeof methods.mfa.enabled, "boolean");
    assert.equal(typeof methods.mfa.duration, "number");
    assert.equal(typeof methods.otp.enabled, "boolean");
    assert.equal(typeof methods.otp.duration, "number");
  });

  test("listAuthMethods on a base collection is a 404", async () => {
    await su.collections.create({ name: "plain", type: "base", fields: [] });
    await rejection(newClient(server).collection("plain").listAuthMethods(), 404);
  });
});

describe("SDK: users emailVisibility", () => {
  test("another user does not see the email of a user with emailVisibility false", async () => {
    const rec = await open.collection("users").getOne(authId(shy));
    assert.equal(rec.id, authId(shy));
    assert.equal("email" in rec, false, JSON.stringify(rec));
  });

  test("another user sees the email of a user with emailVisibility true", async () => {
    const rec = await shy.collection("users").getOne(authId(open));
    assert.equal(rec["email"], "open@example.com");
  });

  test("a user always sees their own email", async () => {
    const rec = await shy.collection("users").getOne(authId(shy));
    assert.equal(rec["email"], "shy@example.com");
  });

  test("a superuser sees every email", async () => {
    const rec = await su.collection("users").getOne(authId(shy));
    assert.equal(rec["email"], "shy@example.com");
  });

  test("listed users hide emails per emailVisibility", async () => {
    const list = await open.collection("users").getFullList();
    const shyRec = list.find((r) => r.id === authId(shy));
    const openRec = list.find((r) => r.id === authId(open));
    assert.ok(shyRec && openRec);
    assert.equal("email" in shyRec, false);
    assert.equal(openRec["email"], "open@example.com");
  });

  test("listed users never carry password or tokenKey, even for a superuser", async () => {
    const list = await su.collection("users").getFullList();
    assert.ok(list.length >= 2);
    for (const rec of list) {
      assert.equal("password" in rec, false);
      assert.equal("tokenKey" in rec, false);
    }
  });
});

describe("SDK: token revocation takes effect on the next request", () => {
  /** A client holding a copy of `pb`'s token, so it keeps presenting the old one. */
  function sameToken(pb: PocketBase): PocketBase {
    const copy = newClient(server);
    copy.authStore.save(pb.authStore.token, pb.authStore.record);
    return copy;
  }

  test("a password change rejects the token issued before it", async () => {
    const pb = await userClient(server, "rotate@example.com");
    const stale = sameToken(pb);
    await stale.collection("users").authRefresh(); // the old token is known and accepted
    const renewed = "password456";
    await pb.collection("users").update(authId(pb), {
      oldPassword: USER_PASSWORD,
      password: renewed,
      passwordConfirm: renewed,
    });
    assertErrorShape(await rejection(stale.collection("users").authRefresh(), 401));
    const fresh = newClient(server);
    await fresh.collection("users").authWithPassword("rotate@example.com", renewed);
    await fresh.collection("users").authRefresh();
  });

  test("a deleted user's token is rejected", async () => {
    const pb = await userClient(server, "gone@example.com");
    await pb.collection("users").authRefresh();
    await su.collection("users").delete(authId(pb));
    assertErrorShape(await rejection(pb.collection("users").authRefresh(), 401));
  });

  test("rules read the auth record as it is now, not as it was when the token was first used", async () => {
    // `verified` is one of the auth fields a rule reads from the request's auth record, not by a join.
    await su.collections.create({
      name: "verified_notes",
      type: "base",
      listRule: "@request.auth.verified = true",
      viewRule: "@request.auth.verified = true",
      fields: [{ name: "text", type: "text" }],
    });
    const note = await su.collection("verified_notes").create({ text: "hello" });
    const pb = await userClient(server, "verified@example.com");
    await su.collection("users").update(authId(pb), { verified: true });
    assert.equal((await pb.collection("verified_notes").getOne(note.id))["text"], "hello");
    await su.collection("users").update(authId(pb), { verified: false });
    await rejection(pb.collection("verified_notes").getOne(note.id), 404);
    await su.collection("users").update(authId(pb), { verified: true });
    assert.equal((await pb.collection("verified_notes").getOne(note.id))["text"], "hello");
  });

  test("a superuser's token is rejected once the superuser is deleted", async () => {
    const email = "second-root@example.com";
    await server.app.services.auth.upsertSuperuser(email, "secondrootpassword");
    const pb = newClient(server);
    await pb.collection("_superusers").authWithPassword(email, "secondrootpassword");
    await pb.collections.getFullList();
    assert.equal(await server.app.services.auth.deleteSuperuser(email), true);
    await rejection(pb.collections.getFullList(), 401);
  });
});
