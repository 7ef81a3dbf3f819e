import autocannon, { type AutocannonRequest } from "autocannon";
import { deadline } from "./deadline.ts";
import type { Seeded } from "./seed.ts";

/** The benchmarked operations. */
export type CaseId = "view" | "list" | "auth-view" | "auth-list" | "create";

/** The databases the cases run on. */
export type Database = "sqlite" | "postgres";

/** A benchmark case: what to request, which baseline it is compared with, and the ratio it must reach. */
export interface BenchCase {
  readonly id: CaseId;
  readonly title: string;
  /** The baseline case whose req/s is the denominator of the ratio. */
  readonly baseline: "view" | "list" | "create";
  /** Minimum Plinth/baseline req/s ratio per database; undefined = reported, not judged. */
  readonly targets: Readonly<Record<Database, number | undefined>>;
  /** The request sequence each connection loops over (the baseline gets the public variant). */
  requests(seeded: Seeded): AutocannonRequest[];
}

/** Query used by both list cases; the baseline runs the equivalent SQL with fixed parameters. */
export const LIST_QUERY = `?perPage=30&filter=${encodeURIComponent("(n>500 && flag=true)")}&sort=-n`;

const pick = (ids: readonly string[]): string => ids[Math.floor(Math.random() * ids.length)] as string;

const viewById = (
  collection: string,
  ids: readonly string[],
  headers: Record<string, string>,
): AutocannonRequest => ({
  method: "GET",
  headers,
  setupRequest: (req) => {
    req.path = `/api/collections/${collection}/records/${pick(ids)}`;
    return req;
  },
});

/** Cases in run order; `create` runs last so the read cases see exactly the seeded data. */
export const CASES: readonly BenchCase[] = [
  {
    id: "view",
    title: "view by random id (posts, public)",
    baseline: "view",
    targets: { sqlite: 0.7, postgres: 0.6 },
    requests: (s) => [viewById("posts", s.postIds, {})],
  },
  {
    id: "list",
    title: "list 30, filter + sort (posts, public)",
    baseline: "list",
    targets: { sqlite: 0.7, postgres: 0.6 },
    requests: () => [{ method: "GET", path: `/api/collections/posts/records${LIST_QUERY}` }],
  },
  {
    id: "auth-view",
    title: "view by random id (owned, user token, rule)",
    baseline: "view",
    targets: { sqlite: 0.6, postgres: undefined },
    requests: (s) => [viewById("owned", s.ownedIds, { authorization: s.userToken })],
  },
  {
    id: "auth-list",
    title: "list 30, filter + sort (owned, user token, rule)",
    baseline: "list",
    targets: { sqlite: 0.6, postgres: undefined },
    requests: (s) => [
      {
        method: "GET",
        path: `/api/collections/owned/records${LIST_QUERY}`,
        headers: { authorization: s.userToken },
      },
    ],
  },
  {
    id: "create",
    title: "create small record (posts, public createRule)",
    baseline: "create",
    targets: { sqlite: undefined, postgres: undefined },
    requests: () => [
      {
        method: "POST",
        path: "/api/collections/posts/records",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ title: "bench", n: 42, flag: true }),
      },
    ],
  },
];

/** The cases run against the baseline server (public variants only). */
export const BASELINE_CASES: readonly BenchCase[] = CASES.filter((c) => c.id === c.baseline);

/** One load run's numbers. */
export interface Measure {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly statusCodes: Readonly<Record<string, number>>;
}

/** Load-run settings. */
export interface LoadOptions {
  readonly durationSec: number;
  readonly connections: number;
  readonly warmupSec: number;
}

/**
 * Sends the first request of the sequence once and returns an error text unless it answers 200,
 * so a missing feature is reported as such instead of as fast 4xx throughput.
 */
export async function smokeCheck(
  base: string,
  requests: readonly AutocannonRequest[],
): Promise<string | undefined> {
  const first = requests[0];
  if (first === undefined) return "no requests";
  const req = first.setupRequest ? first.setupRequest({ ...first }, {}) : first;
  const limit = deadline(10_000);
  let res: Response;
  let text: string;
  try {
    res = await fetch(base + (req.path ?? "/"), {
      method: req.method ?? "GET",
      headers: req.headers ?? {},
      body: req.body,
      signal: limit.signal,
    });
    text = await res.text();
  } finally {
    limit.clear();
  }
  return res.status === 200
    ? undefined
    : `${req.method ?? "GET"} ${req.path} → ${res.status}: ${text.slice(0, 300)}`;
}

/**
 * Warms up, then runs autocannon for the measured duration; req/s is completed requests / elapsed seconds.
 * `beforeMeasure` runs between warm-up and the measured run (to start meters on the measured part only).
 */
export async function runLoad(
  base: string,
  requests: AutocannonRequest[],
  opts: LoadOptions,
  beforeMeasure?: () => void,
): Promise<Measure> {
  if (opts.warmupSec > 0) {
    await autocannon({ url: base, connections: opts.connections, duration: opts.warmupSec, requests });
  }
  beforeMeasure?.();
  const r = await autocannon({
    url: base,
    connections: opts.connections,
    duration: opts.durationSec,
    requests,
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, v] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(v.count);
  return {
    rps: r.duration > 0 ? r.requests.total / r.duration : 0,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    requests: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    statusCodes,
  };
}
