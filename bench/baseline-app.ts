// The HTTP half both baselines share: bare Fastify, PocketBase-shaped JSON, no auth, no rules, no filter
// parsing. Each baseline only supplies its SQL (node:sqlite or pg), so the two differ in the database alone.
import { randomBytes } from "node:crypto";
import Fastify from "fastify";

/** A raw `posts` row as the driver returns it. */
export type Row = Record<string, unknown>;

/** A new `posts` row; `flag` as a boolean, each store encodes it for its column. */
export interface NewRow {
  readonly id: string;
  readonly title: string;
  readonly n: number;
  readonly flag: boolean;
  readonly owner: string;
  readonly created: string;
  readonly updated: string;
}

/** The SQL a baseline runs for the benchmarked routes (the list's filter and sort are fixed). */
export interface BaselineStore {
  /** The `posts` collection's id (for the record's `collectionId`). */
  readonly collectionId: string;
  view(id: string): Promise<Row | undefined>;
  /** `filter=(n>500 && flag=true)&sort=-n`, one page. */
  list(perPage: number, offset: number): Promise<Row[]>;
  /** The total a list reply carries, same WHERE as `list`. */
  count(): Promise<number>;
  insert(row: NewRow): Promise<void>;
  close(): Promise<void>;
}

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/** A PocketBase-shaped id: 15 chars of [a-z0-9]. */
export function newId(): string {
  const bytes = randomBytes(15);
  let id = "";
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

/** PocketBase's datetime text format: "2006-01-02 15:04:05.000Z". */
const now = (): string => new Date().toISOString().replace("T", " ");

/** Serves the store's rows as PocketBase records on 127.0.0.1:`port`; closes the store on SIGTERM/SIGINT. */
export async function serveBaseline(store: BaselineStore, port: number): Promise<void> {
  /** Shapes a row like a PocketBase record (SQLite's bool columns are 0/1, PostgreSQL's are booleans). */
  const toRecord = (row: Row): Row => ({
    collectionId: store.collectionId,
    collectionName: "posts",
    id: row["id"],
    title: row["title"] ?? "",
    n: row["n"] ?? 0,
    flag: row["flag"] === 1 || row["flag"] === true,
    owner: row["owner"] ?? "",
    created: row["created"] ?? "",
    updated: row["updated"] ?? "",
  });

  const app = Fastify({ logger: false });

  app.get("/api/health", async () => ({ code: 200, message: "API is healthy.", data: {} }));

  app.get<{ Params: { id: string } }>("/api/collections/posts/records/:id", async (req, reply) => {
    const row = await store.view(req.params.id);
    if (row === undefined) {
      return reply.code(404).send({ status: 404, message: "The requested resource wasn't found.", data: {} });
    }
    return toRecord(row);
  });

  app.get<{ Querystring: { page?: string; perPage?: string } }>(
    "/api/collections/posts/records",
    async (req) => {
      const page = Math.max(1, Number(req.query.page) || 1);
      const perPage = Math.min(1000, Math.max(1, Number(req.query.perPage) || 30));
      const items = (await store.list(perPage, (page - 1) * perPage)).map(toRecord);
      const total = await store.count();
      return { page, perPage, totalItems: total, totalPages: Math.ceil(total / perPage), items };
    },
  );

  app.post<{ Body: { title?: string; n?: number; flag?: boolean; owner?: string } }>(
    "/api/collections/posts/records",
    async (req) => {
      const b = req.body ?? {};
      const ts = now();
      const row: NewRow = {
        id: newId(),
        title: b.title ?? "",
        n: b.n ?? 0,
        flag: b.flag === true,
        owner: b.owner ?? "",
        created: ts,
        updated: ts,
      };
      await store.insert(row);
      return toRecord({ ...row });
    },
  );

  const close = async (): Promise<void> => {
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void close());
  process.once("SIGINT", () => void close());

  await app.listen({ host: "127.0.0.1", port });
}
