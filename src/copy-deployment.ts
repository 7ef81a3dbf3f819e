/**
 * `plinth copy --to postgres://…`: moves an embedded (SQLite) deployment into an empty PostgreSQL
 * schema in one transaction, and commits only when every collection's row count and checksum match.
 */
import { join } from "node:path";
import { openPostgresCopyTarget } from "./adapters/store/postgres/index.ts";
import { openSqliteCopySource } from "./adapters/store/sqlite/index.ts";
import type { Collection } from "./core/collections/collection.ts";
import { isPlinthError, PlinthError } from "./core/errors.ts";
import type { StoreSession } from "./core/ports.ts";
import { canonicalJson, checkPassed, compareCollection, recordPages } from "./copy-verify.ts";

/** What to copy where. */
export interface CopyOptions {
  /** The data directory of the embedded deployment (`--dir`); its `data.db` is read, never written. */
  readonly sourceDir: string;
  /** A PostgreSQL URL; tables go to the connection's schema (`options=-c search_path=…`, else `public`). */
  readonly targetUrl: string;
  /** Progress, one line at a time. */
  readonly log?: (line: string) => void;
  /** Records read and written per page (default 500). */
  readonly pageSize?: number;
  /** For tests: runs in the target's transaction after everything is written, before it is verified. */
  readonly beforeVerify?: (target: StoreSession) => Promise<void>;
}

/** One copied collection as verified. */
export interface CopiedCollection {
  readonly name: string;
  readonly type: Collection["type"];
  /** Records (for a view: the rows its query returns on PostgreSQL). */
  readonly rows: number;
  /** SHA-256 of the collection's canonical rows, equal on both sides; null for a view (it holds no rows). */
  readonly checksum: string | null;
}

/** What a successful copy committed. */
export interface CopyReport {
  readonly schema: string;
  readonly collections: readonly CopiedCollection[];
  readonly records: number;
  /** `_params` keys copied (settings …). */
  readonly params: readonly string[];
  /** Differences that don't stop the copy (a view returning a different number of rows). */
  readonly warnings: readonly string[];
}

/**
 * The innermost cause's message: the database's own words, which an operator needs here. A field error
 * without a cause (a unique index the row breaks on PostgreSQL) names its fields.
 */
export function reason(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e === err && isPlinthError(err) && Object.keys(err.fields).length > 0)
    return `${err.message} ${JSON.stringify(err.fields)}`;
  return e instanceof Error ? e.message : String(e);
}

function checkUrl(url: string): void {
  let protocol = "";
  try {
    protocol = new URL(url).protocol;
  } catch {
    // reported below
  }
  if (protocol !== "postgres:" && protocol !== "postgresql:")
    throw new PlinthError(
      "invalid_input",
      "--to expects a PostgreSQL URL, e.g. postgres://user@host:5432/db",
    );
}

function mentions(query: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w$])${escaped}($|[^\\w$])`, "i").test(query);
}

/**
 * Tables in the source's order, then views, each after any other view its query names (PostgreSQL
 * checks a view's query when it is created). A cycle, which a working source can't have, keeps source order.
 */
export function creationOrder(collections: readonly Collection[]): Collection[] {
  const pending = collections.filter((c) => c.type === "view");
  const views: Collection[] = [];
  while (pending.length > 0) {
    const ready = pending.findIndex(
      (v) => v.type === "view" && !pending.some((o) => o !== v && mentions(v.viewQuery, o.name)),
    );
    views.push(...pending.splice(Math.max(ready, 0), 1));
  }
  return [...collections.filter((c) => c.type !== "view"), ...views];
}

/** Definitions in a stable order for comparing (their load order ties on `created` differ by collation). */
function definitions(collections: readonly Collection[]): string {
  return canonicalJson([...collections].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)));
}

/**
 * Copies the deployment in `sourceDir` into the empty PostgreSQL schema at `targetUrl`: collections,
 * indexes, views, every record as stored (ids, dates, password hashes, token keys) and every `_params`
 * entry (settings), in one transaction that commits only after the target is read back and matches.
 * Refuses (writing nothing) when the target schema already holds any table.
 */
export async function copyDeployment(options: CopyOptions): Promise<CopyReport> {
  const log = options.log ?? (() => undefined);
  const pageSize = options.pageSize ?? 500;
  checkUrl(options.targetUrl);
  const path = join(options.sourceDir, "data.db");
  const source = openSqliteCopySource(path);
  if (source === null)
    throw new PlinthError(
      "invalid_input",
      `no embedded deployment at ${options.sourceDir} (no data.db; pass --dir)`,
    );
  const target = openPostgresCopyTarget({
    url: options.targetUrl,
    poolSize: 1,
    applicationName: "plinth copy",
  });
  try {
    try {
      await target.store.ping();
    } catch (err) {
      throw new PlinthError("unavailable", `cannot connect to PostgreSQL: ${reason(err)}`, { cause: err });
    }
    let snapshot = false;
    try {
      // One SQLite transaction is one snapshot of the source; it also holds the write lock, so a server
      // still running on it can't change it mid-copy (stop it first: its writes would wait, then fail).
      return await source.store.transaction(async (src) => {
        snapshot = true;
        let collections: Collection[];
        let paramKeys: string[];
        try {
          collections = await src.loadCollections();
          paramKeys = await source.paramKeys();
        } catch (err) {
          throw new PlinthError("invalid_input", `${path} is not a Plinth deployment: ${reason(err)}`, {
            cause: err,
          });
        }
        return await target.store.transaction((dst) =>
          copyInto({ src, dst, collections, paramKeys, target, log, pageSize, options }),
        );
      });
    } catch (err) {
      if (!snapshot && isPlinthError(err) && err.code === "unavailable")
        throw new PlinthError(
          "unavailable",
          `${path} is locked by another process: stop the server and retry`,
          {
            cause: err,
          },
        );
      throw err;
    }
  } finally {
    await target.store.close();
    await source.store.close();
  }
}

interface CopyRun {
  readonly src: StoreSession;
  readonly dst: StoreSession;
  readonly collections: readonly Collection[];
  readonly paramKeys: readonly string[];
  readonly target: ReturnType<typeof openPostgresCopyTarget>;
  readonly log: (line: string) => void;
  readonly pageSize: number;
  readonly options: CopyOptions;
}

/** The work inside both transactions; throwing rolls the target back to empty. */
async function copyInto(run: CopyRun): Promise<CopyReport> {
  const { src, dst, collections, paramKeys, log, pageSize } = run;
  const contents = await run.target.lockAndInspect();
  if (contents.schema === null)
    throw new PlinthError(
      "invalid_input",
      "the target has no schema to write to (none of its search_path exists)",
    );
  if (contents.relations.length > 0) {
    const shown = contents.relations.slice(0, 5).join(", ");
    const more = contents.relations.length > 5 ? ` and ${contents.relations.length - 5} more` : "";
    throw new PlinthError(
      "invalid_input",
      `the target schema "${contents.schema}" is not empty (${shown}${more}); copy only into an empty database or schema`,
    );
  }
  log(`Copying into PostgreSQL schema "${contents.schema}"`);
  await run.target.store.init(); // joins this transaction

  const tables = collections.filter((c) => c.type !== "view");
  for (const c of creationOrder(collections)) {
    // Created, never changed: no other table or view is affected, so the schema passed is just this one.
    try {
      await dst.syncRecordTable(null, c, [c]);
    } catch (err) {
      const hint =
        c.type === "view"
          ? "; change its query so PostgreSQL can run it (or delete the view) and copy again"
          : "";
      throw new PlinthError(
        "invalid_input",
        `collection "${c.name}" can't be created on PostgreSQL: ${reason(err)}${hint}`,
        { cause: err },
      );
    }
    await dst.saveCollection(c);
  }

  let records = 0;
  for (const c of tables) {
    let n = 0;
    for await (const page of recordPages(src, c, pageSize)) {
      for (const row of page) {
        try {
          await dst.insertRecord(c, row);
        } catch (err) {
          throw new PlinthError(
            "invalid_input",
            `record "${String(row["id"])}" of "${c.name}" can't be written to PostgreSQL: ${reason(err)}`,
            { cause: err },
          );
        }
      }
      n += page.length;
    }
    records += n;
    log(`  ${c.name}: ${n} records written`);
  }
  for (const key of paramKeys) await dst.setParam(key, await src.getParam(key));

  await run.options.beforeVerify?.(dst);
  log("Verifying");
  return verify(run, contents.schema, records);
}

/** Reads the target back inside its transaction; any difference in data throws (and so rolls back). */
async function verify(run: CopyRun, schema: string, records: number): Promise<CopyReport> {
  const { src, dst, collections, paramKeys, pageSize } = run;
  const failures: string[] = [];
  const warnings: string[] = [];
  if (definitions(await dst.loadCollections()) !== definitions(collections))
    failures.push("the collection definitions differ");
  for (const key of paramKeys) {
    if (canonicalJson(await dst.getParam(key)) !== canonicalJson(await src.getParam(key)))
      failures.push(`the "${key}" param differs`);
  }
  const copied: CopiedCollection[] = [];
  for (const c of collections) {
    if (c.type === "view") {
      // A view holds no rows: its query now runs on PostgreSQL, which may evaluate some SQL differently.
      const all = { collection: c, where: [], sort: [] } as const;
      const [before, after] = [await src.countRecords(all), await dst.countRecords(all)];
      if (before !== after)
        warnings.push(`view "${c.name}" returns ${after} rows on PostgreSQL, ${before} on SQLite`);
      copied.push({ name: c.name, type: c.type, rows: after, checksum: null });
      continue;
    }
    const check = await compareCollection(src, dst, c, pageSize);
    if (!checkPassed(check)) {
      failures.push(
        `"${c.name}": ${check.rows} rows (sha256 ${check.checksum.slice(0, 16)}) on SQLite, ` +
          `${check.targetRows} rows (sha256 ${check.targetChecksum.slice(0, 16)}) on PostgreSQL`,
      );
    }
    copied.push({ name: c.name, type: c.type, rows: check.rows, checksum: check.checksum });
  }
  if (failures.length > 0)
    throw new PlinthError("internal", `verification failed, nothing was committed: ${failures.join("; ")}`);
  return { schema, collections: copied, records, params: [...paramKeys], warnings };
}
