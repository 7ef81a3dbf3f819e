import cluster from "node:cluster";
import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import {
  type BusLogger,
  createIpcBus,
  createIpcBusRelay,
  createMemoryBus,
  createPostgresBus,
  createRedisBus,
  type IpcBusRelay,
} from "./adapters/bus/index.ts";
import { type Argon2Params, createArgon2Hasher, createHmacTokenSigner } from "./adapters/crypto/index.ts";
import { createPostgresStore } from "./adapters/store/postgres/index.ts";
import { createSqliteStore } from "./adapters/store/sqlite/index.ts";
import { cryptoIdGen, systemClock } from "./adapters/system/index.ts";
import type { Config } from "./config/index.ts";
import type { Bus } from "./core/bus.ts";
import type { Clock, IdGen } from "./core/clock.ts";
import { createEventHub, createServices, type Services } from "./services/index.ts";
import { closeGracefully, createHttpServer } from "./transports/http/index.ts";
import { type RealtimeTimings, registerRestApi } from "./transports/rest/index.ts";

/** Overrides for tests and embedders: a fixed clock, deterministic ids, cheaper hashing. */
export interface PlinthOverrides {
  readonly clock?: Clock;
  readonly ids?: IdGen;
  readonly argon2?: Argon2Params;
  /** Shorter realtime heartbeats and timeouts (tests). */
  readonly realtimeTimings?: RealtimeTimings;
}

/** A built Plinth app: its HTTP server, services, and lifecycle. */
export interface Plinth {
  readonly config: Config;
  readonly http: FastifyInstance;
  readonly services: Services;
  /** Listens on config.host:config.port; resolves to the bound address. */
  listen(): Promise<string>;
  /** Drains in-flight requests and closes the database. */
  close(): Promise<void>;
}

/**
 * The bus channel for instances sharing this database. NOTIFY channels are per database, so
 * deployments in different schemas of one database (`options=-c search_path=…`) get channels of
 * their own; instances reaching the same database under different host names still share one.
 */
export function busChannelFor(db: string | undefined): string {
  if (db === undefined) return "plinth_sync";
  const url = new URL(db);
  const searchPath = /search_path\s*=\s*([^\s]+)/.exec(url.searchParams.get("options") ?? "")?.[1] ?? "";
  const scope = `${url.pathname}|${searchPath}`;
  return `plinth_sync_${createHash("sha256").update(scope).digest("hex").slice(0, 16)}`;
}

/**
 * The bus: Redis when configured; else PostgreSQL LISTEN/NOTIFY on PostgreSQL; else cluster IPC in a
 * `--workers` worker; else in-process (one process, nothing to tell).
 */
async function createBus(config: Config, logger: BusLogger): Promise<Bus> {
  if (config.redis !== undefined) return createRedisBus({ url: config.redis, logger });
  if (config.db !== undefined) return createPostgresBus({ url: config.db, logger });
  if (cluster.isWorker) return createIpcBus(process, { logger });
  return createMemoryBus({ logger });
}

/** Starts relaying bus messages between `--workers` workers; call in the cluster primary before forking. */
export function startWorkerBusRelay(): IpcBusRelay {
  return createIpcBusRelay(cluster);
}

/** The composition root: config → adapters → services → transports. */
export async function createPlinth(config: Config, overrides: PlinthOverrides = {}): Promise<Plinth> {
  const http = createHttpServer({
    logger: { level: config.logLevel, pretty: config.dev },
    bodyLimit: config.bodyLimit,
    cors: { origins: config.corsOrigins === "*" ? "*" : [...config.corsOrigins] },
    ...(config.trustedProxies.length > 0 ? { trustProxy: [...config.trustedProxies] } : {}),
  });
  const store =
    config.db === undefined
      ? createSqliteStore({ path: join(config.dir, "data.db"), synchronous: config.synchronous })
      : createPostgresStore({
          url: config.db,
          poolSize: config.dbPoolSize,
          acquireTimeoutMs: config.dbAcquireTimeoutMs,
          statementTimeoutMs: config.dbStatementTimeoutMs,
          onIdleError: (err) => http.log.warn({ err }, "idle database connection failed"),
        });
  const events = createEventHub((err) => http.log.error({ err }, "event listener failed"));
  let bus: Bus | undefined;
  let services: Services | undefined;
  try {
    bus = await createBus(config, http.log);
    services = await createServices({
      store,
      clock: overrides.clock ?? systemClock,
      ids: overrides.ids ?? cryptoIdGen,
      hasher: createArgon2Hasher(overrides.argon2),
      signer: createHmacTokenSigner(),
      events,
      bus,
      busChannel: busChannelFor(config.db),
      instanceId: randomUUID(),
      database: config.db === undefined ? "sqlite" : "postgres",
      log: http.log,
      replay: { windowMs: config.realtimeReplayWindowMs, maxEvents: config.realtimeReplayMaxEvents },
    });
  } catch (err) {
    await services?.cluster.close();
    await bus?.close();
    await store.close();
    throw err;
  }
  const openBus = bus;
  const ready = services;
  registerRestApi(http, services, {
    realtimeMaxConnectionsPerIp: config.realtimeMaxConnectionsPerIp,
    ...(overrides.realtimeTimings ? { realtimeTimings: overrides.realtimeTimings } : {}),
  });

  let closed = false;
  return {
    config,
    http,
    services,
    async listen() {
      return http.listen({ host: config.host, port: config.port });
    },
    async close() {
      if (closed) return;
      closed = true;
      // realtime streams never finish by themselves: end them so the drain waits only for requests
      await ready.realtime.close();
      await closeGracefully(http, { timeoutMs: config.shutdownTimeoutMs });
      // changes made just before (a CLI command's, or a request's) reach the other instances first
      await ready.cluster.settled();
      await ready.cluster.close();
      await openBus.close();
      await store.close();
    },
  };
}
