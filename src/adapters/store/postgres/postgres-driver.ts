import { AsyncLocalStorage } from "node:async_hooks";
import { createHash } from "node:crypto";
import pg from "pg";
import { PlinthError } from "../../../core/errors.ts";
import type { SqlConnection, SqlDriver, StatementOptions } from "../sql/sql-driver.ts";

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

// How much longer than the server's statement_timeout the driver waits for an answer before it gives
// the connection up as dead. The server cancels a slow statement itself; this catches a connection
// that stopped answering at all (a network partition), which would otherwise hang a request forever.
const READ_TIMEOUT_MARGIN_MS = 2_000;
// Node's timers hold a signed 32-bit count of milliseconds; a longer one would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

// Errors that say the database could not be reached, or the connection to it broke: refused, reset,
// timed out, terminated by an administrator or a crash, no more connection slots, the whole 08 class.
const UNREACHABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);
const UNREACHABLE_ERRNOS = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
]);
// What pg and pg-pool say when a connection could not be opened or broke while in use.
const UNREACHABLE_MESSAGES =
  /Connection terminated|Query read timeout|not queryable|timeout expired|Connection ended unexpectedly/i;
// Errors that say the database is there but could not do this in time: a statement or lock timeout,
// a serialization failure or deadlock, or no pooled connection freed up within the acquire timeout.
const BUSY_SQLSTATES = new Set(["57014", "55P03", "40001", "40P01"]);
const BUSY_MESSAGES = /timeout exceeded when trying to connect/i;

/**
 * Whether `err` (or an error it wraps) is a transient failure of the database rather than of the SQL:
 * `unreachable` when the connection could not be made or broke, `busy` when the database did not manage
 * in time. Either is worth a retry, so both become 503 `unavailable`; anything else is undefined.
 */
export function transientFailure(err: unknown): "unreachable" | "busy" | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === "string") {
      if (UNREACHABLE_SQLSTATES.has(code) || code.startsWith("08") || UNREACHABLE_ERRNOS.has(code))
        return "unreachable";
      if (BUSY_SQLSTATES.has(code)) return "busy";
    }
    if (typeof message === "string") {
      if (UNREACHABLE_MESSAGES.test(message)) return "unreachable";
      if (BUSY_MESSAGES.test(message)) return "busy";
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

const TRANSIENT_MESSAGES: Readonly<Record<"unreachable" | "busy", string>> = {
  unreachable: "The database is unavailable, please retry.",
  busy: "The database is busy, please retry.",
};

/** A transient driver failure as the 503 clients see (the driver's own text stays in `cause`); else `err`. */
function translateTransient(err: unknown): unknown {
  if (err instanceof PlinthError) return err;
  const kind = transientFailure(err);
  return kind === undefined ? err : new PlinthError("unavailable", TRANSIENT_MESSAGES[kind], { cause: err });
}

/** PostgreSQL through `pg`: a bounded pool, transactions pinned to one client, named prepared statements. */
export function createPostgresDriver(options: PostgresDriverOptions): SqlDriver & { pool: pg.Pool } {
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // bounds both the wait for a free pooled connection and the opening of a new one
    connectionTimeoutMillis: options.acquireTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? "plinth",
    statement_timeout: statementTimeoutMs,
    query_timeout: Math.min(statementTimeoutMs + READ_TIMEOUT_MARGIN_MS, MAX_TIMER_MS),
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
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

  /** Runs one statement; a transient failure comes out as PlinthError `unavailable`, never as pg's text. */
  async function query(
    on: Queryable,
    sql: string,
    params: readonly unknown[],
    options: StatementOptions = {},
  ): Promise<pg.QueryResult> {
    try {
      return await send(on, sql, params, options);
    } catch (err) {
      throw translateTransient(err);
    }
  }

  async function send(
    on: Queryable,
    sql: string,
    params: readonly unknown[],
    options: StatementOptions,
  ): Promise<pg.QueryResult> {
    const name = params.length > 0 && options.oneOff !== true ? nameOf(sql) : undefined;
    if (name === undefined) return on.query(sql, params as unknown[]);
    try {
      return await on.query({ name, text: sql, values: params as unknown[] });
    } catch (err) {
      if (!isStalePlan(err)) throw err;
      // Another instance changed the schema under a prepared statement. Outside a transaction the
      // query simply runs again under a fresh name. Inside one the transaction is already aborted, and
      // running the caller's work again here could repeat its side effects: ask the client to retry.
      forgetStatements();
      if (on !== pool) {
        throw new PlinthError("unavailable", "The collection changed while this request ran; please retry.", {
          cause: err,
        });
      }
      return on.query(sql, params as unknown[]);
    }
  }

  /** PostgreSQL's "cached plan must not change result type" (0A000 also covers unrelated features). */
  function isStalePlan(err: unknown): boolean {
    const e = err as { code?: unknown; message?: unknown };
    return e.code === "0A000" && /cached plan must not change result type/.test(String(e.message));
  }

  function connection(client: pg.PoolClient): SqlConnection {
    return {
      async all(sql, params, options) {
        return (await query(client, sql, params, options)).rows as Record<string, unknown>[];
      },
      async run(sql, params) {
        return (await query(client, sql, params)).rowCount ?? 0;
      },
    };
  }

  async function transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    const current = inTransaction.getStore();
    if (current !== undefined) return fn(connection(current));
    return transactionOnce(fn);
  }

  async function transactionOnce<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw translateTransient(err);
    }
    let broken = false;
    try {
      await query(client, "BEGIN", []);
      const result = await inTransaction.run(client, () => fn(connection(client)));
      await query(client, "COMMIT", []);
      return result;
    } catch (err) {
      if (transientFailure(err) === "unreachable") {
        // The connection broke or stopped answering: PostgreSQL rolls back when the session ends, and
        // a ROLLBACK sent now would only wait for another read timeout.
        broken = true;
      } else {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true; // the connection is gone; do not return it to the pool
        }
      }
      throw translateTransient(err);
    } finally {
      client.release(broken);
    }
  }

  return {
    pool,
    async all(sql, params, options) {
      const on = inTransaction.getStore() ?? pool;
      return (await query(on, sql, params, options)).rows as Record<string, unknown>[];
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
