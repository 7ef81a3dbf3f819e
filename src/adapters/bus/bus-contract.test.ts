import { EventEmitter } from "node:events";
import { Redis } from "ioredis";
import pg from "pg";
import { busContractSuite, skipUnlessReachable } from "./bus-contract.ts";
import { createIpcBus, createIpcBusRelay, type IpcRelayWorker, type IpcWorkerEndpoint } from "./ipc-bus.ts";
import { createMemoryBus } from "./memory-bus.ts";
import { createPostgresBus } from "./postgres-bus.ts";
import { createRedisBus } from "./redis-bus.ts";

const POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/test";
const REDIS_URL = "redis://127.0.0.1:6379";
/** In CI a missing server is a failure: the suite then runs, and fails to connect, instead of skipping. */
const CI = process.env.CI === "true";

// One instance per bus: A and B are the same object, which still checks everything but cross-instance reach.
busContractSuite("memory", async () => {
  const bus = createMemoryBus();
  return { a: bus, b: bus, close: () => bus.close() };
});

busContractSuite("ipc", async () => {
  const { cluster, endpoints } = inProcessCluster(2);
  const relay = createIpcBusRelay(cluster);
  const a = createIpcBus(endpoints[0]!);
  const b = createIpcBus(endpoints[1]!);
  return {
    a,
    b,
    async close() {
      await Promise.all([a.close(), b.close()]);
      relay.close();
    },
  };
});

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
busContractSuite(
  "postgres",
  async () => {
    // Two bus objects = two servers sharing the database.
    const [a, b] = await Promise.all([
      createPostgresBus({ url: POSTGRES_URL, applicationName: "plinth-bus-contract-a" }),
      createPostgresBus({ url: POSTGRES_URL, applicationName: "plinth-bus-contract-b" }),
    ]);
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
  { skip: postgresSkip },
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
busContractSuite(
  "redis",
  async () => {
    const [a, b] = await Promise.all([
      createRedisBus({ url: REDIS_URL, connectionName: "plinth-bus-contract-a" }),
      createRedisBus({ url: REDIS_URL, connectionName: "plinth-bus-contract-b" }),
    ]);
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
  { skip: redisSkip },
);

/**
 * A primary and `count` workers in this process: what node:cluster does, minus the processes.
 * Messages are copied and delivered on a later macrotask, in order, like a real IPC channel.
 */
function inProcessCluster(count: number): {
  cluster: EventEmitter & { workers: Record<string, IpcRelayWorker> };
  endpoints: IpcWorkerEndpoint[];
} {
  const cluster = Object.assign(new EventEmitter(), { workers: {} as Record<string, IpcRelayWorker> });
  const endpoints: IpcWorkerEndpoint[] = [];
  for (let id = 1; id <= count; id++) {
    const workerSide = new EventEmitter();
    const worker: IpcRelayWorker = {
      isConnected: () => true,
      send(message, callback) {
        const copy = structuredClone(message);
        setImmediate(() => {
          workerSide.emit("message", copy);
          callback(null);
        });
        return true;
      },
    };
    cluster.workers[String(id)] = worker;
    endpoints.push({
      connected: true,
      send(message, callback) {
        const copy = structuredClone(message);
        setImmediate(() => {
          cluster.emit("message", worker, copy);
          callback(null);
        });
        return true;
      },
      on: (event, listener) => workerSide.on(event, listener),
      off: (event, listener) => workerSide.off(event, listener),
    });
  }
  return { cluster, endpoints };
}
