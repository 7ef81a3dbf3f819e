// `npm run bench`: starts Plinth and a bare Fastify + node:sqlite baseline as child processes, seeds data through
// Plinth's API, runs each case against both (one at a time) and writes bench/results/. See bench/README.md.
import { execFileSync } from "node:child_process";
import { cpus, tmpdir } from "node:os";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { fileURLToPath } from "node:url";
import { BASELINE_CASES, CASES, type LoadOptions, type Measure, runLoad, smokeCheck } from "./cases.ts";
import {
  type Child,
  type ChildRegistry,
  createChildRegistry,
  delay,
  freePort,
  waitHealthy,
} from "./child.ts";
import { readRssKb, startRssSampler } from "./rss.ts";
import { type BenchReport, type CaseResult, toMarkdown, verdictFor, writeReport } from "./report.ts";
import { seed } from "./seed.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const HEALTH_DEADLINE_MS = 30_000;
const SETTLE_MS = 2_000;
const MAX_NON2XX_SHARE = 0.01;

function envNumber(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < min || v > max)
    throw new Error(`${name} must be a number in [${min}, ${max}], got "${raw}"`);
  return v;
}

const log = (line: string): void => void process.stderr.write(`[bench] ${line}\n`);

function gitCommit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

async function runToExit(
  registry: ChildRegistry,
  name: string,
  args: string[],
  timeoutMs: number,
): Promise<void> {
  const child = registry.start(name, args, ROOT);
  const code = await Promise.race([child.exited, delay(timeoutMs).then(() => "timeout")]);
  if (code === "timeout") await registry.stop(child);
  if (code !== "0") throw new Error(`${name} failed (${code}):\n${child.output()}`);
}

async function startServer(registry: ChildRegistry, name: string, args: (port: number) => string[]) {
  const port = await freePort();
  const startedAt = performance.now();
  const child = registry.start(name, args(port), ROOT);
  const base = `http://127.0.0.1:${port}`;
  const healthyMs = await waitHealthy(`${base}/api/health`, child, {
    startedAt,
    deadlineMs: HEALTH_DEADLINE_MS,
  });
  return { child, base, healthyMs };
}

/** Runs one case against one server with an RSS sampler on its process; errors become a string. */
async function measure(
  server: { child: Child; base: string },
  c: (typeof CASES)[number],
  seeded: Parameters<(typeof CASES)[number]["requests"]>[0],
  load: LoadOptions,
): Promise<{ m: Measure | undefined; peakKb: number | undefined; error: string | undefined }> {
  const requests = c.requests(seeded);
  const smoke = await smokeCheck(server.base, requests).catch((e: Error) => e.message);
  if (smoke !== undefined)
    return { m: undefined, peakKb: undefined, error: `${server.child.name}: ${smoke}` };
  const sampler = startRssSampler(server.child.pid, 200);
  let m: Measure;
  let peakKb: number | undefined;
  try {
    m = await runLoad(server.base, requests, load);
  } finally {
    peakKb = sampler.stop().peakKb;
  }
  const bad = m.non2xx + m.errors;
  const error =
    bad > m.requests * MAX_NON2XX_SHARE
      ? `${server.child.name}: ${bad} of ${m.requests} requests failed (${JSON.stringify(m.statusCodes)})`
      : undefined;
  return { m, peakKb, error };
}

async function main(): Promise<number> {
  if (Number(process.versions.node.split(".")[0]) < 24)
    throw new Error(`Node 24+ required, this is ${process.version}`);
  const durationSec = envNumber("BENCH_DURATION", 10, 1, 15);
  const connections = envNumber("BENCH_CONNECTIONS", 50, 1, 1000);
  const records = envNumber("BENCH_RECORDS", 10_000, 100, 1_000_000);
  const load: LoadOptions = { durationSec, connections, warmupSec: durationSec >= 5 ? 2 : 1 };

  const registry = createChildRegistry();
  const tmp = mkdtempSync(join(tmpdir(), "plinth-bench-"));
  let cleaned = false;
  const cleanup = async (): Promise<void> => {
    if (cleaned) return;
    cleaned = true;
    await registry.stopAll();
    rmSync(tmp, { recursive: true, force: true });
  };
  const onSigint = (): void => {
    log("interrupted, stopping children");
    void cleanup().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSigint);
  process.once("SIGTERM", onSigint);

  try {
    const plinthDir = join(tmp, "plinth");
    const baselineDir = join(tmp, "baseline");
    mkdirSync(baselineDir);
    const superuser = { email: "bench-admin@example.com", password: "bench-admin-password" };
    const plinthArgs = (more: string[]): string[] => ["bin/plinth.js", ...more, "--dir", plinthDir];

    log("creating superuser");
    await runToExit(
      registry,
      "plinth superuser",
      plinthArgs(["superuser", "upsert", superuser.email, superuser.password]),
      60_000,
    );

    log("starting plinth");
    const plinth = await startServer(registry, "plinth", (port) =>
      plinthArgs(["serve", "--http", `127.0.0.1:${port}`, "--log-level", "silent"]),
    );
    log(`plinth healthy after ${plinth.healthyMs.toFixed(0)} ms (pid ${plinth.child.pid})`);

    const t0 = performance.now();
    const seeded = await seed({ base: plinth.base, superuser, perCollection: records, ownedShare: 0.8, log });
    log(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    // A consistent copy of Plinth's database for the baseline (VACUUM INTO reads a snapshot; WAL allows it live).
    const src = new DatabaseSync(join(plinthDir, "data.db"));
    src.exec(`VACUUM INTO '${join(baselineDir, "data.db").replaceAll("'", "''")}'`);
    src.close();

    await delay(SETTLE_MS);
    const plinthIdleRssKb = readRssKb(plinth.child.pid);
    const baseline = await startServer(registry, "baseline", (port) => [
      "bench/baseline-server.ts",
      "--db",
      join(baselineDir, "data.db"),
      "--port",
      String(port),
    ]);
    await delay(500);
    const baselineIdleRssKb = readRssKb(baseline.child.pid);

    const baselineResults = new Map<
      string,
      { m: Measure | undefined; error: string | undefined; peakKb?: number }
    >();
    const cases: CaseResult[] = [];
    let plinthPeak: number | undefined;
    let baselinePeak: number | undefined;
    const maxOf = (a: number | undefined, b: number | undefined): number | undefined =>
      a === undefined ? b : b === undefined ? a : Math.max(a, b);

    for (const c of CASES) {
      if (!baselineResults.has(c.baseline)) {
        const bc = BASELINE_CASES.find((x) => x.id === c.baseline);
        if (bc === undefined) throw new Error(`no baseline case ${c.baseline}`);
        log(`baseline: ${bc.title}`);
        const r = await measure(baseline, bc, seeded, load);
        baselinePeak = maxOf(baselinePeak, r.peakKb);
        baselineResults.set(c.baseline, r);
      }
      log(`plinth:   ${c.title}`);
      const p = await measure(plinth, c, seeded, load);
      plinthPeak = maxOf(plinthPeak, p.peakKb);
      const b = baselineResults.get(c.baseline);
      const error = p.error ?? b?.error;
      const ratio = p.m && b?.m && b.m.rps > 0 ? p.m.rps / b.m.rps : undefined;
      cases.push({
        id: c.id,
        title: c.title,
        baselineCase: c.baseline,
        plinth: p.m,
        baseline: b?.m,
        ratio,
        target: c.target,
        verdict: verdictFor(ratio, c.target, error),
        plinthPeakRssKb: p.peakKb,
        ...(error === undefined ? {} : { error }),
      });
    }

    const report: BenchReport = {
      timestamp: new Date().toISOString(),
      env: {
        node: process.version,
        cpus: cpus().length,
        platform: `${process.platform}-${process.arch}`,
        commit: gitCommit(),
      },
      settings: {
        durationSec,
        warmupSec: load.warmupSec,
        connections,
        recordsPerCollection: records,
        insertMode: seeded.insertMode,
      },
      startToHealthyMs: Math.round(plinth.healthyMs),
      plinthIdleRssKb,
      plinthPeakRssKb: plinthPeak,
      baselineIdleRssKb,
      baselinePeakRssKb: baselinePeak,
      cases,
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
