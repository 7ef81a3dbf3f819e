import type { CpuSplit } from "./cpu.ts";
import { realtimeLines } from "./realtime-markdown.ts";
import type {
  BenchReport,
  CaseResult,
  DatabaseSection,
  PostgresSection,
  RealtimeOnlyReport,
  Skipped,
  WorkersSection,
} from "./report.ts";

const num = (v: number | undefined, digits = 0): string => (v === undefined ? "—" : v.toFixed(digits));
const mb = (kb: number | undefined): string => (kb === undefined ? "—" : `${(kb / 1024).toFixed(1)} MB`);
const isSkipped = (s: object): s is Skipped => "skipped" in s;

function caseTable(cases: readonly CaseResult[]): string[] {
  const lines = [
    "| case | Plinth req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio | target | result |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const c of cases) {
    const p = c.plinth;
    const b = c.baseline;
    lines.push(
      `| ${c.title} | ${num(p?.rps)} | ${num(p?.p50Ms)} | ${num(p?.p99Ms)} | ${num(b?.rps)} | ${num(b?.p50Ms)} | ` +
        `${num(b?.p99Ms)} | ${num(c.ratio, 2)} | ${c.target === undefined ? "—" : `≥ ${c.target}`} | ${c.verdict} |`,
    );
  }
  return lines;
}

function sectionFooter(s: DatabaseSection, database: "sqlite" | "postgres"): string[] {
  const lines = [
    "",
    `- Start to healthy (spawn → first 200 from /api/health): **${num(s.startToHealthyMs)} ms**`,
    `- Plinth RSS idle (after seeding + settle): **${mb(s.plinthIdleRssKb)}**; peak under load: **${mb(s.plinthPeakRssKb)}**`,
    `- Baseline RSS idle: ${mb(s.baselineIdleRssKb)}; peak under load: ${mb(s.baselinePeakRssKb)}`,
  ];
  const other = s.cases
    .flatMap((c) => [c.plinthCpu?.otherCores, c.baselineCpu?.otherCores])
    .filter((v): v is number => v !== undefined);
  if (other.length > 0) {
    lines.push(
      `- CPU used outside the harness and the measured server during the measured runs: mean ` +
        `${(other.reduce((a, b) => a + b, 0) / other.length).toFixed(2)}, max ${Math.max(...other).toFixed(2)} cores ` +
        `(${database === "sqlite" ? "other jobs on the machine: should be near 0 for a trustworthy run" : "PostgreSQL's backends plus other jobs on the machine"})`,
    );
  }
  const errors = s.cases.filter((c) => c.error !== undefined);
  if (errors.length > 0) {
    lines.push("", "Errors:", ...errors.map((c) => `- ${c.id}: ${c.error?.replace(/\s+/g, " ")}`));
  }
  const non2xx = s.cases.filter((c) => (c.plinth?.non2xx ?? 0) > 0 || (c.baseline?.non2xx ?? 0) > 0);
  if (non2xx.length > 0) {
    lines.push(
      "",
      "Non-2xx responses (counted in req/s, check before trusting the ratio):",
      ...non2xx.map(
        (c) =>
          `- ${c.id}: Plinth ${JSON.stringify(c.plinth?.statusCodes ?? {})}, baseline ${JSON.stringify(c.baseline?.statusCodes ?? {})}`,
      ),
    );
  }
  return lines;
}

function postgresLines(pg: PostgresSection | Skipped): string[] {
  const lines = ["", "## PostgreSQL", ""];
  if (isSkipped(pg)) return [...lines, `**Skipped:** ${pg.skipped}`];
  return [
    ...lines,
    `${pg.serverVersion} at ${pg.server}, schema \`${pg.schema}\` (created for this run, dropped after it; ` +
      `seeded via ${pg.insertMode}). ` +
      "Baseline: bare Fastify + `pg`, named prepared statements, a pool of 10 like Plinth's, on the same tables.",
    "",
    ...caseTable(pg.cases),
    ...sectionFooter(pg, "postgres"),
  ];
}

const cores = (v: number | undefined): string => (v === undefined ? "—" : v.toFixed(2));

function cpuCells(cpu: CpuSplit | undefined): string {
  return `${cores(cpu?.machineCores)} | ${cores(cpu?.loadGeneratorCores)} | ${cores(cpu?.serverCores)} | ${cores(cpu?.otherCores)}`;
}

function workersLines(w: WorkersSection | Skipped, loadGenerator: string): string[] {
  const lines = ["", "## `--workers`: get-by-id, one worker against several", ""];
  if (isSkipped(w)) return [...lines, `**Skipped:** ${w.skipped}`];
  const n = w.workers;
  lines.push(
    `${w.cores} cores (os.availableParallelism()). Load generator: ${loadGenerator}. ` +
      `Plinth with \`--workers 1\` is one process; with \`--workers ${n}\` a cluster primary and ${n} workers ` +
      "sharing the port. Each setting is a fresh `plinth serve` on the data seeded above.",
    "",
    w.coreLeftForLoadGenerator
      ? `The ${w.cores} cores leave one for the load generator besides one per worker, so the target is judged.`
      : `**The load generator does not leave a core free:** ${w.cores} cores for ${n} workers plus autocannon ` +
          "(plus PostgreSQL in its section), so the target is not judged (N/A); the figures are reported as measured.",
    "",
    `| database | 1 worker req/s | p50 ms | p99 ms | ${n} workers req/s | p50 ms | p99 ms | ratio | target | result |`,
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  );
  for (const r of w.results) {
    const a = r.one.measure;
    const b = r.many.measure;
    lines.push(
      `| ${r.database} | ${num(a?.rps)} | ${num(a?.p50Ms)} | ${num(a?.p99Ms)} | ${num(b?.rps)} | ${num(b?.p50Ms)} | ` +
        `${num(b?.p99Ms)} | ${num(r.ratio, 2)} | ≥ ${r.target}× | ${r.verdict} |`,
    );
  }
  lines.push(
    "",
    "Cores busy during each measured run (CPU seconds ÷ wall seconds; _other_ is PostgreSQL's backends and " +
      "anything else running on the machine):",
    "",
    "| database | workers | machine | load generator | Plinth | other |",
    "|---|---:|---:|---:|---:|---:|",
  );
  for (const r of w.results) {
    for (const run of [r.one, r.many]) {
      const procs = run.cpu === undefined ? "" : ` (${run.cpu.serverProcesses} proc.)`;
      lines.push(`| ${r.database} | ${run.workers}${procs} | ${cpuCells(run.cpu)} |`);
    }
  }
  const errors = w.results.filter((r) => r.error !== undefined);
  if (errors.length > 0) {
    lines.push("", "Errors:", ...errors.map((r) => `- ${r.database}: ${r.error?.replace(/\s+/g, " ")}`));
  }
  return lines;
}

/** A short markdown summary: the SQLite table, the PostgreSQL table, the workers comparison, realtime. */
export function toMarkdown(r: BenchReport): string {
  const lines = [
    `# Plinth benchmark — ${r.timestamp}`,
    "",
    `Node ${r.env.node}, ${r.env.cpus} CPUs (${r.env.availableParallelism} available), ${r.env.platform}, ` +
      `commit ${r.env.commit}. ${r.settings.durationSec} s per case (+${r.settings.warmupSec} s warm-up), ` +
      `${r.settings.connections} connections, ${r.settings.recordsPerCollection} records per collection ` +
      `(seeded via ${r.settings.insertMode}).`,
    "",
    "## SQLite",
    "",
    ...caseTable(r.cases),
    ...sectionFooter(r, "sqlite"),
    ...postgresLines(r.postgres),
    ...workersLines(r.workers, r.env.loadGenerator),
    ...realtimeLines(r.realtime),
  ];
  return `${lines.join("\n")}\n`;
}

/** The markdown of a run of the realtime section alone (`BENCH_ONLY=realtime`). */
export function realtimeOnlyMarkdown(r: RealtimeOnlyReport): string {
  const lines = [
    `# Plinth benchmark, realtime only — ${r.timestamp}`,
    "",
    `Node ${r.env.node}, ${r.env.cpus} CPUs (${r.env.availableParallelism} available), ${r.env.platform}, ` +
      `commit ${r.env.commit}.`,
    ...realtimeLines(r.realtime),
  ];
  return `${lines.join("\n")}\n`;
}
