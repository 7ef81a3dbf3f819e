import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseId, Database, Measure } from "./cases.ts";
import type { CpuSplit } from "./cpu.ts";
import type { SlowestEvent } from "./realtime-tracker.ts";
import { realtimeOnlyMarkdown, toMarkdown } from "./report-markdown.ts";

/**
 * PASS/FAIL against the target, "—" when the case has none, "N/A" when the target's condition does not
 * hold on this machine (it is reported, not judged), ERROR when it could not run.
 */
export type Verdict = "PASS" | "FAIL" | "—" | "N/A" | "ERROR";

/** One case's outcome. */
export interface CaseResult {
  readonly id: CaseId;
  readonly title: string;
  /** Which baseline case the ratio divides by. */
  readonly baselineCase: string;
  readonly plinth: Measure | undefined;
  readonly baseline: Measure | undefined;
  /** Plinth req/s ÷ baseline req/s. */
  readonly ratio: number | undefined;
  readonly target: number | undefined;
  readonly verdict: Verdict;
  /** Peak VmRSS of the Plinth process during this case, KiB. */
  readonly plinthPeakRssKb: number | undefined;
  /** Where the CPU went during Plinth's and the baseline's measured runs. */
  readonly plinthCpu?: CpuSplit | undefined;
  readonly baselineCpu?: CpuSplit | undefined;
  readonly error?: string;
}

/** Start-up, memory and the case table of one database. */
export interface DatabaseSection {
  readonly startToHealthyMs: number;
  readonly plinthIdleRssKb: number | undefined;
  readonly plinthPeakRssKb: number | undefined;
  readonly baselineIdleRssKb: number | undefined;
  readonly baselinePeakRssKb: number | undefined;
  readonly cases: readonly CaseResult[];
}

/** The PostgreSQL section: where it ran, then the same numbers as the SQLite one. */
export interface PostgresSection extends DatabaseSection {
  /** The server without credentials. */
  readonly server: string;
  readonly serverVersion: string;
  /** The bench's own schema (created for the run, dropped after it). */
  readonly schema: string;
  /** How the records were seeded: "batch" or "single". */
  readonly insertMode: string;
  /** Rows removed from `posts` after each create run, so both servers' create starts from the same table. */
  readonly createdRowsRemoved: readonly number[];
}

/** One `--workers` setting's get-by-id run. */
export interface WorkersRun {
  readonly workers: number;
  readonly startToHealthyMs: number | undefined;
  readonly measure: Measure | undefined;
  readonly cpu: CpuSplit | undefined;
}

/** `--workers N` against one worker on one database. */
export interface WorkersResult {
  readonly database: Database;
  readonly caseTitle: string;
  readonly one: WorkersRun;
  readonly many: WorkersRun;
  /** many req/s ÷ one req/s. */
  readonly ratio: number | undefined;
  readonly target: number;
  readonly verdict: Verdict;
  readonly error?: string;
}

/** The workers section. */
export interface WorkersSection {
  readonly workers: number;
  /** os.availableParallelism(). */
  readonly cores: number;
  /** Whether a core is left for the load generator besides one per worker (the target applies only then). */
  readonly coreLeftForLoadGenerator: boolean;
  readonly results: readonly WorkersResult[];
}

/** Server RSS before and after the subscribers connected (idle: no event sent yet), after settling. */
export interface IdleMemory {
  /** After a warm-up connection set was opened and closed, with no connection open. */
  readonly zeroKb: number;
  readonly withConnectionsKb: number;
  /** (withConnections − zero) ÷ connections held, KiB. */
  readonly perConnectionKib: number;
}

/** One realtime case: N subscribers on a fresh server while records are created at a steady rate. */
export interface RealtimeRun {
  readonly id: string;
  readonly title: string;
  readonly transport: "sse" | "ws";
  readonly database: Database;
  /** 1, or 2 sharing the bus (subscribers on B, writes through A). */
  readonly instances: number;
  /** Subscribers asked for. */
  readonly subscribers: number;
  /** Subscribers set up (connected and subscribed). */
  readonly connected: number;
  /** Set-up failures plus connections that failed or were closed during the run. */
  readonly connectionErrors: number;
  /** Connections still open when the run ended. */
  readonly heldToEnd: number;
  /** Seconds the set-up of all subscribers took (not measured). */
  readonly setupSec: number;
  /** Subscription topics in use; more than one when the case spreads subscribers over filters. */
  readonly distinctTopics: number;
  /** Users whose tokens the subscribers carry (0: guests). */
  readonly users: number;
  /** Creates per second asked for, and seconds. */
  readonly ratePerSec: number;
  readonly measuredSec: number;
  readonly events: number;
  readonly createErrors: number;
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  /** Expected (subscriber, event) pairs never received: must be 0. */
  readonly missing: number;
  readonly duplicates: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  readonly deliveriesPerSec: number | undefined;
  /** The create POSTs themselves (send → 2xx), ms: the write path's share of the latency. */
  readonly createP50Ms: number | undefined;
  readonly createP99Ms: number | undefined;
  /** The event whose last delivery came latest, ms after its send (a tail's origin). */
  readonly slowestEvent: SlowestEvent | undefined;
  readonly memory: IdleMemory | undefined;
  /** CPU during the measured run; `serverCores` is the instance holding the subscribers. */
  readonly cpu: CpuSplit | undefined;
  /** CPU time per delivery (µs) of the harness (subscribers and writer) and of the subscribers' server. */
  readonly harnessUsPerDelivery: number | undefined;
  readonly serverUsPerDelivery: number | undefined;
  /** With two instances: the cores of the instance taking the writes (A). */
  readonly writerServerCores?: number | undefined;
  readonly verdicts: {
    /** p99 ≤ target at 1,000 subscribers, with nothing missing. */
    readonly latency: Verdict;
    /** ≤ target KiB per idle connection. */
    readonly memory: Verdict;
    /** Every connection set up and held to the end without error. */
    readonly held: Verdict;
  };
  readonly error?: string;
}

/** A realtime case that could not run here, and why. */
export interface RealtimeSkippedRun {
  readonly id: string;
  readonly title: string;
  readonly skipped: string;
}

/** The realtime section: fan-out latency, throughput, memory per connection, rules, two instances. */
export interface RealtimeSection {
  readonly measuredSec: number;
  /** Soft limit on open files of the harness (and so of the servers it spawns), from /proc/self/limits. */
  readonly openFileLimit: number | undefined;
  readonly setup: { readonly batch: number; readonly pauseMs: number; readonly settleMs: number };
  readonly targets: {
    readonly p99Ms: number;
    readonly perConnectionKib: number;
    readonly held: number;
  };
  readonly subscribersIn: string;
  readonly runs: readonly (RealtimeRun | RealtimeSkippedRun)[];
}

/** A section that did not run, and why. */
export interface Skipped {
  readonly skipped: string;
}

/** Everything one `npm run bench` run measured. The top-level case table is SQLite's. */
export interface BenchReport extends DatabaseSection {
  readonly timestamp: string;
  readonly env: {
    readonly node: string;
    readonly cpus: number;
    readonly availableParallelism: number;
    readonly platform: string;
    readonly commit: string;
    /** Where autocannon runs. */
    readonly loadGenerator: string;
  };
  readonly settings: {
    readonly durationSec: number;
    readonly warmupSec: number;
    readonly connections: number;
    readonly recordsPerCollection: number;
    readonly insertMode: string;
  };
  readonly postgres: PostgresSection | Skipped;
  readonly workers: WorkersSection | Skipped;
  readonly realtime: RealtimeSection | Skipped;
}

/** A run of the realtime section alone (`BENCH_ONLY=realtime`). */
export interface RealtimeOnlyReport {
  readonly timestamp: string;
  readonly env: BenchReport["env"];
  readonly realtime: RealtimeSection | Skipped;
}

/** Judges a ratio against a target. */
export function verdictFor(
  ratio: number | undefined,
  target: number | undefined,
  error: string | undefined,
): Verdict {
  if (error !== undefined || ratio === undefined) return "ERROR";
  if (target === undefined) return "—";
  return ratio >= target ? "PASS" : "FAIL";
}

/** Writes `<timestamp>.json`, `latest.json` and `latest.md` into `dir`; returns the paths written. */
export function writeReport(dir: string, r: BenchReport): string[] {
  mkdirSync(dir, { recursive: true });
  const json = `${JSON.stringify(r, null, 2)}\n`;
  const stamped = join(dir, `${r.timestamp.replace(/[:.]/g, "-")}.json`);
  const paths = [stamped, join(dir, "latest.json"), join(dir, "latest.md")];
  writeFileSync(paths[0] as string, json);
  writeFileSync(paths[1] as string, json);
  writeFileSync(paths[2] as string, toMarkdown(r));
  return paths;
}

/**
 * Writes `<timestamp>-realtime.json` into `dir` (git-ignored) and leaves `latest.*`, the full run's
 * reference, alone; returns the path written.
 */
export function writeRealtimeOnlyReport(dir: string, r: RealtimeOnlyReport): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${r.timestamp.replace(/[:.]/g, "-")}-realtime.json`);
  writeFileSync(path, `${JSON.stringify(r, null, 2)}\n`);
  return path;
}

export { realtimeOnlyMarkdown, toMarkdown };
