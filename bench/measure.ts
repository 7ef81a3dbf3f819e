import {
  BASELINE_CASES,
  type BenchCase,
  CASES,
  type Database,
  type LoadOptions,
  type Measure,
  runLoad,
  smokeCheck,
} from "./cases.ts";
import { type CpuSplit, startCpuMeter } from "./cpu.ts";
import type { CaseResult } from "./report.ts";
import { verdictFor } from "./report.ts";
import { startRssSampler } from "./rss.ts";
import type { Seeded } from "./seed.ts";
import type { Server } from "./servers.ts";

const MAX_NON2XX_SHARE = 0.01;

/** One load run against one server; `error` is set when it could not run or too many requests failed. */
export interface RunResult {
  readonly m: Measure | undefined;
  readonly peakKb: number | undefined;
  readonly cpu: CpuSplit | undefined;
  readonly error: string | undefined;
}

/** Runs one case against one server with RSS and CPU meters on its process (tree); errors become a string. */
export async function measure(
  server: Server,
  c: BenchCase,
  seeded: Seeded,
  load: LoadOptions,
): Promise<RunResult> {
  const requests = c.requests(seeded);
  const smoke = await smokeCheck(server.base, requests).catch((e: Error) => e.message);
  if (smoke !== undefined)
    return { m: undefined, peakKb: undefined, cpu: undefined, error: `${server.child.name}: ${smoke}` };
  const sampler = startRssSampler(server.child.pid, 200);
  let cpuMeter: ReturnType<typeof startCpuMeter> | undefined;
  let m: Measure;
  let peakKb: number | undefined;
  let cpu: CpuSplit | undefined;
  try {
    m = await runLoad(server.base, requests, load, () => {
      cpuMeter = startCpuMeter(server.child.pid);
    });
  } finally {
    cpu = cpuMeter?.stop();
    peakKb = sampler.stop().peakKb;
  }
  const bad = m.non2xx + m.errors;
  const error =
    bad > m.requests * MAX_NON2XX_SHARE
      ? `${server.child.name}: ${bad} of ${m.requests} requests failed (${JSON.stringify(m.statusCodes)})`
      : undefined;
  return { m, peakKb, cpu, error };
}

const maxOf = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

/** The case table of one database, with the peak RSS each server reached. */
export interface CaseTable {
  readonly cases: CaseResult[];
  readonly plinthPeakRssKb: number | undefined;
  readonly baselinePeakRssKb: number | undefined;
}

/**
 * Runs every case against the baseline (once per baseline case, first) and against Plinth, never both at
 * once. `afterCreate` runs after each create run (e.g. to remove the rows it added from a shared table).
 */
export async function runCaseTable(opts: {
  readonly database: Database;
  readonly plinth: Server;
  readonly baseline: Server;
  readonly seeded: Seeded;
  readonly load: LoadOptions;
  readonly log: (line: string) => void;
  readonly afterCreate?: () => Promise<void>;
}): Promise<CaseTable> {
  const { plinth, baseline, seeded, load, log } = opts;
  const baselineResults = new Map<string, RunResult>();
  const cases: CaseResult[] = [];
  let plinthPeak: number | undefined;
  let baselinePeak: number | undefined;

  for (const c of CASES) {
    if (!baselineResults.has(c.baseline)) {
      const bc = BASELINE_CASES.find((x) => x.id === c.baseline);
      if (bc === undefined) throw new Error(`no baseline case ${c.baseline}`);
      log(`${opts.database} baseline: ${bc.title}`);
      const r = await measure(baseline, bc, seeded, load);
      if (bc.id === "create") await opts.afterCreate?.();
      baselinePeak = maxOf(baselinePeak, r.peakKb);
      baselineResults.set(c.baseline, r);
    }
    log(`${opts.database} plinth:   ${c.title}`);
    const p = await measure(plinth, c, seeded, load);
    if (c.id === "create") await opts.afterCreate?.();
    plinthPeak = maxOf(plinthPeak, p.peakKb);
    const b = baselineResults.get(c.baseline);
    const error = p.error ?? b?.error;
    const ratio = p.m && b?.m && b.m.rps > 0 ? p.m.rps / b.m.rps : undefined;
    const target = c.targets[opts.database];
    cases.push({
      id: c.id,
      title: c.title,
      baselineCase: c.baseline,
      plinth: p.m,
      baseline: b?.m,
      ratio,
      target,
      verdict: verdictFor(ratio, target, error),
      plinthPeakRssKb: p.peakKb,
      plinthCpu: p.cpu,
      baselineCpu: b?.cpu,
      ...(error === undefined ? {} : { error }),
    });
  }
  return { cases, plinthPeakRssKb: plinthPeak, baselinePeakRssKb: baselinePeak };
}
