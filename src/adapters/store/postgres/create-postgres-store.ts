import type { Store } from "../../../core/ports.ts";
import type { SqlSchemaDialect } from "../sql/dialect.ts";
import type { DriverErrorKind } from "../sql/sql-driver.ts";
import { journalTableStatements } from "../sql/sql-journal.ts";
import { createSqlStore } from "../sql/sql-store.ts";
import { postgresDialect } from "./postgres-dialect.ts";
import { createPostgresDriver, type PostgresDriverOptions, transientFailure } from "./postgres-driver.ts";
import { POSTGRES_FUNCTIONS, SCHEMA_LOCK_KEY } from "./postgres-functions.ts";
import { postgresSyncStatements } from "./postgres-schema-sync.ts";

// A view's rule (pg_rewrite) depends on every relation it reads; followed recursively for views over views.
const DEPENDENT_VIEWS_QUERY = `WITH RECURSIVE dependents(oid, depth) AS (
  SELECT r.ev_class, 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
  WHERE d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
    AND d.refobjid = to_regclass($1) AND r.ev_class <> d.refobjid
  UNION
  SELECT r.ev_class, p.depth + 1 FROM dependents p
  JOIN pg_depend d ON d.refobjid = p.oid AND d.classid = 'pg_rewrite'::regclass AND d.refclassid = 'pg_class'::regclass
  JOIN pg_rewrite r ON r.oid = d.objid
  WHERE r.ev_class <> p.oid
)
SELECT c.relname AS name FROM dependents JOIN pg_class c ON c.oid = dependents.oid WHERE c.relkind = 'v'
GROUP BY c.relname ORDER BY min(dependents.depth), c.relname`;

function classifyError(err: unknown): DriverErrorKind {
  const e = err as { code?: string; detail?: string; table?: string; message?: string };
  if (e?.code === "23505") {
    // detail: Key (email)=(a@b.c) already exists.  /  Key (lower(email))=(…)
    const inside = /^Key \((.*?)\)=/.exec(e.detail ?? "")?.[1] ?? "";
    const columns = inside
      .split(",")
      .map((c) =>
        c
          .trim()
          .replace(/^lower\((.*)\)$/i, "$1")
          .replaceAll('"', ""),
      )
      .filter((c) => /^\w+$/.test(c));
    return { kind: "unique", table: e.table ?? "", columns };
  }
  // Unreachable, broken or too slow (the driver already turned these into 503s; this also sees through
  // that wrapping): the caller must give up, not treat the statement as wrong.
  if (transientFailure(err) !== undefined) return { kind: "busy" };
  return { kind: "other" };
}

/** PostgreSQL's "does not exist" errors for tables, columns and functions, worded as SQLite words them. */
function missingObjectReason(err: unknown): string | undefined {
  const e = err as { code?: string; message?: string };
  const message = typeof e?.message === "string" ? e.message : "";
  const name =
    e?.code === "42703"
      ? /^column "?([\w.$]+)"? does not exist$/.exec(message)?.[1]
      : e?.code === "42P01"
        ? /^relation "?([\w.$]+)"? does not exist$/.exec(message)?.[1]
        : e?.code === "42883"
          ? /^function ([\w.$]+)\(.*\) does not exist$/.exec(message)?.[1]
          : undefined;
  if (name === undefined) return undefined;
  const what = e.code === "42703" ? "column" : e.code === "42P01" ? "table" : "function";
  return `no such ${what}: ${name}`;
}

/** PostgreSQL's DDL side of the shared SQL store. */
export const postgresSchema: SqlSchemaDialect = {
  syncStatements: postgresSyncStatements,
  systemTableStatements: () => [
    `CREATE TABLE IF NOT EXISTS "_collections" ("id" TEXT PRIMARY KEY NOT NULL, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "definition" JSON NOT NULL, "created" TEXT NOT NULL, "updated" TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS "_collections_name_nocase" ON "_collections" (lower("name"))`,
    `CREATE TABLE IF NOT EXISTS "_params" ("key" TEXT PRIMARY KEY NOT NULL, "value" JSON)`,
    ...journalTableStatements("BIGINT"),
    ...POSTGRES_FUNCTIONS,
  ],
  schemaLockStatements: () => [`SELECT pg_advisory_xact_lock(${SCHEMA_LOCK_KEY})`],
  viewsPinTables: true,
  dependentViewsQuery: DEPENDENT_VIEWS_QUERY,
  classifyError,
  missingObjectReason,
};

/** The scaled-out store: PostgreSQL 15+ through `pg`. */
export function createPostgresStore(options: PostgresDriverOptions): Store {
  return createSqlStore({
    driver: createPostgresDriver(options),
    dialect: postgresDialect,
    schema: postgresSchema,
  });
}
