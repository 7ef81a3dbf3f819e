import type { Bus } from "../core/bus.ts";
import type { Clock, IdGen } from "../core/clock.ts";
import type { EventHub } from "../core/events.ts";
import type { PasswordHasher, Store, TokenSigner } from "../core/ports.ts";
import { type AuthService, createAuthService } from "./auth/index.ts";
import { type BatchService, createBatchService } from "./batch/index.ts";
import { type CollectionService, createCollectionService } from "./collections/index.ts";
import { type ClusterSync, startClusterSync } from "./cluster-sync.ts";
import { createHealthService, type HealthReport } from "./health-service.ts";
import { createOpenApiService, type OpenApiService } from "./openapi/index.ts";
import { type RealtimeService, type ReplayLimits, startRealtimeService } from "./realtime/index.ts";
import { createRecordService, type RecordService } from "./records/index.ts";
import { createSchemaCache, type SchemaCache } from "./schema-cache.ts";
import { createSettingsService, type SettingsService } from "./settings/index.ts";

export { createEventHub } from "./event-hub.ts";
export type {
  AuthService,
  ClusterSync,
  CollectionService,
  HealthReport,
  OpenApiService,
  RecordService,
  SchemaCache,
};

/** The ports every service is built from. */
export interface ServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdGen;
  readonly hasher: PasswordHasher;
  readonly signer: TokenSigner;
  readonly events: EventHub;
  /** How this instance hears of changes made by other instances and workers. */
  readonly bus: Bus;
  /** The bus channel shared by every instance on the same database. */
  readonly busChannel: string;
  /** Unique per process (never from a seeded IdGen): tells this instance's bus messages from others'. */
  readonly instanceId: string;
  readonly database: HealthReport["database"]["kind"];
  readonly log: { warn(obj: object, msg: string): void };
  /** How long and how much realtime keeps for reconnecting clients (defaults otherwise). */
  readonly replay?: ReplayLimits;
}

/** Every use case, as transports call them. */
export interface Services {
  readonly schema: SchemaCache;
  readonly records: RecordService;
  readonly auth: AuthService;
  readonly collections: CollectionService;
  readonly settings: SettingsService;
  readonly batch: BatchService;
  readonly health: ReturnType<typeof createHealthService>;
  readonly openapi: OpenApiService;
  readonly cluster: ClusterSync;
  readonly realtime: RealtimeService;
}

/**
 * Wires the services together over the given ports and bootstraps the database (system tables and
 * collections); resolves once the bus subscriptions are active.
 */
export async function createServices(deps: ServiceDeps): Promise<Services> {
  const schema = createSchemaCache();
  const records = createRecordService({ ...deps, schema });
  const auth = createAuthService({ ...deps, schema, records });
  const collections = createCollectionService({
    ...deps,
    schema,
    truncateRecords: (c) => records.truncateAll(c),
  });
  const settings = createSettingsService({ store: deps.store, clock: deps.clock, events: deps.events });
  const batch = createBatchService({ store: deps.store, records, settings, clock: deps.clock, schema });
  const health = createHealthService({
    store: deps.store,
    database: deps.database,
    bus: () => deps.bus.status(),
  });
  const openapi = createOpenApiService({ schema });
  const cluster = await startClusterSync({
    bus: deps.bus,
    events: deps.events,
    store: deps.store,
    schema,
    origin: deps.instanceId,
    channel: deps.busChannel,
    log: deps.log,
  });
  // realtime starts from the event journal, which bootstrap creates
  let realtime: RealtimeService;
  try {
    await collections.bootstrap();
    realtime = await startRealtimeService({
      schema,
      records,
      store: deps.store,
      events: deps.events,
      ids: deps.ids,
      log: deps.log,
      bus: deps.bus,
      channel: `${deps.busChannel}_rt`,
      origin: deps.instanceId,
      authenticate: (token) => auth.authenticate(token),
      peers: () => cluster.peers(),
      settings: () => settings.current(),
      ...(deps.replay ? { replay: deps.replay } : {}),
    });
  } catch (err) {
    await cluster.close();
    throw err;
  }
  return { schema, records, auth, collections, settings, batch, health, openapi, cluster, realtime };
}
