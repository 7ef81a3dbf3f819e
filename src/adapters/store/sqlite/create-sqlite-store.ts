import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Store } from "../../../core/ports.ts";
import type { SqlSchemaDialect } from "../sql/dialect.ts";
import { journalTableStatements } from "../sql/sql-journal.ts";
import { createSqlStore } from "../sql/sql-store.ts";
import { createSqliteDriver, type SqliteDriverOptions } from "./sqlite-driver.ts";
import { sqliteDialect } from "./sqlite-dialect.ts";
import { sqliteSyncStatements } from "./sqlite-schema-sync.ts";

/** SQLite's DDL side of the shared SQL store. */
export const sqliteSchema: SqlSchemaDialect = {
  syncStatements: sqliteSyncStatements,
  systemTableStatements: () => [
    `CREATE TABLE IF NOT EXISTS "_collections" ("id" TEXT PRIMARY KEY NOT NULL, "name" TEXT NOT NULL UNIQUE COLLATE NOCASE, "type" TEXT NOT NULL, "definition" JSON NOT NULL, "created" TEXT NOT NULL, "updated" TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS "_params" ("key" TEXT PRIMARY KEY NOT NULL, "value" JSON)`,
    ...journalTableStatements("INTEGER"),
  ],
  schemaLockStatements: () => [],
  viewsPinTables: false,
  classifyError(err) {
    const e = err as { errcode?: number; message?: string };
    const message = typeof e?.message === "string" ? e.message : "";
    // SQLITE_CONSTRAINT_UNIQUE (2067) / PRIMARYKEY (1555): "UNIQUE constraint failed: t.a, t.b"
    if (e?.errcode === 2067 || e?.errcode === 1555 || message.includes("UNIQUE constraint failed")) {
      const cols = /UNIQUE constraint failed: (.*)$/.exec(message)?.[1] ?? "";
      const columns = cols
        .split(",")
        .map((c) => c.trim().split(".").pop() ?? "")
        .filter(Boolean);
      return { kind: "unique", table: cols.split(".")[0]?.trim() ?? "", columns };
    }
    if (e?.errcode === 5 || e?.errcode === 6 || /database is (locked|busy)/.test(message))
      return { kind: "busy" };
    return { kind: "other" };
  },
};

/** The embedded store: an SQLite file in WAL mode through node:sqlite. */
export function createSqliteStore(options: SqliteDriverOptions): Store {
  if (options.path !== ":memory:") mkdirSync(dirname(options.path), { recursive: true });
  return createSqlStore({
    driver: createSqliteDriver(options),
    dialect: sqliteDialect,
    schema: sqliteSchema,
  });
}
