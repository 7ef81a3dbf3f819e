// SQLite baseline for `npm run bench`: the least a PocketBase-style server must do for the benchmarked routes —
// bare Fastify (bench/baseline-app.ts) + node:sqlite prepared statements on a copy of Plinth's database.
// Usage: node bench/baseline-server.ts --db PATH --port PORT
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { serveBaseline } from "./baseline-app.ts";

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

await serveBaseline(
  {
    collectionId: collectionId("posts"),
    view: async (id) => viewStmt.get(id),
    list: async (perPage, offset) => listStmt.all(500, 1, perPage, offset),
    count: async () => Number(countStmt.get(500, 1)?.["c"] ?? 0),
    insert: async (r) =>
      void insertStmt.run(r.id, r.title, r.n, r.flag ? 1 : 0, r.owner, r.created, r.updated),
    close: async () => db.close(),
  },
  Number(values.port),
);
