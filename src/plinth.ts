import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { type Argon2Params, createArgon2Hasher, createHmacTokenSigner } from "./adapters/crypto/index.ts";
import { createPostgresStore } from "./adapters/store/postgres/index.ts";
import { createSqliteStore } from "./adapters/store/sqlite/index.ts";
import { cryptoIdGen, systemClock } from "./adapters/system/index.ts";
import type { Config } from "./config/index.ts";
import type { Clock, IdGen } from "./core/clock.ts";
import { createEventHub, createServices, type Services } from "./services/index.ts";
import { closeGracefully, createHttpServer } from "./transports/http/index.ts";
import { registerRestApi } from "./transports/rest/index.ts";

/** Overrides for tests and embedders: a fixed clock, deterministic ids, cheaper hashing. */
export interface PlinthOverrides {
  readonly clock?: Clock;
  readonly ids?: IdGen;
  readonly argon2?: Argon2Params;
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

/** The composition root: config → adapters → services → transports. */
export async function createPlinth(config: Config, overrides: PlinthOverrides = {}): Promise<Plinth> {
  const http = createHttpServer({
    logger: { level: config.logLevel, pretty: config.dev },
    bodyLimit: config.bodyLimit,
    cors: { origins: config.corsOrigins === "*" ? "*" : [...config.corsOrigins] },
  });
  const store =
    config.db === undefined
      ? createSqliteStore({ path: join(config.dir, "data.db"), synchronous: config.synchronous })
      : createPostgresStore({
          url: config.db,
          onIdleError: (err) => http.log.warn({ err }, "idle database connection failed"),
        });
  const events = createEventHub((err) => http.log.error({ err }, "event listener failed"));
  const services = createServices({
    store,
    clock: overrides.clock ?? systemClock,
    ids: overrides.ids ?? cryptoIdGen,
    hasher: createArgon2Hasher(overrides.argon2),
    signer: createHmacTokenSigner(),
    events,
  });
  try {
    await services.collections.bootstrap();
  } catch (err) {
    await store.close();
    throw err;
  }
  registerRestApi(http, services);

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
      await closeGracefully(http, { timeoutMs: config.shutdownTimeoutMs });
      await store.close();
    },
  };
}
