import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseId, Database, Measure } from "./cases.ts";
import type { CpuSplit } from "./cpu.ts";
import { toMarkdown } from "./report-markdown.ts";

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

export { toMarkdown };
