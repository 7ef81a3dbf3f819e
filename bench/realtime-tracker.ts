// Delivery accounting for the realtime bench: which subscriber saw which created record, and when.
// Every created record's title is `rt-<event index>`, and its send time is kept here by that index, so
// an event's text only has to be searched for the index: nothing is parsed per delivery.

/** The figures of one measured run. */
export interface DeliveryStats {
  /** Creates acknowledged by the server (each must reach every subscriber). */
  readonly events: number;
  readonly createErrors: number;
  readonly expectedDeliveries: number;
  /** Distinct (subscriber, event) pairs received. */
  readonly deliveries: number;
  readonly missing: number;
  readonly duplicates: number;
  /** Events that matched no create of this run (should be 0). */
  readonly unknown: number;
  readonly p50Ms: number | undefined;
  readonly p99Ms: number | undefined;
  readonly maxMs: number | undefined;
  /** deliveries ÷ (last delivery − first send). */
  readonly deliveriesPerSec: number | undefined;
  /** The create requests themselves (send → 2xx), ms. */
  readonly createP50Ms: number | undefined;
  readonly createP99Ms: number | undefined;
  /** The event whose last delivery came latest after its send: where a tail comes from. */
  readonly slowestEvent: SlowestEvent | undefined;
}

/** One event's timeline, ms after its send. */
export interface SlowestEvent {
  readonly index: number;
  readonly createMs: number;
  readonly firstDeliveryMs: number;
  readonly lastDeliveryMs: number;
}

/** The `p`th percentile of ascending `sorted` (nearest rank). */
function percentile(sorted: Float64Array, p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const MARK = '"title":"rt-';
const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Tracks `subscribers` × up to `maxEvents` deliveries. */
export function createDeliveryTracker(subscribers: number, maxEvents: number) {
  const sentAt = new Float64Array(maxEvents).fill(Number.NaN);
  const acked = new Uint8Array(maxEvents);
  const ackedAt = new Float64Array(maxEvents).fill(Number.NaN);
  const firstAt = new Float64Array(maxEvents).fill(Number.NaN);
  const lastAt = new Float64Array(maxEvents).fill(Number.NaN);
  const seen = new Uint8Array(subscribers * maxEvents);
  const latencies = new Float64Array(subscribers * maxEvents);
  let count = 0;
  let duplicates = 0;
  let unknown = 0;
  let lastArrival = Number.NaN;
  let createErrors = 0;

  return {
    /** The title of event `i`'s record. */
    title: (i: number): string => `rt-${i}`,

    /** Event `i` is about to be created (`performance.now()`, taken just before the request). */
    sending(i: number, at: number): void {
      sentAt[i] = at;
    },

    /** The create of event `i` was acknowledged (2xx) or failed, at `at`. */
    created(i: number, ok: boolean, at: number): void {
      if (ok) {
        acked[i] = 1;
        ackedAt[i] = at;
      } else createErrors++;
    },

    /** A subscriber read an event. */
    onEvent(sub: number, text: string, arrival: number): void {
      const at = text.indexOf(MARK);
      const i =
        at === -1 ? Number.NaN : Number.parseInt(text.slice(at + MARK.length, at + MARK.length + 8), 10);
      if (!(i >= 0 && i < maxEvents) || Number.isNaN(sentAt[i] as number)) {
        unknown++;
        return;
      }
      const slot = sub * maxEvents + i;
      if (seen[slot] === 1) {
        duplicates++;
        return;
      }
      seen[slot] = 1;
      latencies[count++] = arrival - (sentAt[i] as number);
      lastArrival = arrival;
      if (Number.isNaN(firstAt[i] as number)) firstAt[i] = arrival;
      lastAt[i] = arrival;
    },

    /** Deliveries received so far. */
    get received(): number {
      return count;
    },

    /** Deliveries expected for the events acknowledged so far, to `connected` subscribers. */
    expected(connected: number): number {
      let n = 0;
      for (let i = 0; i < maxEvents; i++) n += acked[i] as number;
      return n * connected;
    },

    /** The run's figures; `connected` is how many subscribers were set up (dropped ones count as missing). */
    stats(connected: number): DeliveryStats {
      let events = 0;
      let firstSend = Number.POSITIVE_INFINITY;
      for (let i = 0; i < maxEvents; i++) {
        if (acked[i] === 1) events++;
        const t = sentAt[i] as number;
        if (!Number.isNaN(t) && t < firstSend) firstSend = t;
      }
      // deliveries of events whose create failed (or was never acknowledged) are not expected
      let counted = 0;
      for (let s = 0; s < subscribers; s++)
        for (let i = 0; i < maxEvents; i++) if (acked[i] === 1 && seen[s * maxEvents + i] === 1) counted++;
      const sorted = latencies.subarray(0, count).slice().sort();
      const creates = Float64Array.from(
        Array.from(ackedAt, (t, i) => t - (sentAt[i] as number)).filter((d) => !Number.isNaN(d)),
      ).sort();
      let slowestEvent: SlowestEvent | undefined;
      for (let i = 0; i < maxEvents; i++) {
        const last = (lastAt[i] as number) - (sentAt[i] as number);
        if (Number.isNaN(last) || (slowestEvent !== undefined && last <= slowestEvent.lastDeliveryMs))
          continue;
        slowestEvent = {
          index: i,
          createMs: round((ackedAt[i] as number) - (sentAt[i] as number)),
          firstDeliveryMs: round((firstAt[i] as number) - (sentAt[i] as number)),
          lastDeliveryMs: round(last),
        };
      }
      const span = (lastArrival - firstSend) / 1000;
      return {
        events,
        createErrors,
        expectedDeliveries: events * connected,
        deliveries: count,
        missing: Math.max(0, events * connected - counted),
        duplicates,
        unknown,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
        maxMs: count === 0 ? undefined : sorted[count - 1],
        deliveriesPerSec: count > 0 && span > 0 ? count / span : undefined,
        createP50Ms: percentile(creates, 50),
        createP99Ms: percentile(creates, 99),
        slowestEvent,
      };
    },
  };
}

/** The tracker's type. */
export type DeliveryTracker = ReturnType<typeof createDeliveryTracker>;
