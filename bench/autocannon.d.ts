// Minimal types for the parts of autocannon's programmatic API the harness uses (the package ships none).
declare module "autocannon" {
  /** One entry of the per-connection request sequence. */
  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (req: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest;
  }
  /** Options accepted by `autocannon(opts)`. */
  export interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    requests?: AutocannonRequest[];
    title?: string;
  }
  /** Percentile summary autocannon reports for latency and request rate. */
  export interface Histogram {
    average: number;
    mean: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }
  /** Result of one run. */
  export interface AutocannonResult {
    title?: string;
    url: string;
    requests: Histogram;
    latency: Histogram;
    throughput: Histogram;
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
  }
  /** A running benchmark; awaitable, stoppable. */
  export interface Instance extends PromiseLike<AutocannonResult> {
    stop(): void;
  }
  /** Starts a benchmark run. */
  export default function autocannon(opts: AutocannonOptions): Instance;
}
