import type { Store } from "../../../core/ports.ts";
import { createSqlStore } from "../sql/sql-store.ts";
import { postgresSchema } from "./create-postgres-store.ts";
import { postgresDialect } from "./postgres-dialect.ts";
import { createPostgresDriver, type PostgresDriverOptions } from "./postgres-driver.ts";
import { SCHEMA_LOCK_KEY } from "./postgres-functions.ts";

/** What the schema `plinth copy` would write into already holds. */
export interface PostgresTargetContents {
  /** The schema new tables go to (the first existing schema on the search_path); null when none exists. */
  readonly schema: string | null;
  /** Tables, views, sequences and other relations already in that schema (indexes excluded), by name. */
  readonly relations: readonly string[];
}

/** A PostgreSQL store opened as the target of `plinth copy`. */
export interface PostgresCopyTarget {
  readonly store: Store;
  /**
   * Call inside `store.transaction`: takes Plinth's schema lock for the rest of the transaction (so a
   * concurrent copy or a server bootstrapping the same schema waits), then reports what the schema holds.
   */
  lockAndInspect(): Promise<PostgresTargetContents>;
}

// Every relation kind a user or Plinth could have made, except indexes ('i', 'I') and TOAST tables ('t'),
// which always belong to a table that is listed anyway.
const INSPECT_SQL = `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind NOT IN ('i', 'I', 't') ORDER BY c.relname`;

/** Opens the store `plinth copy` writes to, on the connection's search_path like `plinth serve --db`. */
export function openPostgresCopyTarget(options: PostgresDriverOptions): PostgresCopyTarget {
  const driver = createPostgresDriver(options);
  const store = createSqlStore({ driver, dialect: postgresDialect, schema: postgresSchema });
  return {
    store,
    async lockAndInspect() {
      await driver.all(`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`, []);
      const schema = (await driver.all("SELECT current_schema() AS schema", []))[0]?.["schema"];
      if (typeof schema !== "string") return { schema: null, relations: [] };
      const rows = await driver.all(INSPECT_SQL, []);
      return { schema, relations: rows.map((r) => String(r["name"])) };
    },
  };
}
