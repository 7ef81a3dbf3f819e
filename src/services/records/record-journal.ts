import type { Clock } from "../../core/clock.ts";
import type { EventHub, RecordEvent } from "../../core/events.ts";
import type { Store, StoreSession } from "../../core/ports.ts";

/**
 * Writes a transaction's record events to the event journal, as its last statements, and numbers
 * them in place (`seq`). Every write path calls this before COMMIT, so realtime can give each event
 * an id in commit order and replay what a client missed, on any instance.
 */
export async function journalEvents(
  session: StoreSession,
  pending: RecordEvent[],
  at: number,
): Promise<void> {
  if (pending.length === 0) return;
  const first = await session.appendEvents(
    pending.map((e) => ({
      at,
      action: e.kind,
      collectionId: e.collection.id,
      recordId: String(e.record["id"]),
      row: e.record,
    })),
  );
  for (const [i, e] of pending.entries()) pending[i] = { ...e, seq: first + i };
}

/** Runs `write` in a transaction that journals `pending`, then publishes them once committed. */
export async function writeJournaled(
  deps: { readonly store: Store; readonly events: EventHub; readonly clock: Clock },
  pending: RecordEvent[],
  write: (tx: StoreSession) => Promise<void>,
): Promise<void> {
  await deps.store.transaction(async (tx) => {
    await write(tx);
    await journalEvents(tx, pending, deps.clock.now().getTime());
  });
  for (const event of pending) deps.events.publish(event);
}
