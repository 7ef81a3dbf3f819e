import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createMemoryBus } from "../adapters/bus/index.ts";
import { createSqliteStore } from "../adapters/store/sqlite/index.ts";
import { cryptoIdGen, systemClock } from "../adapters/system/index.ts";
import type { Bus, BusStatus } from "../core/bus.ts";
import type { PlinthEvent } from "../core/events.ts";
import type { Store } from "../core/ports.ts";
import { type ClusterSync, startClusterSync } from "./cluster-sync.ts";
import { createCollectionService } from "./collections/index.ts";
import { createEventHub } from "./event-hub.ts";
import { createSchemaCache, type SchemaCache } from "./schema-cache.ts";

const CHANNEL = "plinth_sync_test";
const quiet = { warn() {} };
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The memory bus, with a connection the test can drop and restore (as a real bus loses its link). */
function switchableBus(): Bus & { drop(): void; restore(): void } {
  const inner = createMemoryBus({ logger: { info() {}, warn() {}, error() {} } });
  const reconnectListeners = new Set<() => void>();
  let connected = true;
  return {
    kind: "memory",
    publish: (channel, message) => inner.publish(channel, message),
    subscribe: (channel, handler) => inner.subscribe(channel, handler),
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    status: (): BusStatus => ({ kind: "memory", connected }),
    close: () => inner.close(),
    drop() {
      connected = false;
    },
    restore() {
      connected = true;
      for (const listener of reconnectListeners) listener();
    },
  };
}

interface Instance {
  readonly sync: ClusterSync;
  readonly schema: SchemaCache;
  readonly events: ReturnType<typeof createEventHub>;
  readonly seen: PlinthEvent[];
}

async function instance(
  bus: Bus,
  store: Store,
  origin: string,
  stalePollMs = 60_000,
  ackTimeoutMs = 2_000,
): Promise<Instance> {
  const events = createEventHub((err) => {
    throw err;
  });
  const schema = createSchemaCache();
  await schema.reload(store);
  const seen: PlinthEvent[] = [];
  events.subscribe((e) => seen.push(e));
  const sync = await startClusterSync({
    bus,
    events,
    store,
    schema,
    origin,
    channel: CHANNEL,
    log: quiet,
    stalePollMs,
    ackTimeoutMs,
  });
  return { sync, schema, events, seen };
}

/** Creates the system collections on a new database through `through` (which announces the schema). */
async function bootstrapThrough(through: Instance, store: Store): Promise<void> {
  await createCollectionService({
    store,
    schema: through.schema,
    clock: systemClock,
    ids: cryptoIdGen,
    events: through.events,
    truncateRecords: async () => {},
  }).bootstrap();
}

async function sharedStore(): Promise<Store> {
  const dir = mkdtempSync(join(tmpdir(), "plinth-sync-"));
  dirs.push(dir);
  const store = createSqliteStore({ path: join(dir, "data.db"), synchronous: "NORMAL" });
  await store.init();
  return store;
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), "condition not reached");
}

describe("cluster sync", () => {
  it("announces a local schema change; the other instance reloads before telling its listeners", async () => {
    const bus = createMemoryBus();
    const store = await sharedStore();
    const a = await instance(bus, store, "a");
    const b = await instance(bus, store, "b");
    assert.equal(b.schema.byNameOrId("users"), undefined);
    // the first start creates the system collections and announces the new schema
    await bootstrapThrough(a, store);
    await a.sync.settled();
    await until(() => b.seen.some((e) => e.kind === "schema" && e.remote));
    assert.ok(b.schema.byNameOrId("users"), "B's schema was reloaded before the event");
    assert.equal(a.seen.filter((e) => e.kind === "schema").length, 1, "A ignores its own announcement");
    await a.sync.close();
    await b.sync.close();
    await store.close();
  });

  it("tells the other instance about auth record changes and settings, not about other records", async () => {
    const bus = createMemoryBus();
    const store = await sharedStore();
    const a = await instance(bus, store, "a");
    const b = await instance(bus, store, "b");
    await bootstrapThrough(a, store);
    await a.sync.settled();
    await until(() => b.seen.length > 0);
    b.seen.length = 0;
    const users = a.schema.byNameOrId("_superusers")!;
    a.events.publish({ kind: "delete", collection: users, record: { id: "u1" } });
    a.events.publish({ kind: "create", collection: users, record: { id: "u2" } });
    a.events.publish({ kind: "settings" });
    await a.sync.settled();
    await until(() => b.seen.some((e) => e.kind === "settings"));
    assert.deepEqual(
      b.seen.map((e) => e.kind),
      ["auth-record", "settings"],
    );
    assert.deepEqual(b.seen[0], {
      kind: "auth-record",
      collectionId: users.id,
      recordId: "u1",
      remote: true,
    });
    await a.sync.close();
    await b.sync.close();
    await store.close();
  });

  it("a write is settled only once the other instance has applied it", async () => {
    const bus = createMemoryBus();
    const store = await sharedStore();
    const a = await instance(bus, store, "a");
    const b = await instance(bus, store, "b");
    await until(() => a.sync.settled() === undefined);
    await bootstrapThrough(a, store);
    const settled = a.sync.settled();
    assert.notEqual(settled, undefined, "the announcement awaits B");
    await settled;
    // no waiting here: B reloaded and acknowledged before A's write counted as done
    assert.ok(b.schema.byNameOrId("users"));
    assert.ok(b.seen.some((e) => e.kind === "schema" && e.remote));
    await a.sync.close();
    await b.sync.close();
    await store.close();
  });

  it("stops waiting for an instance that said goodbye, and for a silent one after the timeout", {
    timeout: 20_000,
  }, async () => {
    const bus = createMemoryBus();
    const store = await sharedStore();
    const a = await instance(bus, store, "a", 60_000, 60_000);
    // "leaving" is known, then says goodbye: a must not wait for it at all (else 60 s, past the test timeout)
    await bus.publish(CHANNEL, JSON.stringify({ o: "leaving", k: "hello" }));
    await bus.publish(CHANNEL, JSON.stringify({ o: "leaving", k: "bye" }));
    await new Promise((r) => setTimeout(r, 20));
    a.events.publish({ kind: "settings" });
    await a.sync.settled();
    await a.sync.close();

    // "ghost" said hello and then went silent, as after kill -9: a waits for it only ackTimeoutMs
    const c = await instance(bus, store, "c", 60_000, 50);
    await bus.publish(CHANNEL, JSON.stringify({ o: "ghost", k: "hello" }));
    await new Promise((r) => setTimeout(r, 20));
    c.events.publish({ kind: "settings" });
    const pending = c.sync.settled();
    assert.notEqual(pending, undefined);
    await pending;
    assert.equal(c.sync.settled(), undefined);
    await c.sync.close();
    await store.close();
  });

  it("drops every cache when a peer's hello shows it announced changes that never arrived", async () => {
    const bus = createMemoryBus();
    const store = await sharedStore();
    const b = await instance(bus, store, "b");
    await bus.publish(CHANNEL, JSON.stringify({ o: "x", k: "hello", a: 3 }));
    await bus.publish(CHANNEL, JSON.stringify({ o: "x", n: 4, k: "settings" }));
    await bus.publish(CHANNEL, JSON.stringify({ o: "x", k: "hello", a: 4 }));
    await until(() => b.seen.length >= 1);
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(
      b.seen.map((e) => e.kind),
      ["settings"],
      "no gap so far",
    );
    // announcement 5 was lost (its publish failed): the next hello says 5
    await bus.publish(CHANNEL, JSON.stringify({ o: "x", k: "hello", a: 5 }));
    await until(() => b.seen.some((e) => e.kind === "caches-stale"));
    await b.sync.close();
    await store.close();
  });

  it("ignores malformed messages", async () => {
    const bus = createMemoryBus();
    const store = await sharedStore();
    const b = await instance(bus, store, "b");
    for (const junk of [
      "not json",
      "null",
      '{"k":"schema","n":1}',
      '{"o":"x","k":"schema"}',
      '{"o":"x","k":"auth","n":1,"c":1}',
      '{"o":"x","k":"ack","n":1}',
      '{"o":"x","k":"?"}',
    ])
      await bus.publish(CHANNEL, junk);
    await bus.publish(CHANNEL, JSON.stringify({ o: "x", n: 1, k: "settings" }));
    await until(() => b.seen.length > 0);
    assert.deepEqual(b.seen, [{ kind: "settings", remote: true }]);
    await b.sync.close();
    await store.close();
  });

  it("drops every cache when the bus reconnects, and keeps refreshing while it is down", async () => {
    const bus = switchableBus();
    const store = await sharedStore();
    const b = await instance(bus, store, "b", 10);
    bus.drop();
    await until(() => b.seen.filter((e) => e.kind === "caches-stale").length >= 2);
    bus.restore();
    const afterRestore = b.seen.length;
    await until(() => b.seen.length > afterRestore);
    await new Promise((r) => setTimeout(r, 50));
    const settled = b.seen.length;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(b.seen.length, settled, "no more refreshes once connected");
    await b.sync.close();
    await store.close();
  });
});
