// Baseline for `npm run bench`: the least a PocketBase-style server must do for the benchmarked routes —
// bare Fastify + node:sqlite prepared statements on a copy of Plinth's database, no auth, no rules.
// Usage: node bench/baseline-server.ts --db PATH --port PORT
import { randomBytes } from "node:crypto";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import Fastify from "fastify";

const { values } = parseArgs({ options: { db: { type: "string" }, port: { type: "string" } } });
if (!values.db || !values.port) {
  process.stderr.write("usage: baseline-server.ts --db PATH --port PORT\n");
  process.exit(2);
}

const db = new DatabaseSync(values.db);
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;");

const collectionId = (name: string): string => {
  try {
    const row = db.prepare("SELECT id FROM _collections WHERE name = ?").get(name);
    return typeof row?.["id"] === "string" ? row["id"] : name;
  } catch {
    return name;
  }
};
const POSTS_ID = collectionId("posts");

type Row = Record<string, unknown>;
/** Shapes a row like a PocketBase record (bool columns are 0/1 in SQLite). */
const toRecord = (row: Row): Row => ({
  collectionId: POSTS_ID,
  collectionName: "posts",
  id: row["id"],
  title: row["title"] ?? "",
  n: row["n"] ?? 0,
  flag: row["flag"] === 1 || row["flag"] === true,
  owner: row["owner"] ?? "",
  created: row["created"] ?? "",
  updated: row["updated"] ?? "",
});

const viewStmt = db.prepare("SELECT posts.* FROM posts WHERE posts.id = ? LIMIT 1");
// The same filter and sort as `filter=(n>500 && flag=true)&sort=-n`, plus the total count a list reply carries.
// COUNT(*) rather than PocketBase's COUNT(DISTINCT id): without joins they are equal, and DISTINCT costs ~25x here,
// which would flatter Plinth's ratio.
const listStmt = db.prepare(
  "SELECT posts.* FROM posts WHERE (posts.n > ? AND posts.flag = ?) ORDER BY posts.n DESC LIMIT ? OFFSET ?",
);
const countStmt = db.prepare("SELECT COUNT(*) AS c FROM posts WHERE (posts.n > ? AND posts.flag = ?)");
const insertStmt = db.prepare(
  "INSERT INTO posts (id, title, n, flag, owner, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?)",
);

const ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
const newId = (): string => {
  const bytes = randomBytes(15);
  let id = "";
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
};
/** PocketBase's datetime text format: "2006-01-02 15:04:05.000Z". */
const now = (): string => new Date().toISOString().replace("T", " ");

const app = Fastify({ logger: false });

app.get("/api/health", async () => ({ code: 200, message: "API is healthy.", data: {} }));

app.get<{ Params: { id: string } }>("/api/collections/posts/records/:id", async (req, reply) => {
  const row = viewStmt.get(req.params.id);
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
    const items = listStmt.all(500, 1, perPage, (page - 1) * perPage).map(toRecord);
    const total = Number(countStmt.get(500, 1)?.["c"] ?? 0);
    return { page, perPage, totalItems: total, totalPages: Math.ceil(total / perPage), items };
  },
);

app.post<{ Body: { title?: string; n?: number; flag?: boolean; owner?: string } }>(
  "/api/collections/posts/records",
  async (req) => {
    const b = req.body ?? {};
    const ts = now();
    const row = {
      id: newId(),
      title: b.title ?? "",
      n: b.n ?? 0,
      flag: b.flag ? 1 : 0,
      owner: b.owner ?? "",
    };
    insertStmt.run(row.id, row.title, row.n, row.flag, row.owner, ts, ts);
    return toRecord({ ...row, created: ts, updated: ts });
  },
);

const close = async (): Promise<void> => {
  await app.close();
  db.close();
  process.exit(0);
};
process.once("SIGTERM", () => void close());
process.once("SIGINT", () => void close());

await app.listen({ host: "127.0.0.1", port: Number(values.port) });
