// The realtime section of `npm run bench`: fan-out latency and throughput at 1,000 and 10,000 subscribers
// (SSE and WebSocket), memory per idle connection, the cost of per-subscriber rules, and two instances
// sharing the PostgreSQL bus. Every case runs on a fresh server. See bench/README.md.
import { cpSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildRegistry } from "./child.ts";
import { type BenchSchema, createBenchSchema } from "./postgres-schema.ts";
import { type CaseDef, REALTIME_CASES, REALTIME_TARGETS } from "./realtime-cases.ts";
import { type RunOutcome, type RunSpec, runRealtime } from "./realtime-run.ts";
import { REALTIME_USER, seedRealtime } from "./realtime-seed.ts";
import type { RealtimeRun, RealtimeSection, RealtimeSkippedRun, Verdict } from "./report.ts";
import { createSuperuser, type PlinthData, type Server, startServer, plinthArgs } from "./servers.ts";

/** Longest measured run per case, whatever BENCH_DURATION says, so the section stays within minutes. */
const MAX_MEASURED_SEC = 10;
const SETUP = { batch: 200, pauseMs: 20, settleMs: 2_000 };
/** File descriptors a process needs besides one per connection (modules, database, agents). */
const FD_HEADROOM = 1_000;
/** Every bench client comes from 127.0.0.1: the per-address limit must not be what is measured. */
const PER_IP_LIMIT = "100000";

/** The soft limit on open files of this process (its children inherit it), or undefined. */
export function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "utf8"));
    if (m?.[1] === undefined) return undefined;
    return m[1] === "unlimited" ? Number.POSITIVE_INFINITY : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** What the section needs from the run. */
export interface RealtimeContext {
  readonly registry: ChildRegistry;
  readonly tmp: string;
  readonly durationSec: number;
  /** Case ids to run (BENCH_REALTIME=id,id); undefined = every case. */
  readonly cases: readonly string[] | undefined;
  readonly superuser: { readonly email: string; readonly password: string };
  /** The PostgreSQL server for the two-instance case, or why there is none. */
  readonly postgres: { readonly url: string } | { readonly skipped: string };
  /** Called with the schema the two-instance case creates, so an interrupted run can drop it. */
  readonly onSchema: (schema: BenchSchema) => void;
  readonly log: (line: string) => void;
}

function startRealtimePlinth(ctx: RealtimeContext, data: PlinthData, name: string): Promise<Server> {
  return startServer(ctx.registry, name, (port) =>
    plinthArgs(data, [
      "serve",
      "--http",
      `127.0.0.1:${port}`,
      "--log-level",
      "silent",
      "--workers",
      "1",
      "--realtime-max-connections-per-ip",
      PER_IP_LIMIT,
    ]),
  );
}

/** A SQLite data directory with the superuser, collections and user, copied for every case. */
async function prepareTemplate(ctx: RealtimeContext): Promise<PlinthData> {
  const data: PlinthData = { dir: join(ctx.tmp, "realtime-template") };
  await createSuperuser(ctx.registry, data, ctx.superuser);
  const server = await startRealtimePlinth(ctx, data, "plinth realtime template");
  try {
    await seedRealtime(server.base, ctx.superuser);
  } finally {
    await ctx.registry.stop(server.child);
  }
  return data;
}

const creds = (ctx: RealtimeContext) => ({ superuser: ctx.superuser, user: REALTIME_USER });

/** One case on SQLite: a fresh server on a copy of the template. */
async function onSqlite(ctx: RealtimeContext, def: CaseDef, spec: RunSpec, template: PlinthData) {
  const data: PlinthData = { dir: join(ctx.tmp, `realtime-${def.id}`) };
  cpSync(template.dir, data.dir, { recursive: true });
  const server = await startRealtimePlinth(ctx, data, `plinth realtime ${def.id}`);
  try {
    return await runRealtime(spec, { subscribe: server, write: server }, creds(ctx), ctx.log);
  } finally {
    await ctx.registry.stop(server.child);
  }
}

/** Two instances on one fresh PostgreSQL schema: A seeded first, then B; subscribers on B. */
async function onTwoInstances(ctx: RealtimeContext, def: CaseDef, spec: RunSpec, url: string) {
  const schema = await createBenchSchema(url);
  ctx.onSchema(schema);
  const started: Server[] = [];
  try {
    const dataA: PlinthData = { dir: join(ctx.tmp, `realtime-${def.id}-a`), db: schema.url };
    const dataB: PlinthData = { dir: join(ctx.tmp, `realtime-${def.id}-b`), db: schema.url };
    await createSuperuser(ctx.registry, dataA, ctx.superuser);
    const a = await startRealtimePlinth(ctx, dataA, `plinth realtime ${def.id} A`);
    started.push(a);
    await seedRealtime(a.base, ctx.superuser);
    // B starts after the collections exist, so it reads them at start-up
    const b = await startRealtimePlinth(ctx, dataB, `plinth realtime ${def.id} B`);
    started.push(b);
    return await runRealtime(spec, { subscribe: b, write: a }, creds(ctx), ctx.log);
  } finally {
    for (const s of started) await ctx.registry.stop(s.child);
    await schema
      .drop()
      .catch((err: Error) => ctx.log(`could not drop schema ${schema.name}: ${err.message}`));
  }
}

function verdicts(def: CaseDef, o: RunOutcome | undefined): RealtimeRun["verdicts"] {
  if (o === undefined) {
    const e = (judged: boolean): Verdict => (judged ? "ERROR" : "—");
    return { latency: e(def.judge.latency), memory: e(def.judge.memory), held: e(def.judge.held) };
  }
  const complete = o.stats.missing === 0 && o.connectionErrors === 0 && o.stats.createErrors === 0;
  const p99 = o.stats.p99Ms;
  const latency: Verdict = !def.judge.latency
    ? "—"
    : p99 === undefined
      ? "ERROR"
      : complete && p99 <= REALTIME_TARGETS.p99Ms
        ? "PASS"
        : "FAIL";
  const kib = o.memory?.perConnectionKib;
  const memory: Verdict = !def.judge.memory
    ? "—"
    : kib === undefined
      ? "ERROR"
      : kib <= REALTIME_TARGETS.perConnectionKib
        ? "PASS"
        : "FAIL";
  const held: Verdict = !def.judge.held
    ? "—"
    : o.connectionErrors === 0 && o.heldToEnd === def.subscribers
      ? "PASS"
      : "FAIL";
  return { latency, memory, held };
}

/** CPU µs per delivery of a process that used `cores` during the measured run. */
function perDelivery(cores: number | undefined, o: RunOutcome | undefined): number | undefined {
  if (cores === undefined || o?.cpu === undefined || o.stats.deliveries === 0) return undefined;
  return Number(((cores * o.cpu.wallSec * 1e6) / o.stats.deliveries).toFixed(1));
}

function toRun(
  def: CaseDef,
  spec: RunSpec,
  o: RunOutcome | undefined,
  error: string | undefined,
): RealtimeRun {
  const s = o?.stats;
  return {
    id: def.id,
    title: def.title,
    transport: def.transport,
    database: def.twoInstances ? "postgres" : "sqlite",
    instances: def.twoInstances ? 2 : 1,
    subscribers: def.subscribers,
    connected: o?.connected ?? 0,
    connectionErrors: o?.connectionErrors ?? 0,
    heldToEnd: o?.heldToEnd ?? 0,
    setupSec: Number((o?.setupSec ?? 0).toFixed(1)),
    distinctTopics: o?.distinctTopics ?? 0,
    users: def.asUser ? 1 : 0,
    ratePerSec: def.ratePerSec,
    measuredSec: spec.measuredSec,
    events: s?.events ?? 0,
    createErrors: s?.createErrors ?? 0,
    expectedDeliveries: s?.expectedDeliveries ?? 0,
    deliveries: s?.deliveries ?? 0,
    missing: s?.missing ?? 0,
    duplicates: s?.duplicates ?? 0,
    p50Ms: s?.p50Ms,
    p99Ms: s?.p99Ms,
    maxMs: s?.maxMs,
    deliveriesPerSec: s?.deliveriesPerSec,
    createP50Ms: s?.createP50Ms,
    createP99Ms: s?.createP99Ms,
    slowestEvent: s?.slowestEvent,
    memory: o?.memory,
    cpu: o?.cpu,
    harnessUsPerDelivery: perDelivery(o?.cpu?.loadGeneratorCores, o),
    serverUsPerDelivery: perDelivery(o?.cpu?.serverCores, o),
    ...(o?.writerServerCores === undefined ? {} : { writerServerCores: o.writerServerCores }),
    verdicts: verdicts(def, o),
    ...(error === undefined ? {} : { error }),
  };
}

/** Runs every realtime case, one fresh server (or pair) at a time. */
export async function runRealtimeSection(ctx: RealtimeContext): Promise<RealtimeSection> {
  const measuredSec = Math.min(ctx.durationSec, MAX_MEASURED_SEC);
  const limit = openFileLimit();
  ctx.log("realtime: preparing the template database");
  const template = await prepareTemplate(ctx);
  const runs: (RealtimeRun | RealtimeSkippedRun)[] = [];
  const chosen = REALTIME_CASES.filter((c) => ctx.cases === undefined || ctx.cases.includes(c.id));
  for (const def of chosen) {
    const need = def.subscribers + FD_HEADROOM;
    if (limit !== undefined && limit < need) {
      runs.push({
        id: def.id,
        title: def.title,
        skipped:
          `the open-file limit is ${limit} (ulimit -n), and each of the harness and the server needs about ` +
          `${need} for ${def.subscribers.toLocaleString("en")} connections: raise it (ulimit -n ${need} or more) ` +
          "and run again",
      });
      continue;
    }
    if (def.twoInstances && "skipped" in ctx.postgres) {
      runs.push({ id: def.id, title: def.title, skipped: `PostgreSQL: ${ctx.postgres.skipped}` });
      continue;
    }
    const spec: RunSpec = {
      transport: def.transport,
      subscribers: def.subscribers,
      ratePerSec: def.ratePerSec,
      measuredSec,
      collection: def.collection,
      filters: def.filters,
      filterShapes: def.filterShapes,
      asUser: def.asUser,
      setup: SETUP,
    };
    ctx.log(`realtime: ${def.id}: ${def.title}`);
    let outcome: RunOutcome | undefined;
    let error: string | undefined;
    try {
      outcome =
        "url" in ctx.postgres && def.twoInstances
          ? await onTwoInstances(ctx, def, spec, ctx.postgres.url)
          : await onSqlite(ctx, def, spec, template);
      if (outcome.failures.length > 0) error = `connection failures: ${outcome.failures.join("; ")}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const run = toRun(def, spec, outcome, error);
    ctx.log(
      `  p50 ${run.p50Ms?.toFixed(1) ?? "—"} ms, p99 ${run.p99Ms?.toFixed(1) ?? "—"} ms, ` +
        `${run.deliveriesPerSec?.toFixed(0) ?? "—"} deliveries/s, missing ${run.missing}, ` +
        `connection errors ${run.connectionErrors}` +
        `, create p99 ${run.createP99Ms?.toFixed(1) ?? "—"} ms` +
        (run.slowestEvent
          ? `, slowest event #${run.slowestEvent.index}: create ${run.slowestEvent.createMs} ms, deliveries ` +
            `${run.slowestEvent.firstDeliveryMs}–${run.slowestEvent.lastDeliveryMs} ms`
          : "") +
        (run.memory ? `, ${run.memory.perConnectionKib.toFixed(1)} KiB/connection` : "") +
        (run.cpu ? `, harness ${run.cpu.loadGeneratorCores.toFixed(2)} cores` : "") +
        (error ? ` — ${error}` : ""),
    );
    runs.push(run);
  }
  return {
    measuredSec,
    openFileLimit: limit === Number.POSITIVE_INFINITY ? undefined : limit,
    setup: SETUP,
    targets: REALTIME_TARGETS,
    subscribersIn: "the harness process (one Node thread), on the same machine as the servers",
    runs,
  };
}
