import { existsSync } from "node:fs";
import type { Store } from "../../../core/ports.ts";
import { createSqlStore } from "../sql/sql-store.ts";
import { sqliteSchema } from "./create-sqlite-store.ts";
import { sqliteDialect } from "./sqlite-dialect.ts";
import { createSqliteDriver } from "./sqlite-driver.ts";

/** An embedded deployment's SQLite file opened for `plinth copy` to read. */
export interface SqliteCopySource {
  readonly store: Store;
  /** Every `_params` key (settings and whatever else is kept there); inside `store.transaction`, from its snapshot. */
  paramKeys(): Promise<string[]>;
}

/**
 * Opens an existing SQLite file for reading, or returns null when there is none (opening a missing
 * file would create an empty database). Nothing is written to it: no `init()`, no schema change.
 */
export function openSqliteCopySource(path: string): SqliteCopySource | null {
  if (!existsSync(path)) return null;
  const driver = createSqliteDriver({ path, synchronous: "NORMAL" });
  const store = createSqlStore({ driver, dialect: sqliteDialect, schema: sqliteSchema });
  return {
    store,
    async paramKeys() {
      const rows = await driver.all(`SELECT "key" FROM "_params" ORDER BY "key"`, []);
      return rows.map((r) => String(r["key"]));
    },
  };
}
