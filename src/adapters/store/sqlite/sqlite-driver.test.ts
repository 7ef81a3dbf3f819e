import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { PlinthError } from "../../../core/errors.ts";
import type { SqlDriver } from "../sql/sql-driver.ts";
import { createSqliteStore } from "./create-sqlite-store.ts";
import { createSqliteDriver } from "./sqlite-driver.ts";

describe("SQLite driver read snapshots", () => {
  let dir: string;
  let path: string;
  let driver: SqlDriver;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "plinth-driver-"));
    path = join(dir, "data.db");
    driver = createSqliteDriver({ path, synchronous: "NORMAL" });
    await driver.run("CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER)", []);
  });

  afterEach(async () => {
    await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = async (): Promise<number> =>
    Number((await driver.all("SELECT COUNT(*) AS n FROM t", []))[0]?.["n"]);

  test("a read after a local commit in the same turn sees the write", async () => {
    assert.equal(await count(), 0);
    await driver.run("INSERT INTO t VALUES ('a', 1)", []);
    assert.equal(await count(), 1);
    await driver.transaction(async (conn) => {
      await conn.run("INSERT INTO t VALUES ('b', 2)", []);
    });
    assert.equal(await count(), 2);
  });

  test("a read never sees a transaction that has not committed", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tx = driver.transaction(async (conn) => {
      await conn.run("INSERT INTO t VALUES ('a', 1)", []);
      await held;
    });
    await nextTurn();
    assert.equal(await count(), 0);
    release();
    await tx;
    assert.equal(await count(), 1);
  });

  test("a write by another process is visible from the next turn on", async () => {
    assert.equal(await count(), 0);
    const other = new DatabaseSync(path, { timeout: 5_000 });
    try {
      other.exec("INSERT INTO t VALUES ('x', 9)");
    } finally {
      other.close();
    }
    await nextTurn();
    assert.equal(await count(), 1);
  });

  test("a failing read does not leave the next turn's reads broken", async () => {
    await assert.rejects(driver.all("SELECT * FROM missing_table", []));
    assert.equal(await count(), 0);
    await nextTurn();
    await driver.run("INSERT INTO t VALUES ('a', 1)", []);
    assert.equal(await count(), 1);
  });

  test("the snapshot ends with the turn, so a full checkpoint can complete", async () => {
    for (let i = 0; i < 50; i++) await driver.run("INSERT INTO t VALUES (?, ?)", [`r${i}`, i]);
    assert.equal(await count(), 50);
    await nextTurn();
    const other = new DatabaseSync(path, { timeout: 0 });
    try {
      const row = other.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get();
      assert.equal(row?.["busy"], 0);
    } finally {
      other.close();
    }
  });
});

describe("SQLite driver write lock held by another connection", () => {
  let dir: string;
  let path: string;
  let other: DatabaseSync;
  const drivers: SqlDriver[] = [];

  /** A driver on the test file; closed after the test. */
  function driverFor(busyTimeoutMs: number): SqlDriver {
    const driver = createSqliteDriver({ path, synchronous: "NORMAL", busyTimeoutMs });
    drivers.push(driver);
    return driver;
  }

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "plinth-driver-lock-"));
    path = join(dir, "data.db");
    const setup = createSqliteDriver({ path, synchronous: "NORMAL" });
    await setup.run("CREATE TABLE t (id TEXT PRIMARY KEY, v INTEGER)", []);
    await setup.close();
    // stands in for another process: its own connection, which takes the write lock and holds it
    other = new DatabaseSync(path, { timeout: 0 });
  });

  afterEach(async () => {
    if (other.isTransaction) other.exec("ROLLBACK");
    other.close();
    for (const driver of drivers.splice(0)) await driver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ids = async (driver: SqlDriver): Promise<string[]> =>
    (await driver.all("SELECT id FROM t ORDER BY id", [])).map((r) => String(r["id"]));

  test("a write waits for the lock while the event loop keeps running, then succeeds", async () => {
    const driver = driverFor(60_000);
    other.exec("BEGIN IMMEDIATE");
    other.exec("INSERT INTO t VALUES ('held', 1)");
    let settled = false;
    const write = driver.run("INSERT INTO t VALUES ('waiting', 2)", []).finally(() => {
      settled = true;
    });
    // A blocking wait would run these only after the write had given up.
    await nextTurn();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(await ids(driver), [], "reads are served while the write waits");
    assert.equal(settled, false);
    other.exec("COMMIT");
    await write;
    await nextTurn();
    assert.deepEqual(await ids(driver), ["held", "waiting"]);
  });

  test("a write that never gets the lock fails with SQLITE_BUSY after the timeout, without blocking", async () => {
    const driver = driverFor(200);
    other.exec("BEGIN IMMEDIATE");
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await assert.rejects(driver.run("INSERT INTO t VALUES ('never', 1)", []), (err: unknown) => {
        assert.equal((err as { errcode?: number }).errcode, 5);
        return true;
      });
    } finally {
      clearInterval(timer);
    }
    assert.ok(ticks > 0, "timers fired while the write waited");
    other.exec("ROLLBACK");
    await driver.run("INSERT INTO t VALUES ('later', 1)", []);
    await nextTurn();
    assert.deepEqual(await ids(driver), ["later"], "the failed wait left the writer usable");
  });

  test("the store answers a write that never gets the lock with unavailable (503)", async () => {
    const store = createSqliteStore({ path, synchronous: "NORMAL", busyTimeoutMs: 100 });
    try {
      other.exec("BEGIN IMMEDIATE");
      await assert.rejects(
        store.transaction(async () => undefined),
        (err: unknown) => err instanceof PlinthError && err.code === "unavailable",
      );
    } finally {
      await store.close();
    }
  });

  test("two connections whose transactions hold the lock across turns both commit every write", async () => {
    const a = driverFor(60_000);
    const b = driverFor(60_000);
    const writes = (driver: SqlDriver, name: string) =>
      Array.from({ length: 20 }, (_, i) =>
        driver.transaction(async (conn) => {
          await conn.run("INSERT INTO t VALUES (?, ?)", [`${name}${String(i).padStart(2, "0")}`, i]);
          // keeps the write lock through a timer, as a transaction awaiting other work would
          await new Promise((resolve) => setTimeout(resolve, 1));
        }),
      );
    await Promise.all([...writes(a, "a"), ...writes(b, "b")]);
    await nextTurn();
    const stored = await ids(a);
    assert.equal(stored.length, 40);
    assert.deepEqual(await ids(b), stored);
  });
});
