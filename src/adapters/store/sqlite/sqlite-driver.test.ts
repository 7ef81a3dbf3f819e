import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, test } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { SqlDriver } from "../sql/sql-driver.ts";
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
