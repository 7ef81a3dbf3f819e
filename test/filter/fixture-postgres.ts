// Builds the filter fixture (test/data/filter-expressions.json) on PostgreSQL, in a schema of its own.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { postgresDialect } from "../../src/adapters/store/postgres/postgres-dialect.ts";
import { POSTGRES_FUNCTIONS } from "../../src/adapters/store/postgres/postgres-functions.ts";
import { postgresSyncStatements } from "../../src/adapters/store/postgres/postgres-schema-sync.ts";
import { collections, fixture } from "./fixture-db.ts";

/** A connection whose search_path is a fresh schema holding the fixture; `drop()` removes it. */
export async function createPostgresFixture(
  url: string,
): Promise<{ client: pg.Client; drop(): Promise<void> }> {
  const schemaName = `plinth_fx_${randomBytes(5).toString("hex")}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE SCHEMA "${schemaName}"; SET search_path TO "${schemaName}"`);
  for (const sql of POSTGRES_FUNCTIONS) await client.query(sql);
  for (const c of collections) {
    for (const sql of postgresSyncStatements(null, c)) await client.query(sql);
    for (const r of fixture.records[c.name] ?? []) {
      const fields = c.fields.filter((f) => f.name in r);
      await client.query(
        `INSERT INTO "${c.name}" (${fields.map((f) => `"${f.name}"`).join(", ")}) VALUES (${fields.map((_, i) => `$${i + 1}`).join(", ")})`,
        fields.map((f) => postgresDialect.encodeValue(f, r[f.name])),
      );
    }
  }
  return {
    client,
    async drop() {
      await client.query(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
      await client.end();
    },
  };
}
