// The PostgreSQL driver's statement naming: repeated texts are prepared once per connection by name;
// one-off texts (realtime checks built for the subscribers of the moment) never take a name.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { postgresForTests } from "../../../../test/support/postgres.ts";
import type { SqlDriver } from "../sql/sql-driver.ts";
import { createPostgresDriver } from "./postgres-driver.ts";

const url = await postgresForTests("the PostgreSQL driver tests");

describe("PostgreSQL driver statements", { skip: url === undefined }, () => {
  let driver: SqlDriver;
  before(() => {
    driver = createPostgresDriver({ url: url! });
  });
  after(() => driver.close());

  test("a repeated statement is prepared by name; a one-off one is not", async () => {
    const prepared = await driver.transaction(async (conn) => {
      await conn.all("SELECT $1::int + 1 AS named_probe", [1]);
      await conn.all("SELECT $1::int + 2 AS one_off_probe", [1], { oneOff: true });
      return conn.all("SELECT statement FROM pg_prepared_statements", []);
    });
    const texts = prepared.map((r) => String(r["statement"]));
    assert.ok(
      texts.some((t) => t.includes("named_probe")),
      JSON.stringify(texts),
    );
    assert.ok(!texts.some((t) => t.includes("one_off_probe")), JSON.stringify(texts));
  });
});
