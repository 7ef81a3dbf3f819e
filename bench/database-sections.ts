// The per-database halves of `npm run bench`: start Plinth, seed it through its API, start the baseline on
// the same data, run the case table, stop both. See bench/README.md.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { LoadOptions } from "./cases.ts";
import { type ChildRegistry, delay } from "./child.ts";
import { runCaseTable } from "./measure.ts";
import { type BenchSchema, describeUrl, removeCreatedPosts, vacuumAnalyze } from "./postgres-schema.ts";
import type { DatabaseSection, PostgresSection } from "./report.ts";
import { readRssKb } from "./rss.ts";
import { type Seeded, seed } from "./seed.ts";
import { createSuperuser, type PlinthData, type Server, startPlinth, startServer } from "./servers.ts";

const SETTLE_MS = 2_000;

/** What every section needs. */
export interface BenchContext {
  readonly registry: ChildRegistry;
  /** The run's temporary directory (removed at the end). */
  readonly tmp: string;
  readonly load: LoadOptions;
  readonly records: number;
  readonly superuser: { readonly email: string; readonly password: string };
  readonly log: (line: string) => void;
}

/** A finished section: its numbers, and the seeded data the workers comparison reuses. */
export interface SectionOutcome<S extends DatabaseSection> {
  readonly section: S;
  readonly seeded: Seeded;
  readonly data: PlinthData;
}

/** Superuser via the CLI, `plinth serve`, seeding through the API. */
async function startAndSeed(ctx: BenchContext, data: PlinthData, label: string) {
  ctx.log(`${label}: creating superuser`);
  await createSuperuser(ctx.registry, data, ctx.superuser);
  ctx.log(`${label}: starting plinth`);
  const plinth = await startPlinth(ctx.registry, data, { name: `plinth ${label}`, workers: 1 });
  ctx.log(`${label}: plinth healthy after ${plinth.healthyMs.toFixed(0)} ms (pid ${plinth.child.pid})`);
  const t0 = performance.now();
  const seeded = await seed({
    base: plinth.base,
    superuser: ctx.superuser,
    perCollection: ctx.records,
    ownedShare: 0.8,
    log: (line) => ctx.log(`${label}: ${line}`),
  });
  ctx.log(`${label}: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { plinth, seeded };
}

/** Idle RSS of both servers, the case table, then both servers stopped. */
async function measureSection(
  ctx: BenchContext,
  database: "sqlite" | "postgres",
  servers: { plinth: Server; baseline: Server; seeded: Seeded; plinthIdleRssKb: number | undefined },
  afterCreate?: () => Promise<void>,
): Promise<DatabaseSection> {
  const { plinth, baseline, seeded } = servers;
  try {
    await delay(500);
    const baselineIdleRssKb = readRssKb(baseline.child.pid);
    const table = await runCaseTable({
      database,
      plinth,
      baseline,
      seeded,
      load: ctx.load,
      log: ctx.log,
      ...(afterCreate === undefined ? {} : { afterCreate }),
    });
    return {
      startToHealthyMs: Math.round(plinth.healthyMs),
      plinthIdleRssKb: servers.plinthIdleRssKb,
      plinthPeakRssKb: table.plinthPeakRssKb,
      baselineIdleRssKb,
      baselinePeakRssKb: table.baselinePeakRssKb,
      cases: table.cases,
    };
  } finally {
    await ctx.registry.stop(plinth.child);
    await ctx.registry.stop(baseline.child);
  }
}

/** Plinth on its embedded SQLite file against bare Fastify + node:sqlite on a copy of that file. */
export async function runSqliteSection(ctx: BenchContext): Promise<SectionOutcome<DatabaseSection>> {
  const data: PlinthData = { dir: join(ctx.tmp, "plinth") };
  const baselineDir = join(ctx.tmp, "baseline");
  mkdirSync(baselineDir);
  const { plinth, seeded } = await startAndSeed(ctx, data, "sqlite");
  // A consistent copy of Plinth's database for the baseline (VACUUM INTO reads a snapshot; WAL allows it live).
  const src = new DatabaseSync(join(data.dir, "data.db"));
  src.exec(`VACUUM INTO '${join(baselineDir, "data.db").replaceAll("'", "''")}'`);
  src.close();
  await delay(SETTLE_MS);
  const plinthIdleRssKb = readRssKb(plinth.child.pid);
  const baseline = await startServer(ctx.registry, "baseline sqlite", (port) => [
    "bench/baseline-server.ts",
    "--db",
    join(baselineDir, "data.db"),
    "--port",
    String(port),
  ]);
  const section = await measureSection(ctx, "sqlite", { plinth, baseline, seeded, plinthIdleRssKb });
  return { section, seeded, data };
}

/**
 * Plinth on PostgreSQL (its own schema) against bare Fastify + `pg` reading the same tables. Both servers'
 * create case insert into the same `posts`, so the rows each adds are removed before the next case.
 */
export async function runPostgresSection(
  ctx: BenchContext,
  schema: BenchSchema,
  serverVersion: string,
): Promise<SectionOutcome<PostgresSection>> {
  const data: PlinthData = { dir: join(ctx.tmp, "plinth-postgres"), db: schema.url };
  const { plinth, seeded } = await startAndSeed(ctx, data, "postgres");
  await vacuumAnalyze(schema.url, ["posts", "owned", "users"]);
  await delay(SETTLE_MS);
  const plinthIdleRssKb = readRssKb(plinth.child.pid);
  const baseline = await startServer(ctx.registry, "baseline postgres", (port) => [
    "bench/pg-baseline-server.ts",
    "--db",
    schema.url,
    "--port",
    String(port),
  ]);
  const removed: number[] = [];
  const section = await measureSection(
    ctx,
    "postgres",
    { plinth, baseline, seeded, plinthIdleRssKb },
    async () => void removed.push(await removeCreatedPosts(schema.url)),
  );
  return {
    section: {
      ...section,
      server: describeUrl(schema.url),
      serverVersion,
      schema: schema.name,
      insertMode: seeded.insertMode,
      createdRowsRemoved: removed,
    },
    seeded,
    data,
  };
}
