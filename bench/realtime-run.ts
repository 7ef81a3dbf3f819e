// One realtime case against running server(s): warm up, read idle RSS, connect N subscribers, read RSS
// again, create records at a steady rate through the writer instance, wait for every delivery, and count.
import type { Agent } from "node:http";
import { call, str } from "./api-client.ts";
import { delay } from "./child.ts";
import { type CpuSplit, startCpuMeter } from "./cpu.ts";
import {
  connectMany,
  connectSubscriber,
  type Subscriber,
  subscriptionAgent,
  type Transport,
} from "./realtime-clients.ts";
import { createDeliveryTracker, type DeliveryStats } from "./realtime-tracker.ts";
import type { IdleMemory } from "./report.ts";
import { readRssKb } from "./rss.ts";
import type { Server } from "./servers.ts";

/** Connections opened (and closed) before the zero-connection RSS, so code paths are warm. */
const WARMUP_SUBSCRIBERS = 20;
const WARMUP_EVENTS = 3;
/** After the last create is acknowledged, deliveries still on their way are awaited this long at most. */
const DRAIN_MS = 5_000;

/** What one run needs to know. */
export interface RunSpec {
  readonly transport: Transport;
  readonly subscribers: number;
  readonly ratePerSec: number;
  readonly measuredSec: number;
  /** The collection subscribed to and written into. */
  readonly collection: string;
  /** Spread subscribers over this many filters (`n != K`); 0 = the bare `collection/*` topic. */
  readonly filters: number;
  /** Each filter a shape of its own (see `shapedFilter`) instead of `n != K`. */
  readonly filterShapes: boolean;
  /** Subscribers carry the user's token. */
  readonly asUser: boolean;
  readonly setup: { readonly batch: number; readonly pauseMs: number; readonly settleMs: number };
}

/** The servers of a run: subscribers connect to `subscribe`, records are created through `write`. */
export interface RunServers {
  readonly subscribe: Server;
  readonly write: Server;
}

/** Credentials the run logs in with. */
export interface RunCredentials {
  readonly superuser: { readonly email: string; readonly password: string };
  readonly user: { readonly email: string; readonly password: string };
}

/** What a run measured. */
export interface RunOutcome {
  readonly stats: DeliveryStats;
  readonly connected: number;
  readonly connectionErrors: number;
  readonly heldToEnd: number;
  readonly setupSec: number;
  readonly distinctTopics: number;
  readonly memory: IdleMemory | undefined;
  readonly cpu: CpuSplit | undefined;
  readonly writerServerCores: number | undefined;
  /** The first few failure reasons, when there were any. */
  readonly failures: string[];
}

/**
 * Filter K of 100 distinct shapes, every one passed by the records the run creates (n = 1000, title
 * "rt-…"): (K mod 10 + 1) `n` terms and (K div 10 + 1) `title` terms, so no two have the same structure.
 */
function shapedFilter(k: number): string {
  const terms = (n: number, term: string) => `(${Array.from({ length: n }, () => term).join(" || ")})`;
  return `${terms((k % 10) + 1, "n != -1")} && ${terms(Math.floor(k / 10) + 1, 'title != "x"')}`;
}

function topicFor(spec: RunSpec, index: number): string {
  if (spec.filters === 0) return `${spec.collection}/*`;
  const k = index % spec.filters;
  const options = { query: { filter: spec.filterShapes ? shapedFilter(k) : `n != ${k}` } };
  return `${spec.collection}/*?options=${encodeURIComponent(JSON.stringify(options))}`;
}

async function login(base: string, collection: string, who: { email: string; password: string }) {
  const auth = await call(base, "POST", `/api/collections/${collection}/auth-with-password`, {
    body: { identity: who.email, password: who.password },
  });
  const record = (auth.json as { record?: unknown }).record;
  return {
    token: str(auth.json, "token", `${collection} auth`),
    id: str(record, "id", `${collection} auth`),
  };
}

/** A timer that holds the event loop (the harness must not exit mid-run). */
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `done()` holds; returns whether it did. */
async function until(done: () => boolean, maxMs: number): Promise<boolean> {
  const giveUpAt = performance.now() + maxMs;
  while (!done()) {
    if (performance.now() >= giveUpAt) return false;
    await sleep(10);
  }
  return true;
}

/** Opens a few subscribers, sends a few events through them, closes them: JIT and lazy paths are warm. */
async function warmUp(
  spec: RunSpec,
  servers: RunServers,
  ctx: { agent: Agent; token: string | undefined; create: (title: string) => Promise<boolean> },
): Promise<void> {
  let received = 0;
  const set = await connectMany({
    count: WARMUP_SUBSCRIBERS,
    batch: WARMUP_SUBSCRIBERS,
    pauseMs: 0,
    connect: (index) =>
      connectSubscriber({
        base: servers.subscribe.base,
        transport: spec.transport,
        index,
        topic: topicFor(spec, index),
        token: ctx.token,
        agent: ctx.agent,
        hooks: { onEvent: () => void received++, onFailure: () => {} },
      }),
  });
  if (set.errors > 0) throw new Error(`warm-up: ${set.errors} subscribers failed: ${set.reasons.join("; ")}`);
  for (let i = 0; i < WARMUP_EVENTS; i++) await ctx.create(`warm-${i}`);
  const all = await until(() => received >= WARMUP_SUBSCRIBERS * WARMUP_EVENTS, DRAIN_MS);
  for (const s of set.subscribers) s.close();
  if (!all)
    throw new Error(`warm-up: ${received} of ${WARMUP_SUBSCRIBERS * WARMUP_EVENTS} deliveries arrived`);
}

/** Runs one case on servers already started (and seeded); the caller stops them. */
export async function runRealtime(
  spec: RunSpec,
  servers: RunServers,
  creds: RunCredentials,
  log: (line: string) => void,
): Promise<RunOutcome> {
  const su = await login(servers.write.base, "_superusers", creds.superuser);
  const user = await login(servers.subscribe.base, "users", creds.user);
  const token = spec.asUser ? user.token : undefined;
  const agent = subscriptionAgent();
  const create = async (title: string): Promise<boolean> => {
    const r = await call(servers.write.base, "POST", `/api/collections/${spec.collection}/records`, {
      token: su.token,
      body: { title, n: 1000, owner: user.id },
      check: false,
    });
    return r.status >= 200 && r.status < 300;
  };
  const subscribers: Subscriber[] = [];
  try {
    await warmUp(spec, servers, { agent, token, create });
    await delay(spec.setup.settleMs);
    const zeroKb = readRssKb(servers.subscribe.child.pid);

    const maxEvents = Math.ceil(spec.ratePerSec * spec.measuredSec);
    const tracker = createDeliveryTracker(spec.subscribers, maxEvents);
    const failures: string[] = [];
    let dropped = 0;
    const hooks = {
      onEvent: tracker.onEvent,
      onFailure: (_index: number, reason: string) => {
        dropped++;
        if (failures.length < 5) failures.push(reason);
      },
    };
    const set = await connectMany({
      count: spec.subscribers,
      batch: spec.setup.batch,
      pauseMs: spec.setup.pauseMs,
      connect: (index) =>
        connectSubscriber({
          base: servers.subscribe.base,
          transport: spec.transport,
          index,
          topic: topicFor(spec, index),
          token,
          agent,
          hooks,
        }),
    });
    subscribers.push(...set.subscribers);
    failures.unshift(...set.reasons);
    log(
      `  ${set.subscribers.length} of ${spec.subscribers} subscribed in ${set.setupSec.toFixed(1)} s` +
        (set.errors > 0 ? ` (${set.errors} failed: ${set.reasons[0]})` : ""),
    );
    await delay(spec.setup.settleMs);
    const withKb = readRssKb(servers.subscribe.child.pid);
    const held = subscribers.length - dropped;
    const memory: IdleMemory | undefined =
      zeroKb === undefined || withKb === undefined || held === 0
        ? undefined
        : { zeroKb, withConnectionsKb: withKb, perConnectionKib: (withKb - zeroKb) / held };

    const cpuMeter = startCpuMeter(servers.subscribe.child.pid);
    const writerMeter =
      servers.write === servers.subscribe ? undefined : startCpuMeter(servers.write.child.pid);
    const t0 = performance.now();
    const pending: Promise<void>[] = [];
    for (let i = 0; i < maxEvents; i++) {
      const wait = t0 + (i * 1000) / spec.ratePerSec - performance.now();
      if (wait > 0) await sleep(wait);
      tracker.sending(i, performance.now());
      pending.push(
        create(tracker.title(i)).then(
          (ok) => tracker.created(i, ok, performance.now()),
          () => tracker.created(i, false, performance.now()),
        ),
      );
    }
    await Promise.all(pending);
    await until(() => tracker.received >= tracker.expected(subscribers.length), DRAIN_MS);
    const cpu = cpuMeter.stop();
    const writerServerCores = writerMeter?.stop()?.serverCores;
    const heldToEnd = subscribers.length - dropped;
    return {
      stats: tracker.stats(subscribers.length),
      connected: subscribers.length,
      connectionErrors: set.errors + dropped,
      heldToEnd,
      setupSec: set.setupSec,
      distinctTopics: spec.filters === 0 ? 1 : Math.min(spec.filters, spec.subscribers),
      memory,
      cpu,
      writerServerCores,
      failures,
    };
  } finally {
    for (const s of subscribers) s.close();
    agent.destroy();
  }
}
