// The event journal on a real SQLite store: numbers in order without gaps, a rolled-back write hands
// its numbers back, reads page in order, pruning by age and by count, and the bounds.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { JournalEntry, Store } from "../../../core/ports.ts";
import { createSqliteStore } from "../sqlite/index.ts";

const entry = (at: number, recordId: string): JournalEntry => ({
  at,
  action: "create",
  collectionId: "c1",
  recordId,
  row: { id: recordId, n: at },
});

describe("event journal", () => {
  let store: Store;
  before(async () => {
    store = createSqliteStore({ path: ":memory:", synchronous: "NORMAL" });
    await store.init();
  });
  after(() => store.close());

  test("numbers follow each other across transactions; a rollback hands its numbers back", async () => {
    assert.deepEqual(await store.eventBounds(), { first: 1, last: 0 });
    const first = await store.transaction((tx) => tx.appendEvents([entry(1, "a"), entry(1, "b")]));
    assert.equal(first, 1);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.appendEvents([entry(2, "lost")]);
        throw new Error("roll back");
      }),
    );
    const next = await store.transaction((tx) => tx.appendEvents([entry(3, "c")]));
    assert.equal(next, 3);
    const all = await store.readEvents(0, 10);
    assert.deepEqual(
      all.map((e) => [e.seq, e.recordId, e.row]),
      [
        [1, "a", { id: "a", n: 1 }],
        [2, "b", { id: "b", n: 1 }],
        [3, "c", { id: "c", n: 3 }],
      ],
    );
    assert.deepEqual(
      (await store.readEvents(1, 1)).map((e) => e.seq),
      [2],
    );
    assert.deepEqual(await store.eventBounds(), { first: 1, last: 3 });
  });

  test("pruning forgets entries older than the window and beyond the count; numbering goes on", async () => {
    await store.transaction((tx) => tx.appendEvents([entry(10, "d"), entry(11, "e"), entry(12, "f")]));
    await store.pruneEvents(5, 1_000); // older than at=5: a, b, c
    assert.deepEqual(await store.eventBounds(), { first: 4, last: 6 });
    await store.pruneEvents(0, 1); // keep only the newest
    assert.deepEqual(
      (await store.readEvents(0, 10)).map((e) => e.recordId),
      ["f"],
    );
    await store.pruneEvents(100, 1_000); // everything
    assert.deepEqual(await store.eventBounds(), { first: 7, last: 6 });
    assert.equal(await store.transaction((tx) => tx.appendEvents([entry(200, "g")])), 7);
  });
});
