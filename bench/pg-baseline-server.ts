// PostgreSQL baseline for `npm run bench`: bare Fastify (bench/baseline-app.ts) + `pg` with named prepared
// statements over the very tables Plinth-on-PostgreSQL seeded, with a pool configured like Plinth's
// (src/adapters/store/postgres/postgres-driver.ts: 10 connections, same timeouts). The SQL is Plinth's own for
// these routes: quoted identifiers, `n` compared as double precision, the bool filter as a literal.
// Usage: node bench/pg-baseline-server.ts --db postgres://…?options=-c%20search_path%3D<schema> --port PORT
import { parseArgs } from "node:util";
import pg from "pg";
import { serveBaseline } from "./baseline-app.ts";

const { values } = parseArgs({ options: { db: { type: "string" }, port: { type: "string" } } });
if (!values.db || !values.port) {
  process.stderr.write("usage: pg-baseline-server.ts --db URL --port PORT\n");
  process.exit(2);
}

/** Plinth's pool size and timeouts, so the two servers have the same number of connections to work with. */
const pool = new pg.Pool({
  connectionString: values.db,
  max: 10,
  connectionTimeoutMillis: 5_000,
  idleTimeoutMillis: 30_000,
  application_name: "plinth-bench-baseline",
  statement_timeout: 30_000,
});
pool.on("error", () => {
  // an idle connection dropped; the pool replaces it
});

const WHERE = `WHERE ("posts"."n" > $1::double precision AND "posts"."flag" = TRUE)`;
const VIEW = { name: "bench_view", text: `SELECT * FROM "posts" WHERE "posts"."id" = $1 LIMIT 1` };
const LIST = {
  name: "bench_list",
  text: `SELECT * FROM "posts" ${WHERE} ORDER BY "posts"."n" DESC LIMIT $2`,
};
const LIST_PAGE = { name: "bench_list_page", text: `${LIST.text} OFFSET $3` };
// COUNT(*) rather than PocketBase's COUNT(DISTINCT id), as in the SQLite baseline (and as Plinth does).
const COUNT = { name: "bench_count", text: `SELECT COUNT(*) AS "n" FROM "posts" ${WHERE}` };
const INSERT = {
  name: "bench_insert",
  text: `INSERT INTO "posts" ("id", "title", "n", "flag", "owner", "created", "updated") VALUES ($1, $2, $3, $4, $5, $6, $7)`,
};

const idRow = await pool.query<{ id: string }>(`SELECT "id" FROM "_collections" WHERE "name" = $1`, [
  "posts",
]);

await serveBaseline(
  {
    collectionId: idRow.rows[0]?.id ?? "posts",
    view: async (id) => (await pool.query({ ...VIEW, values: [id] })).rows[0],
    list: async (perPage, offset) =>
      (
        await pool.query(
          offset === 0
            ? { ...LIST, values: [500, perPage] }
            : { ...LIST_PAGE, values: [500, perPage, offset] },
        )
      ).rows,
    count: async () => Number((await pool.query({ ...COUNT, values: [500] })).rows[0]?.["n"] ?? 0),
    insert: async (r) =>
      void (await pool.query({
        ...INSERT,
        values: [r.id, r.title, r.n, r.flag, r.owner, r.created, r.updated],
      })),
    close: () => pool.end(),
  },
  Number(values.port),
);
