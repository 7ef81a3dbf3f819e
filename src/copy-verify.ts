/**
 * How `plinth copy` proves a collection arrived intact: a row count and a SHA-256 checksum computed the
 * same way on both databases from the decoded records (RecordRow), so it compares what the app sees,
 * not how a driver happens to store it.
 */
import { createHash } from "node:crypto";
import type { Collection } from "./core/collections/collection.ts";
import type { ResolvedFilter, ResolvedSort } from "./core/filter/index.ts";
import type { RecordRow, StoreSession } from "./core/ports.ts";

/**
 * A value as canonical JSON. Object keys are sorted at every depth (a `json` column may come back with
 * its keys reordered, e.g. PostgreSQL's jsonb), -0 is 0 and a bigint is written like the number it is;
 * everything else (strings, booleans, array order, null vs "") is kept, so a real difference shows.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value === 0 ? 0 : value) : "null";
    case "bigint":
      return value.toString();
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      return JSON.stringify(String(value));
  }
}

/** A running checksum of one collection's rows, fed in id order. */
export interface RowDigest {
  add(row: RecordRow): void;
  readonly rows: number;
  /** The SHA-256 (hex) of the canonical JSON lines of every row added so far. */
  hex(): string;
}

/** A checksum over `collection`'s fields only (a row's every field, hidden ones like password hashes included). */
export function createRowDigest(collection: Collection): RowDigest {
  const hash = createHash("sha256");
  const names = collection.fields.map((f) => f.name);
  let rows = 0;
  return {
    add(row) {
      const picked: Record<string, unknown> = {};
      for (const name of names) picked[name] = row[name] ?? null;
      hash.update(`${canonicalJson(picked)}\n`);
      rows++;
    },
    get rows() {
      return rows;
    },
    hex: () => hash.copy().digest("hex"),
  };
}

const ID_COLUMN = { kind: "column", source: null, column: "id", fieldType: "text" } as const;
const BY_ID: readonly ResolvedSort[] = [{ kind: "value", value: ID_COLUMN, joins: [], direction: "asc" }];

function afterId(id: string): ResolvedFilter {
  return {
    kind: "filter",
    joins: [],
    where: { kind: "compare", op: ">", left: ID_COLUMN, right: { kind: "param", value: id } },
  };
}

/**
 * A collection's records in pages of `pageSize`, in id order (keyset paging: `id > last`), so a big
 * collection is never held in memory at once. Meant for the SQLite source, whose `>` and ORDER BY agree
 * (byte order); a PostgreSQL database may sort text by a locale that `>` (byte-wise in Plinth) ignores.
 */
export async function* recordPages(
  session: StoreSession,
  collection: Collection,
  pageSize: number,
): AsyncGenerator<RecordRow[]> {
  let last: string | undefined;
  for (;;) {
    const page = await session.findRecords({
      collection,
      where: last === undefined ? [] : [afterId(last)],
      sort: BY_ID,
      limit: pageSize,
    });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    last = String(page.at(-1)!["id"]);
  }
}

/** One collection's count and checksum on each side. */
export interface CollectionCheck {
  readonly name: string;
  readonly rows: number;
  readonly checksum: string;
  readonly targetRows: number;
  readonly targetChecksum: string;
}

/** Whether both sides hold the same rows. */
export function checkPassed(check: CollectionCheck): boolean {
  return check.rows === check.targetRows && check.checksum === check.targetChecksum;
}

/**
 * Counts and checksums a table collection on both sides. The source is read in id order; the target
 * is read by those same ids (so the order needs no agreement between the two databases' collations)
 * and its own count catches rows the source doesn't have: equal counts and equal checksums mean the
 * same set of ids with the same values.
 */
export async function compareCollection(
  source: StoreSession,
  target: StoreSession,
  collection: Collection,
  pageSize = 500,
): Promise<CollectionCheck> {
  const all = { collection, where: [], sort: [] } as const;
  const mine = createRowDigest(collection);
  const theirs = createRowDigest(collection);
  for await (const page of recordPages(source, collection, pageSize)) {
    const ids = page.map((r) => String(r["id"]));
    const found = new Map(
      (await target.findRecords({ ...all, ids })).map((r) => [String(r["id"]), r] as const),
    );
    for (const row of page) {
      mine.add(row);
      const copy = found.get(String(row["id"]));
      if (copy !== undefined) theirs.add(copy);
    }
  }
  const rows = await source.countRecords(all);
  if (rows !== mine.rows) {
    // ids the source's own `>` and ORDER BY don't agree on; never expected on SQLite
    throw new Error(`reading "${collection.name}" in id order found ${mine.rows} of its ${rows} rows`);
  }
  return {
    name: collection.name,
    rows,
    checksum: mine.hex(),
    targetRows: await target.countRecords(all),
    targetChecksum: theirs.hex(),
  };
}
