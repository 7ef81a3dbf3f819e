import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import pg from "pg";
import type { SqlConnection, SqlDriver } from "../sql/sql-driver.ts";

/** Options for the PostgreSQL driver. */
export interface PostgresDriverOptions {
  readonly url: string;
  /** Most connections this process holds. */
  readonly poolSize?: number;
  /** How long a request waits for a free connection before failing with 503 (ms). */
  readonly acquireTimeoutMs?: number;
  /** Server-side limit for one statement (ms). */
  readonly statementTimeoutMs?: number;
  /** Reported in pg_stat_activity. */
  readonly applicationName?: string;
  /** Called for errors of idle pooled connections (they are dropped and replaced). */
  readonly onIdleError?: (err: Error) => void;
}

// Named statements are prepared once per connection and then only bound and executed, which measured
// ~40 % faster than unnamed ones for primary-key reads. Filters make SQL text open-ended, so only a
// bounded number of distinct texts get a name; the rest run unnamed.
const NAMED_STATEMENT_LIMIT = 1_000;

type Queryable = pg.Pool | pg.PoolClient;

/** PostgreSQL through `pg`: a bounded pool, transactions pinned to one client, named prepared statements. */
export function createPostgresDriver(options: PostgresDriverOptions): SqlDriver & { pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? "plinth",
    statement_timeout: options.statementTimeoutMs ?? 30_000,
  });
  pool.on("error", (err) => options.onIdleError?.(err));
  const names = new Map<string, string>();
  // Bumped when the schema changes: a prepared `SELECT *` whose table was rebuilt cannot run again.
  let generation = 0;
  const inTransaction = new AsyncLocalStorage<pg.PoolClient>();

  function nameOf(sql: string): string | undefined {
    let name = names.get(sql);
    if (name === undefined && names.size < NAMED_STATEMENT_LIMIT) {
      name = `plinth_${generation}_${createHash("sha1").update(sql).digest("hex").slice(0, 24)}`;
      names.set(sql, name);
    }
    return name;
  }

  function forgetStatements(): void {
    generation++;
    names.clear();
  }

  async function query(on: Queryable, sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    const name = params.length > 0 ? nameOf(sql) : undefined;
    if (name === undefined) return on.query(sql, params as unknown[]);
    try {
      return await on.query({ name, text: sql, values: params as unknown[] });
    } catch (err) {
      // Another instance changed the schema under a prepared statement. Outside a transaction the
      // query can simply run again under a fresh name; inside one the transaction is already aborted.
      if ((err as { code?: string }).code !== "0A000") throw err;
      forgetStatements();
      if (on !== pool) throw err;
      return on.query(sql, params as unknown[]);
    }
  }

  /** Whether `err`, or an error it wraps, is PostgreSQL's "cached plan must not change result type". */
  function isStalePlan(err: unknown): boolean {
    for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
      if ((e as { code?: unknown }).code === "0A000") return true;
      e = (e as { cause?: unknown }).cause;
    }
    return false;
  }

  function connection(client: pg.PoolClient): SqlConnection {
    return {
      async all(sql, params) {
        return (await query(client, sql, params)).rows as Record<string, unknown>[];
      },
      async run(sql, params) {
        return (await query(client, sql, params)).rowCount ?? 0;
      },
    };
  }

  async function transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    const current = inTransaction.getStore();
    if (current !== undefined) return fn(connection(current));
    try {
      return await transactionOnce(fn);
    } catch (err) {
      // A prepared statement went stale inside the transaction (another instance changed the schema
      // just now): the transaction rolled back, `query` already renamed the statements, so run it again.
      if (!isStalePlan(err)) throw err;
      return transactionOnce(fn);
    }
  }

  async function transactionOnce<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query("BEGIN");
      const result = await inTransaction.run(client, () => fn(connection(client)));
      await client.query("COMMIT");
      return result;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch {
        broken = true; // the connection is gone; do not return it to the pool
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  return {
    pool,
    async all(sql, params) {
      const on = inTransaction.getStore() ?? pool;
      return (await query(on, sql, params)).rows as Record<string, unknown>[];
    },
    async run(sql, params) {
      const on = inTransaction.getStore() ?? pool;
      return (await query(on, sql, params)).rowCount ?? 0;
    },
    transaction,
    schemaChanged: forgetStatements,
    async close() {
      await pool.end();
    },
  };
}
