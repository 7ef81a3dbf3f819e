import { randomBytes } from "node:crypto";
import pg from "pg";

/** A new, empty PostgreSQL schema, a URL whose connections write into it, and a client to look inside. */
export interface TestSchema {
  readonly name: string;
  readonly url: string;
  /** Runs SQL with the schema first on the search_path. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** Names of the tables, views and other relations in the schema (indexes excluded). */
  relations(): Promise<string[]>;
  drop(): Promise<void>;
}

/** Creates a fresh schema on `base` (dropped by `drop()`), so each test copies into its own empty target. */
export async function freshSchema(base: string): Promise<TestSchema> {
  const name = `plinth_copy_${randomBytes(6).toString("hex")}`;
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${name}`);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  await client.query(`CREATE SCHEMA "${name}"`);
  const query = async (sql: string, params: unknown[] = []) =>
    (await client.query(sql, params)).rows as Record<string, unknown>[];
  return {
    name,
    url: url.toString(),
    query,
    async relations() {
      const rows = await query(
        `SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind NOT IN ('i', 'I', 't') ORDER BY c.relname`,
        [name],
      );
      return rows.map((r) => String(r["relname"]));
    },
    async drop() {
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
