// The realtime cases of `npm run bench`, in run order, and the targets they are judged against.
import type { Transport } from "./realtime-clients.ts";
import { PUBLIC_COLLECTION, RULE_COLLECTION } from "./realtime-seed.ts";

/** Targets: p99 at 1,000 subscribers, memory per idle connection, and 10,000 connections held. */
export const REALTIME_TARGETS = { p99Ms: 50, perConnectionKib: 30, held: 10_000 } as const;

/** One realtime case. */
export interface CaseDef {
  readonly id: string;
  readonly title: string;
  readonly transport: Transport;
  readonly subscribers: number;
  readonly ratePerSec: number;
  readonly collection: string;
  readonly filters: number;
  /** Each filter has a shape of its own (else they differ only in their value). */
  readonly filterShapes: boolean;
  readonly asUser: boolean;
  readonly twoInstances: boolean;
  /** Which targets this case is judged against. */
  readonly judge: { readonly latency: boolean; readonly memory: boolean; readonly held: boolean };
}

const fanOut = (transport: Transport, subscribers: number, ratePerSec: number): CaseDef => ({
  id: `${transport}-${subscribers / 1000}k`,
  title: `${transport === "sse" ? "SSE" : "WebSocket"}, ${subscribers.toLocaleString("en")} guests on \`${PUBLIC_COLLECTION}/*\` (public)`,
  transport,
  subscribers,
  ratePerSec,
  collection: PUBLIC_COLLECTION,
  filters: 0,
  filterShapes: false,
  asUser: false,
  twoInstances: false,
  judge: { latency: subscribers === 1000, memory: true, held: subscribers === REALTIME_TARGETS.held },
});

/** Cases in run order. */
export const REALTIME_CASES: readonly CaseDef[] = [
  fanOut("sse", 1000, 20),
  fanOut("ws", 1000, 20),
  // 10× the subscribers at a tenth of the rate: the same deliveries per second, so the harness that reads
  // them is no busier than at 1,000 (on 2 cores it shares the machine with the server)
  fanOut("sse", 10_000, 2),
  fanOut("ws", 10_000, 2),
  {
    id: "rule-same",
    title: `SSE, 1,000 × one user on \`${RULE_COLLECTION}/*\` (list rule \`owner = @request.auth.id\`)`,
    transport: "sse",
    subscribers: 1000,
    ratePerSec: 20,
    collection: RULE_COLLECTION,
    filters: 0,
    filterShapes: false,
    asUser: true,
    twoInstances: false,
    judge: { latency: true, memory: false, held: false },
  },
  {
    id: "rule-distinct",
    title: `SSE, 1,000 × one user on \`${RULE_COLLECTION}/*\`, spread over 100 filters \`n != K\` (100 distinct conditions, one shape)`,
    transport: "sse",
    subscribers: 1000,
    ratePerSec: 20,
    collection: RULE_COLLECTION,
    filters: 100,
    filterShapes: false,
    asUser: true,
    twoInstances: false,
    judge: { latency: true, memory: false, held: false },
  },
  {
    id: "rule-shapes",
    title: `SSE, 1,000 × one user on \`${RULE_COLLECTION}/*\`, spread over 100 filters of 100 distinct shapes`,
    transport: "sse",
    subscribers: 1000,
    ratePerSec: 20,
    collection: RULE_COLLECTION,
    filters: 100,
    filterShapes: true,
    asUser: true,
    twoInstances: false,
    judge: { latency: true, memory: false, held: false },
  },
  {
    id: "two-instances",
    title: `SSE, 1,000 guests on instance B, writes through A (PostgreSQL, shared bus)`,
    transport: "sse",
    subscribers: 1000,
    ratePerSec: 20,
    collection: PUBLIC_COLLECTION,
    filters: 0,
    filterShapes: false,
    asUser: false,
    twoInstances: true,
    judge: { latency: false, memory: false, held: false },
  },
];
