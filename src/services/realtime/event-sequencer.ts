import type { JournaledEvent, RecordRow } from "../../core/ports.ts";

/** A record event in the one commit order of all record changes, from any instance. */
export interface SequencedEvent {
  readonly seq: number;
  readonly action: JournaledEvent["action"];
  readonly collectionId: string;
  readonly recordId: string;
  /** The record as written (a deleted one as it was); absent when it was too large for the bus. */
  readonly row?: RecordRow | undefined;
}

export interface SequencerDeps {
  /** The last number already handed out when this instance started: events after it are new. */
  readonly after: number;
  /** Reads the journal (committed events after `after`, oldest first). */
  readonly fetch: (after: number, limit: number) => Promise<JournaledEvent[]>;
  /** Reads the last number handed out, for the poll that finds events the bus did not bring. */
  readonly lastHandedOut: () => Promise<number>;
  readonly handle: (event: SequencedEvent) => Promise<void>;
  readonly log: { warn(obj: object, msg: string): void };
}

/** How many journal entries one catch-up read takes. */
const FETCH_PAGE = 500;

/**
 * Hands events to `handle` one at a time, each exactly once, in sequence order, whatever order they
 * arrive in (this instance's own after their commit, others' over the bus). A gap is filled from the
 * journal at once: numbers are handed out in commit order without gaps, so whoever sees n can read
 * every number before it. A poll reads the journal for what the bus never brought (bus down, a
 * message lost), so the bus is only the fast path. Other work that must not interleave with
 * delivery (a replay) runs in the same line.
 */
export function createSequencer(deps: SequencerDeps) {
  let next = deps.after + 1;
  const waiting = new Map<number, SequencedEvent>();
  let line: Promise<void> = Promise.resolve();
  let draining = false;
  /** The last number the poll saw handed out, to catch up only on what stayed missing a whole period. */
  let polledLast = deps.after;

  function run(work: () => Promise<void>): Promise<void> {
    const done = line.then(work);
    line = done.catch((err: unknown) => deps.log.warn({ err }, "realtime could not deliver a record event"));
    return line;
  }

  async function handleInOrder(event: SequencedEvent): Promise<void> {
    next = event.seq + 1;
    await deps.handle(event);
  }

  /** Handles everything that can be handled now: waiting events in order, gaps read from the journal. */
  async function drain(): Promise<void> {
    for (;;) {
      const ready = waiting.get(next);
      if (ready !== undefined) {
        waiting.delete(next);
        await handleInOrder(ready);
        continue;
      }
      if (waiting.size === 0) return;
      const upTo = Math.min(...waiting.keys()) - 1;
      await readJournal(upTo);
      if (next <= upTo) {
        // the journal no longer has them (pruned): nothing can be delivered for those numbers
        deps.log.warn({ from: next, to: upTo }, "realtime events missing from the journal were skipped");
        next = upTo + 1;
      }
    }
  }

  async function readJournal(upTo: number): Promise<void> {
    while (next <= upTo) {
      const page = await deps.fetch(next - 1, Math.min(FETCH_PAGE, upTo - next + 1));
      if (page.length === 0) return;
      for (const entry of page) {
        if (entry.seq < next) continue;
        if (entry.seq > next) return; // pruned in the middle: the caller skips
        waiting.delete(entry.seq);
        await handleInOrder(entry);
      }
    }
  }

  function schedule(): void {
    if (draining) return;
    draining = true;
    void run(async () => {
      draining = false;
      await drain();
    });
  }

  return {
    /** An event from anywhere; duplicates and already-handled ones are ignored. */
    arrive(event: SequencedEvent): void {
      if (event.seq < next || waiting.has(event.seq)) return;
      waiting.set(event.seq, event);
      schedule();
    },

    /** Runs `work` between two events: everything up to `processed` has been handled, nothing after. */
    run,

    /** The last number handled. */
    get processed(): number {
      return next - 1;
    },

    /** Catches up on events the bus has not brought for a whole poll period. */
    async poll(): Promise<void> {
      const last = await deps.lastHandedOut();
      const missing = polledLast;
      polledLast = last;
      if (missing >= next) {
        await run(async () => {
          await readJournal(missing);
          await drain();
        });
      }
    },
  };
}

/** The sequencer's type. */
export type Sequencer = ReturnType<typeof createSequencer>;
