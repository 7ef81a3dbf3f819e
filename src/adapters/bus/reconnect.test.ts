import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import net from "node:net";
import { test } from "node:test";
import { Redis } from "ioredis";
import pg from "pg";
import type { Bus } from "../../core/bus.ts";
import { inbox, skipUnlessReachable, uniqueChannel } from "./bus-contract.ts";
import type { BusLogger } from "./bus-listeners.ts";
import { createPostgresBus } from "./postgres-bus.ts";
import { createRedisBus } from "./redis-bus.ts";

/**
 * Connection loss, for real: the server drops our listener connection (only ours, found by its
 * unique name), and the bus must get it back, listen again, and say so through onReconnect.
 */

const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = "redis://127.0.0.1:6379";
const CI = process.env.CI === "true";
const TIMEOUT_MS = 15_000;

const postgresSkip = await skipUnlessReachable(
  "PostgreSQL",
  POSTGRES_URL,
  async () => {
    const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 2_000 });
    await client.connect();
    await client.end();
  },
  CI,
);
const redisSkip = await skipUnlessReachable(
  "Redis",
  REDIS_URL,
  async () => {
    const client = new Redis(REDIS_URL, {
      lazyConnect: true,
      retryStrategy: () => null,
      connectTimeout: 2_000,
    });
    let socketError: unknown;
    client.on("error", (err) => void (socketError = err)); // more telling than connect()'s rejection
    try {
      await client.connect();
    } catch (err) {
      throw socketError ?? err;
    } finally {
      client.disconnect();
    }
  },
  CI,
);

test("postgres bus listens again after its listener backend is terminated, then fires onReconnect", {
  timeout: TIMEOUT_MS,
  skip: postgresSkip,
}, async (t) => {
  const applicationName = `plinth-bus-${randomBytes(6).toString("hex")}`;
  const watch = lossWatcher();
  const bus = await createPostgresBus({ url: POSTGRES_URL, applicationName, logger: watch.logger });
  watch.watch(bus);
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  const cleanup = onceCleanup(t.signal, async () => {
    await bus.close();
    await admin.end();
  });
  try {
    const channel = uniqueChannel("pg_reconnect");
    const received = inbox();
    await bus.subscribe(channel, received.handler);
    const reconnected = new Promise<void>((resolve) => bus.onReconnect(resolve));

    const { rows } = await admin.query(
      "SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE application_name = $1",
      [applicationName],
    );
    assert.deepEqual(rows, [{ terminated: true }]);
    assert.equal(await watch.connectedWhenLost, false);

    await reconnected;
    assert.equal(bus.status().connected, true);
    await bus.publish(channel, "after reconnect");
    assert.deepEqual(await received.until(1), ["after reconnect"]);
  } finally {
    await cleanup();
  }
});

test("redis bus subscribes again after its subscriber connection is killed, then fires onReconnect", {
  timeout: TIMEOUT_MS,
  skip: redisSkip,
}, async (t) => {
  const connectionName = `plinth-bus-${randomBytes(6).toString("hex")}`;
  const watch = lossWatcher();
  const bus = await createRedisBus({ url: REDIS_URL, connectionName, logger: watch.logger });
  watch.watch(bus);
  const admin = new Redis(REDIS_URL);
  const cleanup = onceCleanup(t.signal, async () => {
    await bus.close();
    admin.disconnect();
  });
  try {
    const channel = uniqueChannel("redis_reconnect");
    const received = inbox();
    await bus.subscribe(channel, received.handler);
    const reconnected = new Promise<void>((resolve) => bus.onReconnect(resolve));

    // A subscriber connection accepts no CLIENT ID, so find ours by its unique name and kill only it.
    const clients = String(await admin.call("CLIENT", "LIST", "TYPE", "pubsub"));
    const ours = clients
      .split("\n")
      .filter((line) => line.split(" ").includes(`name=${connectionName}`))
      .map((line) => /(?:^| )id=(\d+)/.exec(line)?.[1]);
    assert.equal(ours.length, 1, clients);
    assert.equal(await admin.call("CLIENT", "KILL", "ID", ours[0]!), 1);
    assert.equal(await watch.connectedWhenLost, false);

    await reconnected;
    assert.equal(bus.status().connected, true);
    await bus.publish(channel, "after reconnect");
    assert.deepEqual(await received.until(1), ["after reconnect"]);
  } finally {
    await cleanup();
  }
});

test("postgres bus publish rejects within its timeout when the server stops answering", {
  timeout: TIMEOUT_MS,
  skip: postgresSkip,
}, async (t) => {
  const proxy = await blackholeProxy(5432);
  const url = `postgres://postgres@127.0.0.1:${proxy.port}/test`;
  const bus = await createPostgresBus({ url, publishTimeoutMs: 300, logger: lossWatcher().logger });
  const cleanup = onceCleanup(t.signal, async () => {
    await proxy.close();
    await bus.close();
  });
  try {
    const channel = uniqueChannel("pg_silent");
    await bus.publish(channel, "while answering");
    proxy.freeze();
    await assert.rejects(bus.publish(channel, "into the void"), { code: "unavailable" });
  } finally {
    await cleanup();
  }
});

test("redis bus publish rejects within its timeout when the server stops answering", {
  timeout: TIMEOUT_MS,
  skip: redisSkip,
}, async (t) => {
  const proxy = await blackholeProxy(6379);
  const url = `redis://127.0.0.1:${proxy.port}`;
  const bus = await createRedisBus({ url, publishTimeoutMs: 300, logger: lossWatcher().logger });
  const cleanup = onceCleanup(t.signal, async () => {
    await proxy.close();
    await bus.close();
  });
  try {
    const channel = uniqueChannel("redis_silent");
    await bus.publish(channel, "while answering");
    proxy.freeze();
    await assert.rejects(bus.publish(channel, "into the void"), { code: "unavailable" });
  } finally {
    await cleanup();
  }
});

for (const [kind, port] of [
  ["postgres", 5432],
  ["redis", 6379],
] as const) {
  test(`${kind} bus notices a listening connection that stalls without being cut`, {
    timeout: TIMEOUT_MS,
    skip: kind === "postgres" ? postgresSkip : redisSkip,
  }, async (t) => {
    const proxy = await blackholeProxy(port);
    const loss = lossWatcher();
    const options = {
      publishTimeoutMs: 300,
      probeIntervalMs: 100,
      reconnectDelayMs: { min: 60_000, max: 60_000 },
      logger: loss.logger,
    };
    const bus =
      kind === "postgres"
        ? await createPostgresBus({ url: `postgres://postgres@127.0.0.1:${proxy.port}/test`, ...options })
        : await createRedisBus({ url: `redis://127.0.0.1:${proxy.port}`, ...options });
    loss.watch(bus);
    const cleanup = onceCleanup(t.signal, async () => {
      await proxy.close();
      await bus.close();
    });
    try {
      assert.equal(bus.status().connected, true);
      proxy.freeze(); // nothing is closed: only the probe can tell
      assert.equal(await loss.connectedWhenLost, false);
    } finally {
      await cleanup();
    }
  });
}

/** Runs `cleanup` once: after the test, or as soon as it times out, so no connection outlives it. */
function onceCleanup(signal: AbortSignal, cleanup: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  const run = () => (done ??= cleanup());
  signal.addEventListener("abort", () => void run(), { once: true });
  return run;
}

/**
 * A logger that stays quiet about the expected connection warnings and reads the watched bus's
 * `status()` at the moment it reports its loss, so the test needs no polling.
 */
function lossWatcher(): { logger: BusLogger; watch(bus: Bus): void; connectedWhenLost: Promise<boolean> } {
  let watched: Bus | undefined;
  let report: (connected: boolean) => void = () => {};
  const connectedWhenLost = new Promise<boolean>((resolve) => (report = resolve));
  const logger: BusLogger = {
    info() {},
    warn(_obj, msg) {
      if (watched && msg.includes("lost")) report(watched.status().connected);
    },
    error: (obj, msg) => console.error(msg, obj),
  };
  return { logger, watch: (bus) => void (watched = bus), connectedWhenLost };
}

/**
 * A TCP proxy to a local server that can be told to stop forwarding in both directions: a server
 * that is up but no longer answers, the case where only a timeout stops publish from hanging.
 */
async function blackholeProxy(targetPort: number): Promise<{
  port: number;
  freeze(): void;
  close(): Promise<void>;
}> {
  let frozen = false;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("error", () => {}); // resets are expected once frozen or closed
    socket.on("close", () => sockets.delete(socket));
  };
  const server = net.createServer((downstream) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    track(downstream);
    track(upstream);
    downstream.on("data", (chunk) => void (frozen || upstream.write(chunk)));
    upstream.on("data", (chunk) => void (frozen || downstream.write(chunk)));
    downstream.on("end", () => void (frozen || upstream.end()));
    upstream.on("end", () => void (frozen || downstream.end()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === "object");
  return {
    port: address.port,
    freeze() {
      frozen = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
