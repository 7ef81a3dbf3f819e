import { AsyncLocalStorage } from "node:async_hooks";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { setTimeout as sleep } from "node:timers/promises";
import type { SqlConnection, SqlDriver, StatementOptions } from "../sql/sql-driver.ts";

/** Options for the embedded SQLite driver. */
export interface SqliteDriverOptions {
  /** Database file path, or ":memory:". */
  readonly path: string;
  /** `NORMAL` survives a killed process; `FULL` also survives a power cut. */
  readonly synchronous: "NORMAL" | "FULL";
  /**
   * How long a write waits for another process's write lock before failing with SQLITE_BUSY (ms;
   * default 10 s). The wait never blocks the event loop.
   */
  readonly busyTimeoutMs?: number;
}

const STATEMENT_CACHE_LIMIT = 500;
/**
 * One-off statements (see StatementOptions) are kept apart, the most recently used few: a realtime
 * check repeats its text while the subscribers stay the same, and preparing a large one for every
 * event costs more than running it, but its texts must not push out the main cache's.
 */
const ONE_OFF_CACHE_LIMIT = 16;
const DEFAULT_BUSY_TIMEOUT_MS = 10_000;
/** Bounds of the pause between two tries for the write lock (ms); the pause doubles up to the cap. */
const LOCK_RETRY_MIN_MS = 1;
const LOCK_RETRY_MAX_MS = 16;

/** SQLITE_BUSY or one of its extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT). */
function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === "number" && (code & 0xff) === 5;
}

/**
 * Runs `attempt` until it stops failing with SQLITE_BUSY, pausing on a timer between tries, and
 * rethrows the busy error once `timeoutMs` has passed.
 *
 * Why not SQLite's own busy timeout: its wait is a sleep loop inside the call, which stalls the
 * whole process — every request of this worker — for as long as another process holds the lock.
 * The pause is jittered so processes that wait together do not retry in lockstep.
 */
async function retryWhileBusy(attempt: () => void, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (let pause = LOCK_RETRY_MIN_MS; ; pause = Math.min(pause * 2, LOCK_RETRY_MAX_MS)) {
    try {
      attempt();
      return;
    } catch (err) {
      if (!isBusy(err) || performance.now() >= deadline) throw err;
    }
    await sleep(pause / 2 + Math.random() * (pause / 2));
  }
}

/** A connection plus bounded prepared-statement caches (least recently used out). */
class Connection implements SqlConnection {
  readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();
  private readonly oneOffStatements = new Map<string, StatementSync>();

  constructor(db: DatabaseSync) {
    this.db = db;
  }

  /** A statement from `cache` (least recently used out past `limit`), prepared when missing. */
  private prepareIn(cache: Map<string, StatementSync>, limit: number, sql: string): StatementSync {
    let stmt = cache.get(sql);
    if (stmt !== undefined) cache.delete(sql);
    else {
      stmt = this.db.prepare(sql);
      if (cache.size >= limit) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
    }
    cache.set(sql, stmt);
    return stmt;
  }

  private prepare(sql: string): StatementSync {
    return this.prepareIn(this.statements, STATEMENT_CACHE_LIMIT, sql);
  }

  allSync(
    sql: string,
    params: readonly unknown[],
    options: StatementOptions = {},
  ): Record<string, unknown>[] {
    const stmt =
      options.oneOff === true
        ? this.prepareIn(this.oneOffStatements, ONE_OFF_CACHE_LIMIT, sql)
        : this.prepare(sql);
    return stmt.all(...(params as SQLInputValue[])) as Record<string, unknown>[];
  }

  runSync(sql: string, params: readonly unknown[]): number {
    if (params.length === 0 && !this.statements.has(sql) && /;\s*\S/.test(sql)) {
      // Multi-statement DDL (never with values) goes through exec.
      this.db.exec(sql);
      return 0;
    }
    return Number(this.prepare(sql).run(...(params as SQLInputValue[])).changes);
  }

  async all(
    sql: string,
    params: readonly unknown[],
    options?: StatementOptions,
  ): Promise<Record<string, unknown>[]> {
    return this.allSync(sql, params, options);
  }

  async run(sql: string, params: readonly unknown[]): Promise<number> {
    return this.runSync(sql, params);
  }
}

function open(path: string, options: SqliteDriverOptions): DatabaseSync {
  const db = new DatabaseSync(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec(`PRAGMA synchronous = ${options.synchronous}`);
  db.exec("PRAGMA foreign_keys = OFF");
  db.exec("PRAGMA temp_store = MEMORY");
  db.exec("PRAGMA cache_size = -16000");
  return db;
}

/**
 * Reads on the reader connection share one read transaction per event-loop turn.
 *
 * Why: outside a transaction every SELECT opens and closes its own read transaction, which costs
 * two `fcntl` lock calls and an `fstat` — about 2.5 µs, more than the primary-key lookup itself.
 * Sharing the snapshot among the reads of one turn removes that cost from all but the first.
 *
 * Why it stays correct:
 * - a commit on this process's writer ends the snapshot, so a request always reads its own and
 *   every earlier in-process write;
 * - the snapshot ends in the check phase (`setImmediate`), right after the poll phase whose
 *   I/O it served, so it is never older than the `epoll` wake-up that delivered the requests it
 *   serves: a write another process acknowledged before a client sent its request is visible.
 */
class ReadSnapshot {
  private readonly conn: Connection;
  private endScheduled = false;

  constructor(conn: Connection) {
    this.conn = conn;
  }

  /** Makes sure the reader is inside a read transaction that ends with this turn. */
  enter(): void {
    if (this.conn.db.isTransaction) return;
    this.conn.db.exec("BEGIN");
    if (!this.endScheduled) {
      this.endScheduled = true;
      setImmediate(this.endOnSchedule);
    }
  }

  /** Ends the snapshot now (after a local commit, or before closing). */
  end(): void {
    // A failed statement may already have rolled the transaction back.
    if (this.conn.db.isOpen && this.conn.db.isTransaction) this.conn.db.exec("COMMIT");
  }

  private readonly endOnSchedule = (): void => {
    this.endScheduled = false;
    this.end();
  };
}

/**
 * SQLite through `node:sqlite`: one writer connection whose transactions are serialized by a
 * queue, and a separate reader connection so reads never see another request's uncommitted
 * transaction.
 *
 * Every write transaction starts with BEGIN IMMEDIATE, so it holds the database's write lock from
 * its first statement: no statement inside it can then fail on another process's write, and no
 * reader ever sees half of it. The writer's own busy timeout is 0 and a lock held by another
 * process is waited for on timers (`retryWhileBusy`), so this process keeps serving meanwhile.
 * The reader keeps SQLite's busy timeout: in WAL, readers never wait for writers; what waits are
 * left (another connection recovering the WAL index after a crash, say) are rare and short.
 */
export function createSqliteDriver(options: SqliteDriverOptions): SqlDriver {
  const memory = options.path === ":memory:";
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const writer = new Connection(open(options.path, options));
  // set after open: the journal_mode switch at start-up may wait for another process, synchronously
  writer.db.exec("PRAGMA busy_timeout = 0");
  const reader = memory ? writer : new Connection(open(options.path, options));
  const snapshot = reader === writer ? undefined : new ReadSnapshot(reader);
  const inTransaction = new AsyncLocalStorage<Connection>();
  let queue: Promise<unknown> = Promise.resolve();

  async function transaction<T>(fn: (conn: SqlConnection) => Promise<T>): Promise<T> {
    const current = inTransaction.getStore();
    if (current !== undefined) return fn(current);
    const run = async (): Promise<T> => {
      await retryWhileBusy(() => writer.db.exec("BEGIN IMMEDIATE"), busyTimeoutMs);
      let result: T;
      try {
        result = await inTransaction.run(writer, () => fn(writer));
        // With the write lock held, COMMIT has nothing to wait for in WAL (a checkpoint after it is
        // passive and cannot fail it); should it ever be busy, the transaction stays open and a
        // later COMMIT may succeed, so it is retried the same way.
        await retryWhileBusy(() => writer.db.exec("COMMIT"), busyTimeoutMs);
      } catch (err) {
        if (writer.db.isTransaction) writer.db.exec("ROLLBACK");
        throw err;
      }
      snapshot?.end();
      return result;
    };
    const result = queue.then(run, run);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    async all(sql, params, options) {
      const current = inTransaction.getStore();
      if (current !== undefined) return current.allSync(sql, params, options);
      snapshot?.enter();
      return reader.allSync(sql, params, options);
    },
    async run(sql, params) {
      const current = inTransaction.getStore();
      if (current !== undefined) return current.runSync(sql, params);
      return transaction(async (conn) => conn.run(sql, params));
    },
    transaction,
    async close() {
      await queue;
      snapshot?.end();
      if (reader !== writer) reader.db.close();
      writer.db.close();
    },
  };
}
