import type { JournalEntry, JournaledEvent } from "../../../core/ports.ts";
import type { SqlDialect } from "./dialect.ts";
import type { SqlConnection, SqlDriver } from "./sql-driver.ts";

/**
 * The event journal's tables, the same on every SQL database. `_event_seq` holds the last sequence
 * number handed out; taking the next one updates its single row, which locks it until the writing
 * transaction ends. So numbers are handed out in commit order and a rolled-back write hands its
 * numbers back: the committed sequence has no gaps, and whoever sees number n can read 1…n-1.
 */
export function journalTableStatements(bigint: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS "_events" ("seq" ${bigint} PRIMARY KEY NOT NULL, "at" ${bigint} NOT NULL, "action" TEXT NOT NULL, "collectionId" TEXT NOT NULL, "recordId" TEXT NOT NULL, "row" TEXT NOT NULL)`,
    `CREATE INDEX IF NOT EXISTS "_events_at" ON "_events" ("at")`,
    `CREATE TABLE IF NOT EXISTS "_event_seq" ("id" INTEGER PRIMARY KEY NOT NULL, "seq" ${bigint} NOT NULL)`,
    `INSERT INTO "_event_seq" ("id", "seq") VALUES (1, 0) ON CONFLICT DO NOTHING`,
  ];
}

/** Appends entries inside the caller's transaction; returns the sequence number of the first. */
export async function appendJournal(
  conn: SqlConnection | SqlDriver,
  dialect: SqlDialect,
  entries: readonly JournalEntry[],
): Promise<number> {
  if (entries.length === 0) return 0;
  const p = (i: number) => dialect.placeholder(i);
  // the last statement of the write before COMMIT, so the row lock is held as briefly as possible
  const rows = await conn.all(
    `UPDATE "_event_seq" SET "seq" = "seq" + ${p(1)} WHERE "id" = 1 RETURNING "seq"`,
    [entries.length],
  );
  const last = Number(rows[0]?.["seq"]);
  const first = last - entries.length + 1;
  for (const [i, e] of entries.entries()) {
    await conn.run(
      `INSERT INTO "_events" ("seq", "at", "action", "collectionId", "recordId", "row") VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)})`,
      [first + i, e.at, e.action, e.collectionId, e.recordId, JSON.stringify(e.row)],
    );
  }
  return first;
}

/** Entries after `afterSeq`, oldest first, at most `limit`. */
export async function readJournal(
  driver: SqlDriver,
  dialect: SqlDialect,
  afterSeq: number,
  limit: number,
): Promise<JournaledEvent[]> {
  const rows = await driver.all(
    `SELECT * FROM "_events" WHERE "seq" > ${dialect.placeholder(1)} ORDER BY "seq" LIMIT ${dialect.placeholder(2)}`,
    [afterSeq, limit],
  );
  return rows.map((r) => ({
    seq: Number(r["seq"]),
    at: Number(r["at"]),
    action: r["action"] as JournaledEvent["action"],
    collectionId: String(r["collectionId"]),
    recordId: String(r["recordId"]),
    row: JSON.parse(String(r["row"])) as JournaledEvent["row"],
  }));
}

/** The oldest sequence number still kept (last + 1 when none is) and the last one handed out. */
export async function journalBounds(driver: SqlDriver): Promise<{ first: number; last: number }> {
  const rows = await driver.all(
    `SELECT (SELECT "seq" FROM "_event_seq" WHERE "id" = 1) AS "last", (SELECT MIN("seq") FROM "_events") AS "first"`,
    [],
  );
  const last = Number(rows[0]?.["last"] ?? 0);
  const first = rows[0]?.["first"];
  return { first: first === null || first === undefined ? last + 1 : Number(first), last };
}

/** Forgets entries older than `beforeAt` (ms since the epoch) and all but the newest `keepLast`. */
export async function pruneJournal(
  driver: SqlDriver,
  dialect: SqlDialect,
  beforeAt: number,
  keepLast: number,
): Promise<void> {
  // two statements, so each can use its index (the primary key, and "at")
  await driver.run(`DELETE FROM "_events" WHERE "at" < ${dialect.placeholder(1)}`, [beforeAt]);
  await driver.run(
    `DELETE FROM "_events" WHERE "seq" <= (SELECT "seq" FROM "_event_seq" WHERE "id" = 1) - ${dialect.placeholder(1)}`,
    [keepLast],
  );
}
