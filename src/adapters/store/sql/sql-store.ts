import type { Collection } from "../../../core/collections/collection.ts";
import type { Field } from "../../../core/collections/field.ts";
import { isPlinthError, PlinthError, validationError, FIELD_CODES } from "../../../core/errors.ts";
import type { ResolvedFilter } from "../../../core/filter/index.ts";
import type { RecordQuery, RecordRow, Store, StoreSession } from "../../../core/ports.ts";
import { compileFilter, compileSort } from "./compile-filter.ts";
import type { SqlDialect, SqlSchemaDialect } from "./dialect.ts";
import type { SqlConnection, SqlDriver } from "./sql-driver.ts";
import { createRecordMatchPlanner, readMatches } from "./match-record.ts";
import { appendJournal, journalBounds, pruneJournal, readJournal } from "./sql-journal.ts";

/** The savepoint a view is created in again after a change dropped it (never nested). */
const VIEW_SAVEPOINT = "plinth_view";
/** The savepoint a realtime check runs in inside a transaction (never nested). */
const MATCH_SAVEPOINT = "plinth_match";

/** A session and what must run before its transaction commits. */
interface OpenSession {
  readonly session: StoreSession;
  /** Creates again the views a change dropped and nothing created since; fails when one can't be. */
  finish(): Promise<void>;
}

/** What the shared SQL store is built from. */
export interface SqlStoreDeps {
  readonly driver: SqlDriver;
  readonly dialect: SqlDialect;
  readonly schema: SqlSchemaDialect;
}

/** Decodes one row into field values using the collection's field definitions. */
function decodeRow(dialect: SqlDialect, fields: readonly Field[], raw: Record<string, unknown>): RecordRow {
  const out: RecordRow = {};
  for (const f of fields) out[f.name] = dialect.decodeValue(f, raw[f.name]);
  return out;
}

/** A JSON column's value: drivers that parse JSON hand over objects, others text. */
function jsonColumn(raw: unknown): unknown {
  return typeof raw === "string" ? JSON.parse(raw) : raw;
}

/** Builds the SQL store shared by every SQL dialect; only the driver and dialects differ. */
export function createSqlStore(deps: SqlStoreDeps): Store {
  const { driver, dialect, schema } = deps;
  const q = (s: string) => dialect.quoteIdent(s);
  const matcher = createRecordMatchPlanner(dialect);

  /** Translates driver errors at the boundary: unique violations become field errors, never SQL text. */
  function translate(err: unknown, collection?: Collection): never {
    if (err instanceof PlinthError) throw err;
    const kind = schema.classifyError(err);
    if (kind.kind === "unique") {
      const fields: Record<string, { code: string; message: string }> = {};
      for (const col of kind.columns) {
        fields[col] = { code: FIELD_CODES.notUnique, message: "Value must be unique." };
      }
      if (kind.columns.length === 0 && collection)
        fields["id"] = { code: FIELD_CODES.notUnique, message: "Value must be unique." };
      throw validationError(fields);
    }
    if (kind.kind === "busy")
      throw new PlinthError("unavailable", "The database is busy, please retry.", { cause: err });
    throw new PlinthError("internal", "Database error.", { cause: err });
  }

  function where(query: RecordQuery, params: unknown[]): string {
    const parts: string[] = [];
    const table = query.collection.name;
    if (query.ids !== undefined) {
      if (query.ids.length === 0) return " WHERE 1 = 0";
      parts.push(
        `${q(table)}.${q("id")} IN (${query.ids
          .map((id) => {
            params.push(id);
            return dialect.placeholder(params.length);
          })
          .join(", ")})`,
      );
    }
    if (query.match !== undefined) {
      if (!query.collection.fields.some((f) => f.name === query.match?.field)) return " WHERE 1 = 0";
      params.push(query.match.value);
      const col = `${q(table)}.${q(query.match.field)}`;
      const ph = dialect.placeholder(params.length);
      parts.push(query.match.nocase ? `LOWER(${col}) = LOWER(${ph})` : `${col} = ${ph}`);
    }
    for (const w of query.where) parts.push(`(${compileFilter(w, { dialect, params, table })})`);
    return parts.length ? ` WHERE ${parts.join(" AND ")}` : "";
  }

  function open(conn: SqlConnection | SqlDriver): OpenSession {
    let schemaLocked = false;
    /**
     * Views (name → collection id) dropped because they read a table or view that changed, and not
     * created again yet. Only dialects whose views pin their tables (PostgreSQL) ever have any.
     */
    const pendingViews = new Map<string, string>();

    /** Serializes schema changes across processes (held until the transaction ends). */
    async function lockSchema(): Promise<void> {
      if (schemaLocked || conn === driver) return;
      for (const sql of schema.schemaLockStatements()) await conn.all(sql, []);
      schemaLocked = true;
    }
    /** Runs the match statements; null when the record is not there. */
    async function runMatch(
      collection: Collection,
      id: string,
      conditions: readonly (readonly ResolvedFilter[])[],
    ): Promise<{ row: RecordRow; matches: boolean[] } | null> {
      const matches = conditions.map(() => false);
      let row: RecordRow | undefined;
      for (const statement of matcher.statements(collection.name, id, conditions)) {
        // its text follows the subscribers of the moment: not worth keeping prepared for long
        const [raw] = await conn.all(statement.sql, statement.params, { oneOff: true });
        if (raw === undefined) return null;
        row ??= decodeRow(dialect, collection.fields, raw);
        readMatches(statement, raw, matches);
      }
      return row === undefined ? null : { row, matches };
    }

    /**
     * Runs `work`; inside a transaction within a savepoint, so that a statement that fails leaves the
     * transaction usable (PostgreSQL aborts a transaction at its first error).
     */
    async function isolated<T>(work: () => Promise<T>): Promise<T> {
      if (conn === driver) return work();
      await conn.run(`SAVEPOINT ${MATCH_SAVEPOINT}`, []);
      try {
        const result = await work();
        await conn.run(`RELEASE SAVEPOINT ${MATCH_SAVEPOINT}`, []);
        return result;
      } catch (err) {
        await conn.run(`ROLLBACK TO SAVEPOINT ${MATCH_SAVEPOINT}`, []);
        await conn.run(`RELEASE SAVEPOINT ${MATCH_SAVEPOINT}`, []);
        throw err;
      }
    }

    async function applySync(previous: Collection | null, next: Collection | null): Promise<void> {
      for (const sql of schema.syncStatements(previous, next)) {
        try {
          await conn.run(sql, []);
        } catch (err) {
          const kind = schema.classifyError(err);
          if (kind.kind === "unique") {
            throw validationError({
              indexes: {
                code: FIELD_CODES.invalidIndex,
                message: "The unique index can't be created: the table has duplicate values.",
              },
            });
          }
          // a reason in SQLite's words leads the cause, so every dialect names a missing column alike
          const reason = schema.missingObjectReason?.(err);
          throw new PlinthError("validation_failed", "Failed to apply the collection change.", {
            cause: reason === undefined ? err : new Error(reason, { cause: err }),
            fields: {
              fields: {
                code: FIELD_CODES.invalidValue,
                message: "The change can't be applied to the existing data.",
              },
            },
          });
        }
      }
    }

    /** Creates a view inside a savepoint, so a query that no longer works leaves the transaction usable. */
    async function tryCreateView(view: Collection): Promise<boolean> {
      await conn.run(`SAVEPOINT ${VIEW_SAVEPOINT}`, []);
      try {
        for (const sql of schema.syncStatements(null, view)) await conn.run(sql, []);
      } catch (err) {
        await conn.run(`ROLLBACK TO SAVEPOINT ${VIEW_SAVEPOINT}`, []);
        await conn.run(`RELEASE SAVEPOINT ${VIEW_SAVEPOINT}`, []);
        // a lock or statement timeout says nothing about the view: the whole change fails (503)
        if (schema.classifyError(err).kind === "busy") throw err;
        return false;
      }
      await conn.run(`RELEASE SAVEPOINT ${VIEW_SAVEPOINT}`, []);
      return true;
    }

    /**
     * Drops the collection views that read `previous` (directly or through other views) before it
     * changes, and remembers them. A view that is no collection is not dropped here, so a table it reads
     * can't change (the change fails); one reading a collection view goes with that view (CASCADE).
     */
    async function dropDependentViews(previous: Collection): Promise<void> {
      if (!schema.viewsPinTables) return;
      const rows = await conn.all(schema.dependentViewsQuery, [q(previous.name)]);
      if (rows.length === 0) return;
      const saved = new Map((await loadCollections()).map((c) => [c.name, c]));
      for (const row of rows) {
        const c = saved.get(String(row["name"]));
        if (c === undefined || c.type !== "view" || c.id === previous.id) continue;
        await conn.run(`DROP VIEW IF EXISTS ${q(c.name)} CASCADE`, []);
        pendingViews.set(c.name, c.id);
      }
    }

    /**
     * Creates again the dropped views whose definition in `all` keeps their name, each as soon as the
     * views it reads exist. A view that can't be created yet stays pending: a later change of the same
     * transaction may create what it reads, or write the view itself.
     */
    async function recreatePendingViews(all: readonly Collection[]): Promise<void> {
      let progress = true;
      while (progress && pendingViews.size > 0) {
        progress = false;
        for (const c of all) {
          if (c.type !== "view" || pendingViews.get(c.name) !== c.id) continue;
          if (await tryCreateView(c)) {
            pendingViews.delete(c.name);
            progress = true;
          }
        }
      }
    }

    async function loadCollections(): Promise<Collection[]> {
      const rows = await conn.all(
        `SELECT ${q("definition")} FROM ${q("_collections")} ORDER BY ${q("created")}, ${q("name")}`,
        [],
      );
      return rows.map((r) => jsonColumn(r["definition"]) as Collection);
    }

    async function finish(): Promise<void> {
      if (pendingViews.size === 0) return;
      const saved = await loadCollections();
      await recreatePendingViews(saved);
      // the first one dropped reads the changed table itself, so it is the view the change breaks
      const broken = [...pendingViews].find(([name, id]) =>
        saved.some((c) => c.name === name && c.id === id),
      );
      if (broken === undefined) return;
      throw new PlinthError(
        "invalid_input",
        `The change would break the view collection "${broken[0]}". Update or delete that view first.`,
      );
    }

    const session: StoreSession = {
      lockSchema,
      loadCollections,
      async saveCollection(c) {
        await lockSchema();
        const params = [c.id, c.name, c.type, JSON.stringify(c), c.created, c.updated];
        const ph = params.map((_, i) => dialect.placeholder(i + 1)).join(", ");
        await conn.run(`DELETE FROM ${q("_collections")} WHERE ${q("id")} = ${dialect.placeholder(1)}`, [
          c.id,
        ]);
        await conn.run(
          `INSERT INTO ${q("_collections")} (${["id", "name", "type", "definition", "created", "updated"].map(q).join(", ")}) VALUES (${ph})`,
          params,
        );
      },
      async deleteCollection(id) {
        await lockSchema();
        await conn.run(`DELETE FROM ${q("_collections")} WHERE ${q("id")} = ${dialect.placeholder(1)}`, [id]);
      },
      async syncRecordTable(previous, next, all) {
        await lockSchema();
        driver.schemaChanged?.();
        if (previous !== null) await dropDependentViews(previous);
        await applySync(previous, next);
        if (previous !== null) pendingViews.delete(previous.name);
        if (next !== null) pendingViews.delete(next.name);
        await recreatePendingViews(all);
      },
      async getParam(key) {
        const rows = await conn.all(
          `SELECT ${q("value")} FROM ${q("_params")} WHERE ${q("key")} = ${dialect.placeholder(1)}`,
          [key],
        );
        const raw = rows[0]?.["value"];
        return raw === undefined || raw === null ? undefined : jsonColumn(raw);
      },
      async setParam(key, value) {
        await conn.run(`DELETE FROM ${q("_params")} WHERE ${q("key")} = ${dialect.placeholder(1)}`, [key]);
        await conn.run(
          `INSERT INTO ${q("_params")} (${q("key")}, ${q("value")}) VALUES (${dialect.placeholder(1)}, ${dialect.placeholder(2)})`,
          [key, JSON.stringify(value)],
        );
      },
      async findRecords(query) {
        const params: unknown[] = [];
        let sql = `SELECT * FROM ${q(query.collection.name)}${where(query, params)}`;
        const order = compileSort(query.sort, { dialect, params, table: query.collection.name });
        if (order) sql += ` ORDER BY ${order}`;
        if (query.limit !== undefined) {
          params.push(query.limit);
          sql += ` LIMIT ${dialect.placeholder(params.length)}`;
          if (query.offset) {
            params.push(query.offset);
            sql += ` OFFSET ${dialect.placeholder(params.length)}`;
          }
        }
        try {
          const rows = await conn.all(sql, params);
          return rows.map((r) => decodeRow(dialect, query.collection.fields, r));
        } catch (err) {
          return translate(err);
        }
      },
      async countRecords(query) {
        const params: unknown[] = [];
        const sql = `SELECT COUNT(*) AS ${q("n")} FROM ${q(query.collection.name)}${where(query, params)}`;
        try {
          const rows = await conn.all(sql, params);
          return Number(rows[0]?.["n"] ?? 0);
        } catch (err) {
          return translate(err);
        }
      },
      async insertRecord(collection, values) {
        const fields = collection.fields.filter((f) => f.name in values);
        const params = fields.map((f) => dialect.encodeValue(f, values[f.name]));
        const sql = `INSERT INTO ${q(collection.name)} (${fields.map((f) => q(f.name)).join(", ")}) VALUES (${fields
          .map((_, i) => dialect.placeholder(i + 1))
          .join(", ")})`;
        try {
          await conn.run(sql, params);
        } catch (err) {
          translate(err, collection);
        }
      },
      async updateRecord(collection, id, values) {
        const fields = collection.fields.filter((f) => f.name in values);
        if (fields.length === 0) return;
        const params = fields.map((f) => dialect.encodeValue(f, values[f.name]));
        params.push(id);
        const sql = `UPDATE ${q(collection.name)} SET ${fields
          .map((f, i) => `${q(f.name)} = ${dialect.placeholder(i + 1)}`)
          .join(", ")} WHERE ${q("id")} = ${dialect.placeholder(params.length)}`;
        try {
          await conn.run(sql, params);
        } catch (err) {
          translate(err, collection);
        }
      },
      async deleteRecord(collection, id) {
        await conn.run(`DELETE FROM ${q(collection.name)} WHERE ${q("id")} = ${dialect.placeholder(1)}`, [
          id,
        ]);
      },
      async truncate(collection) {
        await conn.run(`DELETE FROM ${q(collection.name)}`, []);
      },
      async matchRecord(collection, id, conditions) {
        try {
          return await isolated(() => runMatch(collection, id, conditions));
        } catch (err) {
          if (isPlinthError(err) && err.code === "unavailable") throw err;
          // A shape the database refuses at run time (one subscriber's filter) must not fail everyone
          // else's check (nor, inside a delete, the delete): test shape by shape, and remember the
          // shapes refused so they cost nothing next time.
          const matches = conditions.map(() => false);
          let row: RecordRow | undefined;
          for (const indices of matcher.shapeIndices(collection.name, conditions)) {
            const subset = indices.map((i) => conditions[i]!);
            try {
              const found = await isolated(() => runMatch(collection, id, subset));
              if (found === null) return null;
              row ??= found.row;
              indices.forEach((index, j) => {
                matches[index] = found.matches[j] === true;
              });
            } catch (shapeErr) {
              if (isPlinthError(shapeErr) && shapeErr.code === "unavailable") throw shapeErr;
              matcher.refuse(collection.name, subset[0]!);
            }
          }
          if (row === undefined) {
            const found = await isolated(() => runMatch(collection, id, [])).catch(translate);
            if (found === null) return null;
            row = found.row;
          }
          return { row, matches };
        }
      },
      appendEvents(entries) {
        return appendJournal(conn, dialect, entries);
      },
    };
    return { session, finish };
  }

  async function transaction<T>(fn: (tx: StoreSession) => Promise<T>): Promise<T> {
    try {
      return await driver.transaction(async (conn) => {
        const tx = open(conn);
        const result = await fn(tx.session);
        await tx.finish();
        return result;
      });
    } catch (err) {
      // A lock the database could not get in time (another process's write) is a 503, not a 500.
      if (!(err instanceof PlinthError) && schema.classifyError(err).kind === "busy")
        throw new PlinthError("unavailable", "The database is busy, please retry.", { cause: err });
      throw err;
    }
  }

  const outside = open(driver).session;
  return {
    ...outside,
    // a schema change is several statements (and views dropped and created again): always one transaction
    syncRecordTable: (previous, next, all) => transaction((tx) => tx.syncRecordTable(previous, next, all)),
    capabilities: dialect.capabilities,
    transaction,
    async ping() {
      await driver.all("SELECT 1", []);
    },
    readEvents: (afterSeq, limit) => readJournal(driver, dialect, afterSeq, limit),
    eventBounds: () => journalBounds(driver),
    pruneEvents: (beforeAt, keepLast) => pruneJournal(driver, dialect, beforeAt, keepLast),
    schemaChangedElsewhere() {
      driver.schemaChanged?.();
    },
    async init() {
      await driver.transaction(async (conn) => {
        for (const sql of schema.schemaLockStatements()) await conn.all(sql, []);
        for (const sql of schema.systemTableStatements()) await conn.run(sql, []);
      });
    },
    close() {
      return driver.close();
    },
  };
}
