// `npm run bench`: Plinth against a bare Fastify baseline doing the same SQL, on SQLite and on PostgreSQL,
// then `--workers N` against one worker on both, then realtime fan-out. Servers are child processes; data
// is seeded through Plinth's API; cases run one server at a time; results go to bench/results/. See
// bench/README.md.
import { execFileSync } from "node:child_process";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Database, LoadOptions } from "./cases.ts";
import { createChildRegistry } from "./child.ts";
import {
  type BenchContext,
  runPostgresSection,
  runSqliteSection,
  type SectionOutcome,
} from "./database-sections.ts";
import {
  type BenchSchema,
  createBenchSchema,
  DEFAULT_POSTGRES_URL,
  describeUrl,
  probePostgres,
} from "./postgres-schema.ts";
import {
  type BenchReport,
  type DatabaseSection,
  type PostgresSection,
  type RealtimeSection,
  realtimeOnlyMarkdown,
  type Skipped,
  type WorkersResult,
  type WorkersSection,
  toMarkdown,
  writeRealtimeOnlyReport,
  writeReport,
} from "./report.ts";
import { ROOT } from "./servers.ts";
import { REALTIME_CASES } from "./realtime-cases.ts";
import { runRealtimeSection } from "./realtime-section.ts";
import { compareWorkers } from "./workers-section.ts";

/** Where autocannon runs, for the report. */
const LOAD_GENERATOR =
  "autocannon in the harness process (one Node thread), on the same machine as the servers";

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max)
    throw new Error(`${name} must be a number in [${min}, ${max}], got "${raw}"`);
  return v;
}

/** BENCH_POSTGRES: a URL, or off/0/false/no to skip; unset = the default URL, skipped if unreachable. */
function postgresSetting(): { url: string; explicit: boolean } | { off: string } {
  const raw = process.env["BENCH_POSTGRES"];
  if (raw === undefined || raw === "") return { url: DEFAULT_POSTGRES_URL, explicit: false };
  if (/^(off|0|false|no)$/i.test(raw)) return { off: `BENCH_POSTGRES=${raw}` };
  if (!/^postgres(ql)?:\/\//.test(raw))
    throw new Error(`BENCH_POSTGRES must be a postgres://… URL or "off", got "${raw}"`);
  return { url: raw, explicit: true };
}

/** BENCH_REALTIME: on (every case), off/0/false/no, or a comma-separated list of case ids. */
function realtimeSetting(): { off: string } | { cases: readonly string[] | undefined } {
  const raw = process.env["BENCH_REALTIME"];
  if (raw === undefined || raw === "" || /^(on|1|true|yes)$/i.test(raw)) return { cases: undefined };
  if (/^(off|0|false|no)$/i.test(raw)) return { off: `BENCH_REALTIME=${raw}` };
  const ids = raw.split(",").map((id) => id.trim());
  const known = REALTIME_CASES.map((c) => c.id);
  const unknown = ids.filter((id) => !known.includes(id));
  if (unknown.length > 0)
    throw new Error(
      `BENCH_REALTIME: "on", "off" or case ids from ${known.join(", ")}; unknown: ${unknown.join(", ")}`,
    );
  return { cases: ids };
}

/** BENCH_ONLY: unset (every section) or "realtime" (that section alone, written beside latest.*). */
function onlyRealtime(): boolean {
  const raw = process.env["BENCH_ONLY"];
  if (raw === undefined || raw === "") return false;
  if (raw === "realtime") return true;
  throw new Error(`BENCH_ONLY must be unset or "realtime", got "${raw}"`);
}

function skipReason(s: object): string {
  return "skipped" in s && typeof s.skipped === "string" ? s.skipped : "not available";
}

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

/** The commit measured, marked when the server's code (src/, bin/) differs from it. */
function gitCommit(): string {
  const git = (args: string[]): string => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();
  try {
    const head = git(["rev-parse", "--short", "HEAD"]);
    return git(["status", "--porcelain", "--", "src", "bin"]) === ""
      ? head
      : `${head} + uncommitted src/bin changes`;
  } catch {
    return "unknown";
  }
}

async function main(): Promise<number> {
  if (Number(process.versions.node.split(".")[0]) < 24)
    throw new Error(`Node 24+ required, this is ${process.version}`);
  const durationSec = envNumber("BENCH_DURATION", 10, 1, 15);
  const connections = envNumber("BENCH_CONNECTIONS", 50, 1, 1000);
  const records = envNumber("BENCH_RECORDS", 10_000, 100, 1_000_000);
  const workers = envNumber("BENCH_WORKERS", 2, 0, 64);
  if (workers === 1) throw new Error("BENCH_WORKERS must be 0 (skip) or at least 2");
  const pgSetting = postgresSetting();
  const realtimeChoice = realtimeSetting();
  const only = onlyRealtime();
  if (only && "off" in realtimeChoice)
    throw new Error("BENCH_ONLY=realtime with BENCH_REALTIME off runs nothing");
  const load: LoadOptions = { durationSec, connections, warmupSec: durationSec >= 5 ? 2 : 1 };
  const cores = availableParallelism();

  const registry = createChildRegistry();
  const tmp = mkdtempSync(join(tmpdir(), "plinth-bench-"));
  /** Schemas this run created and has not dropped yet; dropped on the way out, also on Ctrl-C. */
  const schemas: BenchSchema[] = [];
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await registry.stopAll();
    for (const schema of schemas) {
      await schema.drop().catch((err: Error) => log(`could not drop schema ${schema.name}: ${err.message}`));
    }
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSigint = (): void => {
    log("interrupted, stopping children");
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);

  try {
    const ctx: BenchContext = {
      registry,
      tmp,
      load,
      records,
      superuser: { email: "bench-admin@example.com", password: "bench-admin-password" },
      log,
    };
    const workersResults: WorkersResult[] = [];
    const compare = async (database: Database, outcome: SectionOutcome<DatabaseSection>): Promise<void> => {
      if (workers === 0) return;
      workersResults.push(
        await compareWorkers({
          registry,
          database,
          data: outcome.data,
          workers,
          coreLeft: cores >= workers + 1,
          seeded: outcome.seeded,
          load,
          log,
        }),
      );
    };

    // PostgreSQL is probed first, so an unusable BENCH_POSTGRES fails before minutes of SQLite runs.
    let postgres: PostgresSection | Skipped | { url: string; version: string };
    if ("off" in pgSetting) {
      postgres = { skipped: `turned off (${pgSetting.off})` };
    } else {
      const probe = await probePostgres(pgSetting.url);
      if (probe.ok) {
        postgres = { url: pgSetting.url, version: probe.version };
      } else {
        const why = `cannot connect to ${describeUrl(pgSetting.url)}: ${probe.reason}`;
        if (pgSetting.explicit) throw new Error(`BENCH_POSTGRES: ${why}`);
        log(`PostgreSQL section will be skipped: ${why}`);
        postgres = { skipped: `${why} (set BENCH_POSTGRES to a reachable server, or BENCH_POSTGRES=off)` };
      }
    }

    // taken now: `postgres` becomes the section's result below
    const realtimePostgres = "url" in postgres ? { url: postgres.url } : { skipped: skipReason(postgres) };
    const env = {
      node: process.version,
      cpus: cpus().length,
      availableParallelism: cores,
      platform: `${process.platform}-${process.arch}`,
      commit: gitCommit(),
      loadGenerator: LOAD_GENERATOR,
    };
    const realtime = async (): Promise<RealtimeSection | Skipped> =>
      "off" in realtimeChoice
        ? { skipped: `turned off (${realtimeChoice.off})` }
        : runRealtimeSection({
            cases: realtimeChoice.cases,
            registry,
            tmp,
            durationSec,
            superuser: ctx.superuser,
            postgres: realtimePostgres,
            onSchema: (s) => void schemas.push(s),
            log,
          });

    if (only) {
      const report = { timestamp: new Date().toISOString(), env, realtime: await realtime() };
      const path = writeRealtimeOnlyReport(join(ROOT, "bench", "results"), report);
      process.stdout.write(realtimeOnlyMarkdown(report));
      log(`wrote ${path}`);
      return 0;
    }

    const sqlite = await runSqliteSection(ctx);
    await compare("sqlite", sqlite);

    if ("url" in postgres) {
      const schema = await createBenchSchema(postgres.url);
      schemas.push(schema);
      log(`postgres: ${postgres.version}, schema ${schema.name}`);
      const pg = await runPostgresSection(ctx, schema, postgres.version);
      await compare("postgres", pg);
      postgres = pg.section;
    }

    const workersSection: WorkersSection | Skipped =
      workers === 0
        ? { skipped: "BENCH_WORKERS=0" }
        : { workers, cores, coreLeftForLoadGenerator: cores >= workers + 1, results: workersResults };

    const realtimeSection = await realtime();

    const report: BenchReport = {
      timestamp: new Date().toISOString(),
      env,
      settings: {
        durationSec,
        warmupSec: load.warmupSec,
        connections,
        recordsPerCollection: records,
        insertMode: sqlite.seeded.insertMode,
      },
      ...sqlite.section,
      postgres,
      workers: workersSection,
      realtime: realtimeSection,
    };
    const paths = writeReport(join(ROOT, "bench", "results"), report);
    process.stdout.write(toMarkdown(report));
    log(`wrote ${paths.join(", ")}`);
    return 0;
  } finally {
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
    await cleanup();
  }
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(`[bench] failed: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
