import assert from "node:assert/strict";
import pg from "pg";

/** A transaction of the test's own holding an exclusive lock on a table, so other sessions' statements wait. */
export interface TableLock {
  /** Resolves once `n` sessions are waiting on this lock (a bounded poll of pg_blocking_pids). */
  waiters(n: number): Promise<void>;
  /** Ends the sessions waiting on this lock, as an administrator would (pg_terminate_backend). */
  terminateWaiters(): Promise<number>;
  /** Commits, so the waiting statements go on; safe to call twice. */
  release(): Promise<void>;
}

/** Locks `table` (ACCESS EXCLUSIVE: reads and writes wait) on the database at `url` until released. */
export async function lockTable(url: string, table: string): Promise<TableLock> {
  const holder = new pg.Client({ connectionString: url });
  // pg_stat_activity is read once per transaction, so the waiters are counted from outside the lock's
  const observer = new pg.Client({ connectionString: url });
  await holder.connect();
  await observer.connect();
  await holder.query("BEGIN");
  await holder.query(`LOCK TABLE ${holder.escapeIdentifier(table)} IN ACCESS EXCLUSIVE MODE`);
  const pid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
  let released = false;
  return {
    async waiters(n) {
      for (let attempt = 0; attempt < 400; attempt++) {
        const { rows } = await observer.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
          [pid],
        );
        if (rows[0]!.n >= n) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.fail(`${n} sessions never waited on the test's lock on ${table}`);
    },
    async terminateWaiters() {
      // two steps on purpose: in one statement PostgreSQL may call pg_terminate_backend before the
      // filter, on every session it can see
      const { rows } = await observer.query<{ pid: number }>(
        "SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))",
        [pid],
      );
      for (const row of rows) await observer.query("SELECT pg_terminate_backend($1)", [row.pid]);
      return rows.length;
    },
    async release() {
      if (released) return;
      released = true;
      try {
        await holder.query("COMMIT");
      } finally {
        await holder.end();
        await observer.end();
      }
    },
  };
}
