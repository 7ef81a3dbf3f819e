import { CASES, type Database, type LoadOptions } from "./cases.ts";
import type { ChildRegistry } from "./child.ts";
import { measure } from "./measure.ts";
import type { WorkersResult, WorkersRun } from "./report.ts";
import type { Seeded } from "./seed.ts";
import { type PlinthData, startPlinth } from "./servers.ts";

/** `--workers N` must reach this many times one worker's get-by-id req/s (where a core is left free). */
export const WORKERS_TARGET = 1.3;

const VIEW_CASE = CASES.find((c) => c.id === "view");

/**
 * Get-by-id against a fresh `plinth serve --workers 1`, then a fresh `--workers N`, on the same data (one
 * server at a time). The target is judged only when `coreLeft` (a core for the load generator).
 */
export async function compareWorkers(opts: {
  readonly registry: ChildRegistry;
  readonly database: Database;
  readonly data: PlinthData;
  readonly workers: number;
  readonly coreLeft: boolean;
  readonly seeded: Seeded;
  readonly load: LoadOptions;
  readonly log: (line: string) => void;
}): Promise<WorkersResult> {
  if (VIEW_CASE === undefined) throw new Error("no view case");
  const runs: WorkersRun[] = [];
  let error: string | undefined;
  for (const workers of [1, opts.workers]) {
    const name = `plinth ${opts.database} --workers ${workers}`;
    opts.log(`${name}: ${VIEW_CASE.title}`);
    let run: WorkersRun = { workers, startToHealthyMs: undefined, measure: undefined, cpu: undefined };
    try {
      const server = await startPlinth(opts.registry, opts.data, { name, workers });
      try {
        const r = await measure(server, VIEW_CASE, opts.seeded, opts.load);
        run = { workers, startToHealthyMs: Math.round(server.healthyMs), measure: r.m, cpu: r.cpu };
        error ??= r.error;
      } finally {
        await opts.registry.stop(server.child);
      }
    } catch (err) {
      error ??= `${name}: ${(err as Error).message}`;
    }
    runs.push(run);
  }
  const [one, many] = runs as [WorkersRun, WorkersRun];
  const ratio =
    one.measure && many.measure && one.measure.rps > 0 ? many.measure.rps / one.measure.rps : undefined;
  return {
    database: opts.database,
    caseTitle: VIEW_CASE.title,
    one,
    many,
    ratio,
    target: WORKERS_TARGET,
    verdict:
      error !== undefined || ratio === undefined
        ? "ERROR"
        : !opts.coreLeft
          ? "N/A"
          : ratio >= WORKERS_TARGET
            ? "PASS"
            : "FAIL",
    ...(error === undefined ? {} : { error }),
  };
}
