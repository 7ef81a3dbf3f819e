import pg from "pg";

/** The PostgreSQL the tests use (the machine's own; override with PLINTH_TEST_PG). */
export const TEST_POSTGRES_URL = process.env["PLINTH_TEST_PG"] || "postgres://postgres@127.0.0.1:5432/test";

/**
 * Resolves to the test database URL when PostgreSQL answers. When it does not, tests skip with a
 * message on a laptop, but in CI (CI=true) a missing PostgreSQL is a failure.
 */
export async function postgresForTests(what: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return TEST_POSTGRES_URL;
  } catch (err) {
    if (process.env["CI"] === "true")
      throw new Error(`PostgreSQL is required in CI for ${what}: ${(err as Error).message}`);
    process.stderr.write(`skipping ${what}: PostgreSQL at ${TEST_POSTGRES_URL} is not reachable\n`);
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A new, empty PostgreSQL schema on `base`, a URL whose connections use it, and its drop. */
export async function freshPostgresSchema(base: string): Promise<{ url: string; drop(): Promise<void> }> {
  const { randomBytes } = await import("node:crypto");
  const name = `plinth_t_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${name}`);
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}
