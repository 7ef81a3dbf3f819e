import { randomBytes } from "node:crypto";
import pg from "pg";

/** The default for BENCH_POSTGRES: the machine's PostgreSQL, database `test`. */
export const DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";

/** A schema of its own on the bench database; connections through `url` use it (search_path). */
export interface BenchSchema {
  readonly name: string;
  readonly url: string;
  /** Drops the schema and everything in it (only this schema). */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: 5_000,
    application_name: "plinth-bench",
  });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Connects and asks for the server's version; says why when PostgreSQL is not usable. */
export async function probePostgres(
  url: string,
): Promise<
  { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string }
> {
  try {
    const r = await withClient(url, (c) =>
      c.query<{ v: string }>("SELECT current_setting('server_version') AS v"),
    );
    return { ok: true, version: `PostgreSQL ${r.rows[0]?.v ?? "?"}` };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    return { ok: false, reason: [e.code, e.message].filter(Boolean).join(" ") || String(err) };
  }
}

/** The URL without credentials, for the report. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(unparsable URL)";
  }
}

/**
 * Creates `plinth_bench_<random>` on `baseUrl` and returns a URL whose connections use it through
 * `options=-c search_path=…` (what Plinth's own PostgreSQL tests do, test/support/test-server.ts).
 */
export async function createBenchSchema(baseUrl: string): Promise<BenchSchema> {
  const name = `plinth_bench_${randomBytes(6).toString("hex")}`;
  await withClient(baseUrl, (c) => c.query(`CREATE SCHEMA "${name}"`));
  const url = new URL(baseUrl);
  const options = url.searchParams.get("options");
  url.searchParams.set("options", `${options ? `${options} ` : ""}-c search_path=${name}`);
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withClient(baseUrl, (c) => c.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`));
    },
  };
}

/**
 * Freshens the planner statistics and visibility map of the seeded tables, so neither server runs while
 * autovacuum catches up with the seeding and both get the same plans.
 */
export async function vacuumAnalyze(url: string, tables: readonly string[]): Promise<void> {
  await withClient(url, async (c) => {
    for (const t of tables) await c.query(`VACUUM ANALYZE "${t.replaceAll('"', '""')}"`);
  });
}

/**
 * Removes the rows the create case added to `posts` (seeded titles are never "bench") and vacuums, so the
 * next server's create case starts from the same table as the first one's.
 */
export async function removeCreatedPosts(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const r = await c.query(`DELETE FROM "posts" WHERE "title" = 'bench'`);
    await c.query(`VACUUM ANALYZE "posts"`);
    return r.rowCount ?? 0;
  });
}
