// Shared by the SDK realtime suites: collecting a subscription's events, and waiting out stragglers.
import assert from "node:assert/strict";
import type PocketBase from "pocketbase";
import type { RecordSubscription } from "pocketbase";

/** Collects the events a subscription receives; `next(n)` resolves once n have arrived (bounded). */
export function collector() {
  const events: RecordSubscription[] = [];
  return {
    events,
    handler: (e: RecordSubscription) => void events.push(e),
    async next(n: number): Promise<RecordSubscription[]> {
      for (let i = 0; i < 400 && events.length < n; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(events.length >= n, `expected ${n} events, got ${events.length}: ${JSON.stringify(events)}`);
      return events.slice(0, n);
    },
  };
}

/**
 * Waits until every event that could still reach `pb` has had its chance: events are sent in commit
 * order, so once a marker created afterwards (by `su`, on the public `markers` collection) arrives,
 * nothing earlier is still on its way.
 */
export async function settle(su: PocketBase, pb: PocketBase): Promise<void> {
  const marker = collector();
  const off = await pb.collection("markers").subscribe("*", marker.handler);
  await su.collection("markers").create({});
  await marker.next(1);
  await off();
}
