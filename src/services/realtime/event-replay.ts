import type { Store } from "../../core/ports.ts";
import type { Sequencer } from "./event-sequencer.ts";
import type { RealtimeClient } from "./realtime-client.ts";
import type { RecordDelivery } from "./record-delivery.ts";

/** How long and how much of the event journal is kept for replay. */
export interface ReplayLimits {
  /** Events older than this (ms) are forgotten; a client that missed more must resync. */
  readonly windowMs: number;
  /** At most this many events are kept, and replayed to one client. */
  readonly maxEvents: number;
}

export const DEFAULT_REPLAY_LIMITS: ReplayLimits = { windowMs: 5 * 60_000, maxEvents: 100_000 };

/** What replay needs. */
export interface EventReplayDeps {
  readonly store: Store;
  readonly sequencer: Sequencer;
  readonly delivery: RecordDelivery;
  readonly limits: ReplayLimits;
  /** The live connections, by client id. */
  readonly clients: ReadonlyMap<string, RealtimeClient>;
  readonly log: { warn(obj: object, msg: string): void };
}

/** The journal no longer holds events the replay needs (pruned while it ran). */
class ReplayGap extends Error {}

/** Journal entries one replay read takes. */
const REPLAY_PAGE = 200;
/** Ended connections remembered for a client that resumes by its old client id. */
const MAX_DEPARTED = 10_000;

/**
 * Sends a reconnecting client the record events it missed, in order and checked against its rules
 * as live events are, then hands it back to live delivery; or tells it to resync when they are no
 * longer kept.
 */
export function createEventReplay(deps: EventReplayDeps) {
  const { sequencer, clients } = deps;
  /** Where recently ended connections were in the event order, for a client that resumes by its old id. */
  const departed = new Map<string, number>();

  /** Tells `client` to refetch, in line with delivery; `endsReplay`: its replay is over, so it goes live. */
  function resyncInLine(client: RealtimeClient, reason: string, endsReplay: boolean): Promise<void> {
    return sequencer.run(async () => {
      if (clients.get(client.id) === client) client.sink.resync(sequencer.processed, reason);
      if (endsReplay) client.replaying = false;
    });
  }

  /** Sends `client` alone the journal's events in (from, upTo]; returns the last one it got to. */
  async function replayRange(client: RealtimeClient, from: number, upTo: number): Promise<number> {
    while (from < upTo && clients.get(client.id) === client) {
      const page = await deps.store.readEvents(from, Math.min(REPLAY_PAGE, upTo - from));
      if (page.length === 0 || page[0]!.seq !== from + 1) throw new ReplayGap(); // pruned meanwhile
      for (const event of page) {
        from = event.seq;
        await deps.delivery.replayTo(client, event);
      }
    }
    return from;
  }

  /**
   * Sends `client` the events after `after` it missed, then makes it live; or tells it to resync.
   * Most of the replay runs beside live delivery (which holds this client's events back meanwhile,
   * since the replay covers them); only the last stretch runs in line, so one client's long replay
   * never delays everyone's events.
   */
  async function replay(client: RealtimeClient, after: number): Promise<void> {
    const upTo = sequencer.processed;
    const kept = await deps.store.eventBounds();
    const reason =
      Number.isNaN(after) || after > upTo
        ? "unknown event id"
        : after === upTo
          ? undefined
          : after + 1 < kept.first
            ? "missed events are no longer kept"
            : upTo - after > deps.limits.maxEvents
              ? "too many missed events"
              : undefined;
    if (reason !== undefined) return resyncInLine(client, reason, true);
    let from = after;
    for (let round = 0; round < 10 && sequencer.processed - from > REPLAY_PAGE; round++)
      from = await replayRange(client, from, sequencer.processed);
    await sequencer.run(async () => {
      await replayRange(client, from, sequencer.processed);
      client.replaying = false;
    });
  }

  return {
    /** The event id a reconnecting client gives: a number, or its old client id (it saw no event since). */
    resumePoint(lastEventId: string | undefined): number | undefined {
      if (lastEventId === undefined || lastEventId === "") return undefined;
      if (/^\d{1,15}$/.test(lastEventId)) return Number(lastEventId);
      return departed.get(lastEventId) ?? Number.NaN; // NaN: unknown here, told to resync
    },

    /** Remembers where an ended connection was, for a client that resumes by its id. */
    departed(client: RealtimeClient): void {
      departed.delete(client.id);
      departed.set(client.id, client.seen);
      if (departed.size > MAX_DEPARTED) departed.delete(departed.keys().next().value as string);
    },

    /** Tells `client` to refetch: what it missed cannot be sent (in line with delivery). */
    resync(client: RealtimeClient, reason: string): Promise<void> {
      return resyncInLine(client, reason, false);
    },

    /** Starts a pending replay once the client has said what it wants; resolves when it is sent. */
    start(client: RealtimeClient): Promise<void> {
      const after = client.resumeAfter;
      if (after === undefined || client.subscriptions.length === 0) return Promise.resolve();
      client.resumeAfter = undefined;
      client.replaying = true;
      return replay(client, after)
        .catch(async (err: unknown) => {
          // never go live with a hole: whatever stopped the replay, the client is told to refetch
          if (!(err instanceof ReplayGap))
            deps.log.warn({ err, clientId: client.id }, "realtime replay failed");
          await resyncInLine(
            client,
            err instanceof ReplayGap ? "missed events are no longer kept" : "missed events could not be sent",
            true,
          );
        })
        .finally(() => {
          client.replaying = false;
        });
    },
  };
}
