import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CaseId, Measure } from "./cases.ts";

/** PASS/FAIL against the target, "—" when the case has none, ERROR when it could not run. */
export type Verdict = "PASS" | "FAIL" | "—" | "ERROR";

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
  readonly error?: string;
}

/** Everything one `npm run bench` run measured. */
export interface BenchReport {
  readonly timestamp: string;
  readonly env: {
    readonly node: string;
    readonly cpus: number;
    readonly platform: string;
    readonly commit: string;
  };
  readonly settings: {
    readonly durationSec: number;
    readonly warmupSec: number;
    readonly connections: number;
    readonly recordsPerCollection: number;
    readonly insertMode: string;
  };
  readonly startToHealthyMs: number;
  readonly plinthIdleRssKb: number | undefined;
  readonly plinthPeakRssKb: number | undefined;
  readonly baselineIdleRssKb: number | undefined;
  readonly baselinePeakRssKb: number | undefined;
  readonly cases: readonly CaseResult[];
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

const num = (v: number | undefined, digits = 0): string => (v === undefined ? "—" : v.toFixed(digits));
const mb = (kb: number | undefined): string => (kb === undefined ? "—" : `${(kb / 1024).toFixed(1)} MB`);

/** A short markdown summary: one table row per case, then memory and start-up. */
export function toMarkdown(r: BenchReport): string {
  const lines = [
    `# Plinth benchmark — ${r.timestamp}`,
    "",
    `Node ${r.env.node}, ${r.env.cpus} CPUs, ${r.env.platform}, commit ${r.env.commit}. ` +
      `${r.settings.durationSec} s per case (+${r.settings.warmupSec} s warm-up), ${r.settings.connections} connections, ` +
      `${r.settings.recordsPerCollection} records per collection (seeded via ${r.settings.insertMode}).`,
    "",
    "| case | Plinth req/s | p50 ms | p99 ms | baseline req/s | p50 ms | p99 ms | ratio | target | result |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
  ];
  for (const c of r.cases) {
    const p = c.plinth;
    const b = c.baseline;
    lines.push(
      `| ${c.title} | ${num(p?.rps)} | ${num(p?.p50Ms)} | ${num(p?.p99Ms)} | ${num(b?.rps)} | ${num(b?.p50Ms)} | ` +
        `${num(b?.p99Ms)} | ${num(c.ratio, 2)} | ${c.target === undefined ? "—" : `≥ ${c.target}`} | ${c.verdict} |`,
    );
  }
  lines.push(
    "",
    `- Start to healthy (spawn → first 200 from /api/health): **${num(r.startToHealthyMs)} ms**`,
    `- Plinth RSS idle (after seeding + settle): **${mb(r.plinthIdleRssKb)}**; peak under load: **${mb(r.plinthPeakRssKb)}**`,
    `- Baseline RSS idle: ${mb(r.baselineIdleRssKb)}; peak under load: ${mb(r.baselinePeakRssKb)}`,
  );
  const errors = r.cases.filter((c) => c.error !== undefined);
  if (errors.length > 0) {
    lines.push("", "Errors:", ...errors.map((c) => `- ${c.id}: ${c.error?.replace(/\s+/g, " ")}`));
  }
  const non2xx = r.cases.filter((c) => (c.plinth?.non2xx ?? 0) > 0 || (c.baseline?.non2xx ?? 0) > 0);
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
  return `${lines.join("\n")}\n`;
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
