/**
 * Where the records service does its argon2 work, over a real SQLite store and the real hasher
 * (cheap parameters). The store and hasher are wrapped only to observe whether a hash or a
 * password check runs while a write transaction is open: under SQLite that transaction holds the
 * database's write lock, which every other writer, in every process, waits for.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createArgon2Hasher } from "../../adapters/crypto/index.ts";
import { createSqliteStore } from "../../adapters/store/sqlite/index.ts";
import { cryptoIdGen } from "../../adapters/system/index.ts";
import { PlinthError } from "../../core/errors.ts";
import type { PasswordHasher, RecordRow, Store } from "../../core/ports.ts";
import { authCollection } from "../../core/records/test-fixtures.ts";
import { guestRequest } from "../../core/request-info.ts";
import { createEventHub } from "../event-hub.ts";
import { createSchemaCache } from "../schema-cache.ts";
import { createRecordService } from "./records-service.ts";

const users = authCollection();
const PASSWORD = "first-password";
const NEW_PASSWORD = "second-password";

describe("records service password hashing", () => {
  let base: Store;
  const argon2 = createArgon2Hasher({ memoryKiB: 256, passes: 1, parallelism: 1 });
  /** Each hash or verify call, and whether a write transaction was open when it ran. */
  let calls: { op: "hash" | "verify"; inTransaction: boolean }[] = [];
  let open = 0;

  const hasher: PasswordHasher = {
    async hash(password) {
      calls.push({ op: "hash", inTransaction: open > 0 });
      return argon2.hash(password);
    },
    async verify(hash, password) {
      calls.push({ op: "verify", inTransaction: open > 0 });
      return argon2.verify(hash, password);
    },
  };

  before(async () => {
    base = createSqliteStore({ path: ":memory:", synchronous: "NORMAL" });
    await base.init();
    await base.transaction(async (tx) => {
      await tx.saveCollection(users);
      await tx.syncRecordTable(null, users, [users]);
    });
  });
  after(() => base.close());
  beforeEach(async () => {
    await base.truncate(users);
    calls = [];
  });

  function build() {
    const store: Store = {
      ...base,
      async transaction(fn) {
        open++;
        try {
          return await base.transaction(fn);
        } finally {
          open--;
        }
      },
    };
    const schema = createSchemaCache();
    return schema.reload(base).then(() =>
      createRecordService({
        store,
        schema,
        clock: { now: () => new Date("2025-01-01T00:00:00Z") },
        ids: cryptoIdGen,
        hasher,
        events: createEventHub(() => {}),
      }),
    );
  }

  const rows = () => base.findRecords({ collection: users, where: [], sort: [] });
  const signUp = (email: string, passwordConfirm = PASSWORD): RecordRow => ({
    email,
    password: PASSWORD,
    passwordConfirm,
  });

  it("hashes a sign-up's password before the write transaction begins", async () => {
    const records = await build();
    await records.create(guestRequest({ method: "POST" }), "users", signUp("a@example.com"), {});
    assert.deepEqual(calls, [{ op: "hash", inTransaction: false }]);
    const [row] = await rows();
    assert.equal(await argon2.verify(String(row!["password"]), PASSWORD), true);
  });

  it("checks oldPassword and hashes the new password before the write transaction begins", async () => {
    const records = await build();
    const created = await records.create(
      guestRequest({ method: "POST" }),
      "users",
      signUp("b@example.com"),
      {},
    );
    calls = [];
    await records.update(
      guestRequest({ method: "PATCH" }),
      "users",
      String(created["id"]),
      { oldPassword: PASSWORD, password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD },
      {},
    );
    assert.deepEqual(calls, [
      { op: "verify", inTransaction: false },
      { op: "hash", inTransaction: false },
    ]);
    const [row] = await rows();
    assert.equal(await argon2.verify(String(row!["password"]), NEW_PASSWORD), true);
  });

  it("hashes nothing and writes nothing for a sign-up that fails validation", async () => {
    const records = await build();
    await assert.rejects(
      records.create(guestRequest({ method: "POST" }), "users", signUp("c@example.com", "mismatch"), {}),
      (err: unknown) => err instanceof PlinthError && err.code === "validation_failed",
    );
    assert.deepEqual(calls, []);
    assert.deepEqual(await rows(), []);
  });

  it("hashes nothing and changes nothing when oldPassword is wrong", async () => {
    const records = await build();
    const created = await records.create(
      guestRequest({ method: "POST" }),
      "users",
      signUp("d@example.com"),
      {},
    );
    const [before] = await rows();
    calls = [];
    await assert.rejects(
      records.update(
        guestRequest({ method: "PATCH" }),
        "users",
        String(created["id"]),
        { oldPassword: "wrong-password", password: NEW_PASSWORD, passwordConfirm: NEW_PASSWORD },
        {},
      ),
      (err: unknown) => err instanceof PlinthError && err.fields["oldPassword"] !== undefined,
    );
    assert.deepEqual(calls, [{ op: "verify", inTransaction: false }]);
    assert.deepEqual(await rows(), [before]);
  });

  it("still hashes a create made inside the caller's transaction (batch)", async () => {
    const records = await build();
    await base.transaction((tx) =>
      records.createIn(tx, [], guestRequest({ method: "POST" }), "users", signUp("e@example.com")),
    );
    assert.equal(calls.length, 1);
    const [row] = await rows();
    assert.equal(await argon2.verify(String(row!["password"]), PASSWORD), true);
  });
});
